// Every cloud example runs under Pulumi's mocks (a preview): the resource
// graph it would create is asserted, including that the JetStream resources
// wait for the cluster (their connection depends on the chart).
import assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildCluster } from "../cluster/mocks";
import type { Registered } from "../cluster/mocks";
import { repoRoot } from "../harness";

/** Runs an example's compiled program afresh under the mocks. */
async function runExample(name: string, config: Record<string, string> = {}) {
  const file = path.join(repoRoot(), "bin", "examples", name, "index.js");
  delete require.cache[require.resolve(file)];
  // The SDK reads $PULUMI_CONFIG once per process, when its state is first made: set the config
  // in that state, so each run sees its own (the mocks name the project "project").
  pulumi.runtime.setAllConfig(config);
  try {
    return await buildCluster(() => require(file));
  } finally {
    pulumi.runtime.setAllConfig({});
  }
}

const ofType = (regs: Registered[], type: string) => regs.filter((r) => r.type === type);

describe("examples under Pulumi mocks", function () {
  this.timeout(30_000);

  it("aws: a VPC-backed EKS cluster, one NATS node group per zone, the chart and the tutorial's assets", async () => {
    const { registered } = await runExample("aws", { "aws:region": "us-east-1" });
    assert.equal(ofType(registered, "aws:eks/cluster:Cluster").length, 1);
    assert.equal(ofType(registered, "aws:ec2/vpc:Vpc").length, 1);
    const natsGroups = ofType(registered, "aws:eks/nodeGroup:NodeGroup").filter((g) =>
      JSON.stringify(g.inputs.taints ?? []).includes("dedicated"),
    );
    assert.equal(natsGroups.length, 3);
    assert.equal(ofType(registered, "kubernetes:helm.sh/v4:Chart").length, 1);
    assert.equal(ofType(registered, "kubernetes:storage.k8s.io/v1:StorageClass").length, 1);
    const dynamic = registered
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jetstream:"))
      .map((r) => r.name);
    assert.deepEqual(dynamic.sort(), ["event-processor", "events", "settings"]);
  });

  it("gcp: a GKE cluster and one node pool across the three zones", async () => {
    const { registered } = await runExample("gcp", { "gcp:project": "demo-project" });
    assert.equal(ofType(registered, "gcp:container/cluster:Cluster").length, 1);
    const pools = ofType(registered, "gcp:container/nodePool:NodePool").filter((p) =>
      JSON.stringify((p.inputs.nodeConfig as { taints?: unknown } | undefined)?.taints ?? []).includes(
        "dedicated",
      ),
    );
    assert.equal(pools.length, 1);
    assert.deepEqual(pools[0].inputs.nodeLocations, ["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
    assert.equal(ofType(registered, "kubernetes:helm.sh/v4:Chart").length, 1);
  });

  it("gcp: deletion protection on by default, off with `pulumi config set deletionProtection false` (README's tear-down)", async () => {
    const protectedRun = await runExample("gcp", { "gcp:project": "demo-project" });
    assert.equal(
      ofType(protectedRun.registered, "gcp:container/cluster:Cluster")[0].inputs.deletionProtection,
      true,
    );
    const teardown = await runExample("gcp", {
      "gcp:project": "demo-project",
      "project:deletionProtection": "false",
    });
    assert.equal(
      ofType(teardown.registered, "gcp:container/cluster:Cluster")[0].inputs.deletionProtection,
      false,
    );
  });

  it("existing-cluster: no cloud resource, only Kubernetes objects and JetStream assets", async () => {
    const { registered } = await runExample("existing-cluster", {
      "project:zones": JSON.stringify(["a", "b", "c"]),
      // Required with port-forward access (the forward never uses the current kubectl context).
      "project:kubeconfig": "apiVersion: v1\nkind: Config\n",
    });
    const cloud = registered.filter((r) => r.type.startsWith("aws:") || r.type.startsWith("gcp:"));
    assert.deepEqual(cloud, []);
    assert.equal(ofType(registered, "kubernetes:helm.sh/v4:Chart").length, 1);
    const dynamic = registered
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jetstream:"))
      .map((r) => r.name);
    assert.deepEqual(dynamic.sort(), ["billing", "orders"]);
  });

  it("tenants: two accounts, a Secret per user, the streams created through ACME's user", async () => {
    const { registered } = await runExample("tenants", {
      "project:kubeconfig": "apiVersion: v1\nkind: Config\n",
    });
    const userSecrets = ofType(registered, "kubernetes:core/v1:Secret")
      .map((r) => (r.inputs.metadata as { name: string }).name)
      .filter((n) => n.startsWith("shared-user-"))
      .sort();
    assert.deepEqual(userSecrets, [
      "shared-user-acme-app",
      "shared-user-acme-device",
      "shared-user-globex-app",
    ]);
    const streams = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/jetstream:Stream");
    assert.deepEqual(
      streams.map((r) => r.name),
      ["acme-orders"],
    );
    // The stream's connection is ACME's user (its public part; the password travels as a secret).
    const conn = streams[0].inputs.connection as { user?: string; account?: { name: string } };
    assert.equal(conn.user, "acme-app");
    assert.equal(conn.account?.name, "ACME");
  });
});
