// Pulumi mocks for the NatsCluster tests, plus a capture of every resource's
// parent and dependsOn through a component transformation (the mocks'
// newResource does not receive them). Mocks are installed per test by
// `buildCluster`, so other test files' mocks cannot leak in (mocha runs all
// files in one process) and ours are re-installed before each build.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider: string | undefined;
}

export interface Captured {
  type: string;
  name: string;
  /** The raw inputs (Outputs intact: secretness can be checked). */
  props: Record<string, unknown>;
  parent: pulumi.Resource | undefined;
  dependsOn: pulumi.Resource[];
  provider: pulumi.ProviderResource | undefined;
}

export interface Build<T> {
  value: T;
  registered: Registered[];
  captured: Captured[];
}

/** State the mocked engine returns for a resource, by type. */
function stateFor(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const i = args.inputs as Record<string, unknown>;
  switch (args.type) {
    case "aws:eks/cluster:Cluster":
      return {
        ...i,
        name: `${args.name}-eks`,
        endpoint: "https://EKS.example.com",
        certificateAuthority: { data: "Q0EtREFUQQ==" },
      };
    case "gcp:container/cluster:Cluster":
      return {
        ...i,
        name: `${args.name}-gke`,
        endpoint: "203.0.113.10",
        masterAuth: { clusterCaCertificate: "R0tFLUNB" },
      };
    case "random:index/randomPassword:RandomPassword":
      return { ...i, result: `pw${args.name.replace(/[^a-z]/g, "")}` };
    case "random:index/randomBytes:RandomBytes": {
      // 32 bytes derived from the resource name: stable per resource, distinct between users.
      const bytes = createHash("sha256").update(args.name).digest();
      return { ...i, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    case "tls:index/selfSignedCert:SelfSignedCert":
      return { ...i, certPem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n" };
    case "tls:index/privateKey:PrivateKey":
      return { ...i, privateKeyPem: `KEY-${args.name}` };
    case "tls:index/certRequest:CertRequest":
      return { ...i, certRequestPem: "CSR" };
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { ...i, certPem: "SERVER-CERT" };
    case "kubernetes:helm.sh/v4:Chart":
      return { resources: [] };
    case "kubernetes:core/v1:Service":
      // A gateway Service gets an address of its own, so tests can tell members' addresses apart.
      return {
        ...i,
        status: {
          loadBalancer: {
            ingress: [
              {
                hostname: args.name.endsWith("-gateway")
                  ? `${args.name}.lb.example.com`
                  : "internal-lb.example.com",
              },
            ],
          },
        },
      };
    case "aws:ec2/subnet:Subnet":
      return { ...i, id: `${args.name}-id` };
    default:
      // Outputs the graph reads that the inputs lack (e.g. a Role's arn and auto-name).
      return { name: args.name, arn: `arn:mock:${args.type}:${args.name}`, ...i };
  }
}

/** Installs the mocks, runs `declare` with a transformation capturing every child, and waits for registrations. */
export async function buildCluster<T>(
  declare: (transformations: pulumi.ResourceTransformation[]) => T,
  opts: { preview?: boolean } = {},
): Promise<Build<T>> {
  const registered: Registered[] = [];
  const captured: Captured[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        const state = stateFor(args);
        return { id: args.id || `${args.name}-id`, state };
      },
      call: (args) => {
        if (args.token === "aws:eks/getCluster:getCluster")
          return {
            name: args.inputs.name,
            endpoint: "https://EXISTING.example.com",
            certificateAuthorities: [{ data: "RVhJU1Q=" }],
          };
        if (args.token === "gcp:container/getCluster:getCluster")
          return {
            name: args.inputs.name,
            endpoint: "203.0.113.20",
            masterAuths: [{ clusterCaCertificate: "RVhJU1Q=" }],
          };
        // The project number names the Compute Engine service agent (KMS grants).
        if (args.token === "gcp:organizations/getProject:getProject")
          return { projectId: args.inputs.projectId ?? "provider-project", number: "123456789012" };
        return {};
      },
    },
    "project",
    "stack",
    opts.preview ?? true,
  );
  const capture: pulumi.ResourceTransformation = (a) => {
    // The component itself goes through its own transformation: keep only its children.
    if (a.type === "nats:index:NatsCluster") return undefined;
    captured.push({
      type: a.type,
      name: a.name,
      props: a.props,
      parent: a.opts.parent,
      dependsOn: ([] as pulumi.Resource[]).concat((a.opts.dependsOn as pulumi.Resource[] | undefined) ?? []),
      provider: (a.opts as pulumi.CustomResourceOptions).provider,
    });
    return undefined;
  };
  const value = declare([capture]);
  // Let registrations settle (mock registrations resolve on the event loop; a resource
  // with transforms, like the chart, first starts the SDK's callback server).
  let last = -1;
  for (let i = 0, stable = 0; i < 400 && stable < 10; i++) {
    stable = registered.length === last ? stable + 1 : 0;
    last = registered.length;
    await new Promise((r) => setTimeout(r, 15));
  }
  return { value, registered, captured };
}

/** The value of an Output; rejects (instead of hanging) when it stays unknown. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the Output stayed unknown under the mocks")), 5000);
    o.apply((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Whether an Output (or a plain value) is secret. */
export async function isSecret(o: unknown): Promise<boolean> {
  if (!pulumi.Output.isInstance(o)) return false;
  return (await (o as unknown as { isSecret: Promise<boolean> }).isSecret) === true;
}

/** The URN of a resource. */
export function urnOf(r: pulumi.Resource): Promise<string> {
  return valueOf(r.urn);
}

/** The names (last URN segment) of the resources an Output depends on. */
export async function dependencyNames(o: pulumi.Output<unknown>): Promise<string[]> {
  const all = await (o as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources();
  const urns = await Promise.all([...all].map(urnOf));
  // "<type>::<name>" from urn:pulumi:<stack>::<project>::<parent types$type>::<name>
  return urns
    .map((u) => {
      const parts = u.split("::");
      return `${parts[2].split("$").pop()}::${parts[3]}`;
    })
    .sort();
}

/** Resolves every Output inside a value to a plain value, dropping unset (undefined) fields. */
export async function plain(v: unknown): Promise<unknown> {
  const resolved = await valueOf(pulumi.output(v as pulumi.Input<unknown>) as pulumi.Output<unknown>);
  return resolved === undefined ? undefined : JSON.parse(JSON.stringify(resolved));
}
