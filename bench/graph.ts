// Times building the NatsCluster component's resource graph for an AWS
// 3-zone cluster under Pulumi's mocks (no cloud, no engine). Run as its own
// process by bench/index.ts (mocks are process-wide state); prints one JSON
// line on stdout. If sdk/cluster does not export NatsCluster yet, prints a
// "todo" result instead.
import path from "node:path";

const BUILDS = Number(process.env.BENCH_GRAPH_BUILDS ?? 5);

export interface GraphResult {
  status: "ok" | "todo" | "error";
  reason?: string;
  /** Loading @pulumi/pulumi and sdk/cluster (cold). */
  importMs?: number;
  /** The first build (cold caches), then the median of the following ones. */
  firstBuildMs?: number;
  warmBuildMs?: number;
  /** Time spent in the constructor itself (synchronous part), median of warm builds. */
  constructorMs?: number;
  builds?: number;
  /** Resources registered by one build, and how many of each type. */
  resources?: number;
  types?: Record<string, number>;
  peakRssMiB?: number;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Outputs the component reads from the resources it creates (the rest echo their inputs). */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "aws:eks/cluster:Cluster":
      return {
        ...inputs,
        name: `${name}-eks`,
        endpoint: "https://EKS.example.com",
        certificateAuthority: { data: "Q0EtREFUQQ==" },
      };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `pw-${name}` };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { ...inputs, certPem: "CERT" };
    case "tls:index/privateKey:PrivateKey":
      return { ...inputs, privateKeyPem: "KEY" };
    case "tls:index/certRequest:CertRequest":
      return { ...inputs, certRequestPem: "CSR" };
    case "kubernetes:helm.sh/v4:Chart":
      return { resources: [] };
    case "kubernetes:core/v1:Service":
      return { ...inputs, status: { loadBalancer: { ingress: [{ hostname: "lb.example.com" }] } } };
    default:
      return inputs;
  }
}

async function main(): Promise<GraphResult> {
  const t0 = now();
  const pulumi = await import("@pulumi/pulumi");
  // Resolved at run time: the component is written in parallel with this benchmark.
  let NatsCluster: (new (name: string, args: unknown) => unknown) | undefined;
  try {
    NatsCluster = require(path.join(__dirname, "../sdk/cluster")).NatsCluster;
  } catch (err) {
    return {
      status: "todo",
      reason: `sdk/cluster cannot be loaded: ${(err as Error).message.split("\n")[0]}`,
    };
  }
  if (typeof NatsCluster !== "function")
    return { status: "todo", reason: "sdk/cluster does not export NatsCluster" };
  const importMs = now() - t0;

  const registered: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args.type);
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
      },
      call: (args) => (args.token === "aws:index/getRegion:getRegion" ? { name: "us-east-1" } : {}),
    },
    "bench",
    "bench",
    true,
  );
  const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  const times: number[] = [];
  const ctor: number[] = [];
  let counts: Record<string, number> = {};
  for (let b = 0; b < BUILDS; b++) {
    const before = registered.length;
    const start = now();
    new NatsCluster(`nats${b}`, {
      platform: { aws: {} },
      zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    });
    ctor.push(now() - start);
    await waitForRPCs();
    times.push(now() - start);
    counts = {};
    for (const t of registered.slice(before)) counts[t] = (counts[t] ?? 0) + 1;
  }
  return {
    status: "ok",
    importMs,
    firstBuildMs: times[0],
    warmBuildMs: times.length > 1 ? median(times.slice(1)) : times[0],
    constructorMs: ctor.length > 1 ? median(ctor.slice(1)) : ctor[0],
    builds: times.length,
    resources: Object.values(counts).reduce((a, b) => a + b, 0),
    types: counts,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

main().then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
  },
  (err) => {
    const result: GraphResult = { status: "error", reason: String((err as Error)?.stack ?? err) };
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(0);
  },
);
