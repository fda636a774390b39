// A gate in the suite's order (.mocharc.json): the tests after it deploy
// NatsCluster on the control plane through the real CLI and the Kubernetes
// provider plugin, which scripts/test.sh builds in the background (last of
// the slow builds) while the control plane's own tests run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { awaitBuilds } from "../support/background-builds";
import { kubeBinDir } from "../kube/binaries";

describe("gate: the Kubernetes provider plugin is built", function () {
  // Cold, the provider takes about 10 minutes on 2 cores, after the control plane.
  this.timeout(60 * 60_000);

  it("has pulumi-resource-kubernetes in .cache/kube/bin", async () => {
    await awaitBuilds(["kube-provider"]);
    const plugin = path.join(kubeBinDir(), "pulumi-resource-kubernetes");
    assert.ok(fs.existsSync(plugin), `${plugin} is missing: run bash scripts/install-kube.sh provider`);
  });
});
