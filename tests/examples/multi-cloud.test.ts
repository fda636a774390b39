// examples/multi-cloud under Pulumi's mocks (a preview): an EKS and a GKE
// cluster joined into a super-cluster, each chart listing the other's gateway,
// the stream placed in aws and its mirror in gcp.
import assert from "node:assert/strict";
import * as path from "node:path";
import { buildCluster } from "../cluster/mocks";
import { repoRoot } from "../harness";

describe("examples/multi-cloud under Pulumi mocks", function () {
  this.timeout(30_000);

  it("joins an EKS and a GKE cluster through gateways, ORDERS in aws and ORDERS_DR in gcp", async () => {
    const file = path.join(repoRoot(), "bin", "examples", "multi-cloud", "index.js");
    delete require.cache[require.resolve(file)];
    process.env.PULUMI_CONFIG = JSON.stringify({ "aws:region": "us-east-1", "gcp:project": "demo-project" });
    let b;
    try {
      b = await buildCluster(() => require(file));
    } finally {
      delete process.env.PULUMI_CONFIG;
    }
    const { registered } = b;
    const ofType = (t: string) => registered.filter((r) => r.type === t);
    assert.equal(ofType("aws:eks/cluster:Cluster").length, 1);
    assert.equal(ofType("gcp:container/cluster:Cluster").length, 1);
    // Protected until the README's tear-down turns it off (config gcpDeletionProtection).
    assert.equal(ofType("gcp:container/cluster:Cluster")[0].inputs.deletionProtection, true);
    assert.deepEqual(
      ofType("kubernetes:helm.sh/v4:Chart")
        .map((c) => c.name)
        .sort(),
      ["events-aws", "events-gcp"],
    );
    for (const [self, other] of [
      ["aws", "gcp"],
      ["gcp", "aws"],
    ]) {
      const chart = registered.find(
        (c) => c.type === "kubernetes:helm.sh/v4:Chart" && c.name === `events-${self}`,
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const v = chart.inputs.values as any;
      assert.deepEqual(v.config.gateway.merge.gateways, [
        { name: other, urls: [`nats://events-${other}-gateway.lb.example.com:7222`] },
      ]);
    }
    const streams = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/jetstream:Stream");
    const byName = Object.fromEntries(streams.map((s) => [s.name, s.inputs]));
    assert.deepEqual(byName["orders"].placement, { cluster: "aws" });
    assert.deepEqual(byName["orders-dr"].placement, { cluster: "gcp" });
    assert.deepEqual(byName["orders-dr"].mirror, { name: "ORDERS" });
  });
});
