// A gate in the suite's order (.mocharc.json): the tests after it run the
// Kubernetes control plane (not yet the Kubernetes provider: see
// kubernetes-provider.test.ts), which scripts/test.sh builds in the
// background while the tests before this file run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { awaitBuilds } from "../support/background-builds";
import { CONTROL_PLANE_BINARIES, kubeBinDir } from "../kube/binaries";

describe("gate: the control plane is built", function () {
  // Cold, the Kubernetes binaries take about 10 minutes on 2 cores, after the CLI.
  this.timeout(60 * 60_000);

  it("has etcd, the Kubernetes binaries and kwok in .cache/kube/bin", async () => {
    await awaitBuilds(["kube-plane"]);
    const missing = CONTROL_PLANE_BINARIES.map((name) => path.join(kubeBinDir(), name)).filter(
      (file) => !fs.existsSync(file),
    );
    assert.deepEqual(missing, [], "run bash scripts/test.sh (or scripts/install-kube.sh plane)");
  });
});
