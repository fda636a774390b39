// Issue 16, points 4, 5, 8 and 11: sizes nats-server can parse (checked with
// the real binary's config test mode), a memory store that fits in the memory
// limit, raw chart values that cannot drop what the component owns or carry
// the wrong type, and the smaller production defaults.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { plan } from "../../sdk/cluster/plan/plan";
import { NATS_SIZE_UNITS, parseBytes } from "../../sdk/cluster/plan/quantity";
import { binaries } from "../harness";
import { awsArgs } from "./fixtures";
import { buildCluster } from "./mocks";

function issues(args: NatsClusterArgs): Record<string, string> {
  try {
    plan("events", args);
  } catch (e) {
    assert.ok(e instanceof NatsClusterArgsError, String(e));
    return Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
  }
  assert.fail("plan() accepted the args");
}

/** `nats-server -t` on a jetstream block: the reported config hash, or the parse error. */
function natsConfigTest(dir: string, maxMemoryStore: string): { ok: boolean; out: string } {
  const file = path.join(dir, "c.conf");
  fs.writeFileSync(
    file,
    `jetstream { store_dir: ${JSON.stringify(path.join(dir, "js"))}, max_memory_store: ${maxMemoryStore} }\n`,
  );
  const r = spawnSync(binaries().server, ["-t", "-c", file], { encoding: "utf8" });
  const out = `${r.stdout}${r.stderr}`.trim();
  return { ok: r.status === 0 && /is valid/.test(out), out };
}

describe("memory store sizes nats-server parses (point 4)", () => {
  let dir = "";
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "nats-sizes-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("accepts every unit form, and each means to nats-server the bytes the planner counts", () => {
    for (const unit of NATS_SIZE_UNITS) {
      const size = unit === "" ? "268435456" : `3${unit}`;
      const big = { requests: { cpu: "1", memory: "16Pi" } };
      const p = plan("events", awsArgs({ jetstream: { memoryStorage: size }, resources: big }));
      const values = p.chart.values as { config: { jetstream: { memoryStore: { maxSize: string } } } };
      const rendered = values.config.jetstream.memoryStore.maxSize;
      const asWritten = natsConfigTest(dir, rendered);
      assert.ok(asWritten.ok, `${rendered}: ${asWritten.out}`);
      // The config hash is over the parsed config: equal hashes = the same number of bytes.
      const asBytes = natsConfigTest(dir, String(parseBytes(size)));
      assert.equal(asWritten.out.match(/sha256:\w+/)?.[0], asBytes.out.match(/sha256:\w+/)?.[0], rendered);
    }
  });

  it('refuses "1.5Gi" (which no nats-server parses) naming the field and the whole-unit form', () => {
    assert.equal(natsConfigTest(dir, "1.5Gi").ok, false, "nats-server parses 1.5Gi after all");
    const found = issues(awsArgs({ jetstream: { memoryStorage: "1.5Gi" }, resources: "xlarge" }));
    assert.match(found["jetstream.memoryStorage"], /"1\.5Gi" is not a whole number .* write "1536Mi"/);
  });
});

describe("a memory store that fits in the memory limit (point 5)", () => {
  it("refuses nano (128Mi) with a 1Gi memory store, naming the field and the rule", () => {
    const found = issues(awsArgs({ resources: "nano", jetstream: { memoryStorage: "1Gi" } }));
    assert.match(
      found["jetstream.memoryStorage"],
      /1Gi does not fit in the memory limit 128Mi: a full memory store may take at most half of it \(64Mi\)/,
    );
  });

  it("accepts half the limit exactly, and checks explicit limits too", () => {
    plan("events", awsArgs({ resources: "large", jetstream: { memoryStorage: "1Gi" } }));
    const found = issues(
      awsArgs({
        resources: { requests: { cpu: "2", memory: "2Gi" }, limits: { memory: "3Gi" } },
        jetstream: { memoryStorage: "2Gi" },
      }),
    );
    assert.match(found["jetstream.memoryStorage"], /memory limit 3Gi.*\(1536Mi\)/);
  });

  it("creates nothing when it does not fit", async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    let error: unknown;
    const b = await buildCluster((transformations) => {
      try {
        return new NatsCluster(
          "events",
          awsArgs({ resources: "nano", jetstream: { memoryStorage: "1Gi" } }),
          {
            transformations,
          },
        );
      } catch (e) {
        error = e;
        return undefined;
      }
    });
    assert.match(String(error), /jetstream\.memoryStorage: 1Gi does not fit/);
    assert.deepEqual(b.registered, []);
  });
});

describe("raw chart values cannot drop what the component owns (point 8)", () => {
  type Spec = { tolerations: { key: string }[]; initContainers: { name: string }[] };
  const spec = (v: Record<string, unknown>) => (v.podTemplate as { merge: { spec: Spec } }).merge.spec;

  it("appends a user's tolerations and init containers to the component's", () => {
    const p = plan(
      "events",
      awsArgs({
        chart: {
          values: {
            podTemplate: {
              merge: {
                spec: {
                  tolerations: [{ key: "spot", operator: "Exists" }],
                  initContainers: [{ name: "warmup", image: "busybox:1.37" }],
                },
              },
            },
          },
        },
      }),
    );
    assert.deepEqual(
      spec(p.chart.values).tolerations.map((t) => t.key),
      ["pulumi-nats/dedicated", "spot"],
    );
    assert.deepEqual(
      spec(p.chart.values).initContainers.map((c) => c.name),
      ["zone-tag", "warmup"],
    );
  });

  it("refuses lists that would replace the chart's or the component's, naming each key", () => {
    const found = issues(
      awsArgs({
        chart: {
          values: {
            container: { merge: { volumeMounts: [{ name: "x", mountPath: "/x" }], env: [] } },
            podTemplate: { merge: { spec: { volumes: [], topologySpreadConstraints: [] } } },
            statefulSet: { merge: { spec: { volumeClaimTemplates: [] } } },
          },
        },
      }),
    );
    assert.match(found["chart.values.container.merge.volumeMounts"], /would replace the config, pid, data/);
    assert.match(found["chart.values.container.merge.env"], /use container\.env/);
    assert.match(found["chart.values.podTemplate.merge.spec.volumes"], /podTemplate\.patch/);
    assert.match(
      found["chart.values.podTemplate.merge.spec.topologySpreadConstraints"],
      /podTemplate\.topologySpreadConstraints/,
    );
    assert.match(found["chart.values.statefulSet.merge.spec.volumeClaimTemplates"], /jetstream\.fileStorage/);
  });

  it("type-checks scalars against the chart's defaults", () => {
    const found = issues(
      awsArgs({
        chart: {
          values: {
            config: { cluster: { replicas: "three" }, monitor: { enabled: "yes" } },
            container: { image: { tag: 2.14 } },
          },
        },
      }),
    );
    assert.equal(
      found["chart.values.config.cluster.replicas"],
      'must be a number, like its default 3, got "three".',
    );
    assert.match(found["chart.values.config.monitor.enabled"], /must be a boolean/);
    assert.match(
      found["chart.values.container.image.tag"],
      /must be a string, like its default "2\.14\.2-alpine"/,
    );
  });
});

describe("smaller production settings (point 11)", () => {
  it("warns about an internal load balancer without client TLS, not with it", () => {
    const plain = plan("events", awsArgs({ service: { type: "InternalLoadBalancer" } }));
    assert.ok(
      plain.warnings.some((w) => /service\.type InternalLoadBalancer without tls\.client/.test(w)),
      plain.warnings.join("\n"),
    );
    const tls = plan("events", awsArgs({ service: { type: "InternalLoadBalancer" }, tls: { client: true } }));
    assert.ok(!tls.warnings.some((w) => /without tls\.client/.test(w)));
  });

  it("sets a priority class on the pods when asked, and refuses a malformed one", () => {
    const p = plan("events", awsArgs({ priorityClassName: "nats-critical" }));
    assert.equal(
      (p.chart.values.podTemplate as { merge: { spec: { priorityClassName: string } } }).merge.spec
        .priorityClassName,
      "nats-critical",
    );
    assert.match(issues(awsArgs({ priorityClassName: "Not Valid" })).priorityClassName, /PriorityClass/);
  });

  it("pins the zone init image and bounds its API call", () => {
    const p = plan("events", awsArgs());
    assert.match(p.zoneDiscoveryImage, /^curlimages\/curl:\d+\.\d+\.\d+$/);
    const script = (
      p.chart.values.podTemplate as { merge: { spec: { initContainers: { command: string[] }[] } } }
    ).merge.spec.initContainers[0].command[2];
    assert.match(script, /--connect-timeout 5 --max-time 15 --retry 5 --retry-delay 2 --retry-all-errors/);
  });
});

describe("the NetworkPolicy's ports (point 1)", () => {
  it("admits 7222, 7422 and 7777 from anywhere only where the gateway, leaf nodes and exporter are on", () => {
    const open = (args: NatsClusterArgs) =>
      plan("events", args).networkPolicy!.spec.ingress[0].ports.map((x) => x.port);
    assert.deepEqual(open(awsArgs()), [4222]);
    assert.deepEqual(
      open(awsArgs({ leafnodes: {}, monitoring: { prometheusExporter: true } })),
      [4222, 7422, 7777],
    );
    const routes = plan("events", awsArgs({ leafnodes: {} })).networkPolicy!.spec.ingress[1];
    assert.deepEqual(
      routes.ports.map((x) => x.port),
      [6222, 8222],
    );
    assert.equal(plan("events", awsArgs({ networkPolicy: false })).networkPolicy, undefined);
  });
});
