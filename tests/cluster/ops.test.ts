// The scale-down operations' place in the NatsCluster graph, under mocks:
// the guard before the chart (the chart depends on it, so its preview-time
// refusal comes before any change), the meta-group trim after the chart is
// ready, both as the system user with the password as a secret. What they do
// is tested on real servers in tests/ops/scale-down.test.ts.
import assert from "node:assert/strict";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { awsArgs } from "./fixtures";
import { opsHandlers } from "../../sdk/cluster/ops/handlers";
import { orphanStatefulSet } from "../../sdk/cluster/ops/storage-growth";
import { buildCluster, dependencyNames, isSecret, plain, urnOf, type Build, type Captured } from "./mocks";

type Cluster = import("../../sdk/cluster/component").NatsCluster;
async function build(args: NatsClusterArgs): Promise<Build<Cluster>> {
  const { NatsCluster } = await import("../../sdk/cluster/component");
  return buildCluster((transformations) => new NatsCluster("events", args, { transformations }), {
    preview: true,
  });
}

const GUARD = "pulumi-nodejs:dynamic/cluster:ScaleDownGuard";
const TRIM = "pulumi-nodejs:dynamic/cluster:MetaGroupTrim";
const GROWTH = "pulumi-nodejs:dynamic/cluster:VolumeGrowth";
const of = (b: Build<unknown>, type: string): Captured[] => b.captured.filter((c) => c.type === type);

describe("NatsCluster scale-down operations under mocks", function () {
  this.timeout(30_000);

  it("registers the guard before the chart (the chart depends on it) and the trim after the chart, as the system user", async () => {
    const b = await build(awsArgs({ replicas: 3 }));
    const [guard] = of(b, GUARD);
    const [trim] = of(b, TRIM);
    assert.ok(guard && trim, "both operations are registered");
    const chart = of(b, "kubernetes:helm.sh/v4:Chart")[0];
    const chartDeps = await Promise.all(chart.dependsOn.map(urnOf));
    assert.ok(
      chartDeps.some((u) => u.endsWith("::events-scale-down-guard")),
      chartDeps.join(", "),
    );
    const g = (await plain(guard.props)) as Record<string, unknown>;
    const conn = g.connection as Record<string, unknown>;
    assert.equal(g.statefulSet, "events");
    assert.equal(g.replicas, 3);
    assert.equal(g.timeout, "5m");
    assert.equal(conn.user, "sys");
    assert.match(String((conn.servers as string[])[0]), /^nats:\/\/127\.0\.0\.1:1[45]\d{3}$/);
    assert.deepEqual((conn.portForward as Record<string, unknown>).release, "events");
    assert.ok(await isSecret(guard.props.credentials));
    assert.equal(
      ((await plain(guard.props.credentials)) as { password: string }).password,
      "pweventssystempassword",
    );
    // The trim's connection waits for the chart to be ready.
    const deps = await dependencyNames(trim.props.connection as never);
    assert.ok(deps.includes("kubernetes:helm.sh/v4:Chart::events"), deps.join(", "));
    assert.ok(await isSecret(trim.props.credentials));
  });

  it("registers the volume growth before the chart (the chart depends on it), with the claims' size and template and the kubeconfig as a secret", async () => {
    const b = await build(awsArgs({ jetstream: { fileStorage: "20Gi" } }));
    const [growth] = of(b, GROWTH);
    assert.ok(growth, "the volume growth is registered");
    const chart = of(b, "kubernetes:helm.sh/v4:Chart")[0];
    const chartDeps = await Promise.all(chart.dependsOn.map(urnOf));
    assert.ok(
      chartDeps.some((u) => u.endsWith("::events-volume-growth")),
      chartDeps.join(", "),
    );
    const g = (await plain({ ...growth.props, credentials: undefined, __provider: undefined })) as Record<
      string,
      unknown
    >;
    assert.deepEqual(g, {
      namespace: "nats",
      statefulSet: "events",
      template: "events-js",
      replicas: 3,
      size: "20Gi",
      timeout: "5m",
    });
    assert.ok(await isSecret(growth.props.credentials));
    assert.match(
      ((await plain(growth.props.credentials)) as { kubeconfig: string }).kubeconfig,
      /eks","get-token"/,
    );
  });

  it("transforms only the chart's StatefulSet: orphan deletion on replacement, delete first", () => {
    const sts = orphanStatefulSet({
      type: "kubernetes:apps/v1:StatefulSet",
      name: "events",
      props: { metadata: { name: "events", annotations: { a: "b" } }, spec: { replicas: 3 } },
      opts: {},
    } as never) as { props: Record<string, unknown>; opts: Record<string, unknown> };
    assert.deepEqual(sts.props, {
      metadata: {
        name: "events",
        annotations: { a: "b", "pulumi.com/deletionPropagationPolicy": "orphan" },
      },
      spec: { replicas: 3 },
    });
    assert.equal(sts.opts.deleteBeforeReplace, true);
    assert.equal(
      orphanStatefulSet({ type: "kubernetes:core/v1:ConfigMap", name: "c", props: {}, opts: {} } as never),
      undefined,
    );
  });

  it("refuses shrinking the volumes at preview, naming jetstream.fileStorage", async () => {
    const growth = opsHandlers("volumeGrowth");
    const props = (size: string) => ({
      namespace: "nats",
      statefulSet: "events",
      template: "events-js",
      replicas: 3,
      size,
      timeout: "5m",
      credentials: {},
    });
    const checked = await growth.check(props("20Gi"), props("10Gi"));
    assert.deepEqual(checked.failures, [
      {
        property: "size",
        reason:
          "jetstream.fileStorage: 10Gi is smaller than the volumes' current 20Gi; Kubernetes volumes cannot shrink. Keep 20Gi (or more); to use smaller volumes, create a new cluster and migrate the streams.",
      },
    ]);
    assert.deepEqual((await growth.check(props("20Gi"), props("30Gi"))).failures, []);
    assert.deepEqual((await growth.check({}, props("10Gi"))).failures, []);
    assert.deepEqual(await growth.diff("x", props("20Gi"), props("20Gi")), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("registers neither without a system user (auth off), and no guard with a load balancer (no address before the chart)", async () => {
    const off = await build(awsArgs({ auth: { enabled: false } }));
    assert.equal(of(off, GUARD).length + of(off, TRIM).length, 0);
    const lb = await build(awsArgs({ service: { type: "InternalLoadBalancer" } }));
    assert.equal(of(lb, GUARD).length, 0);
    assert.equal(of(lb, TRIM).length, 1);
  });
});
