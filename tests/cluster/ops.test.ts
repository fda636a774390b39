// The scale-down operations' place in the NatsCluster graph, under mocks:
// the guard before the chart (the chart depends on it, so its preview-time
// refusal comes before any change), the meta-group trim after the chart is
// ready, both as the system user with the password as a secret. What they do
// is tested on real servers in tests/ops/scale-down.test.ts.
import assert from "node:assert/strict";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { awsArgs } from "./fixtures";
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

  it("registers neither without a system user (auth off), and no guard with a load balancer (no address before the chart)", async () => {
    const off = await build(awsArgs({ auth: { enabled: false } }));
    assert.equal(of(off, GUARD).length + of(off, TRIM).length, 0);
    const lb = await build(awsArgs({ service: { type: "InternalLoadBalancer" } }));
    assert.equal(of(lb, GUARD).length, 0);
    assert.equal(of(lb, TRIM).length, 1);
  });
});
