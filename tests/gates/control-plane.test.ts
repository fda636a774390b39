// A gate in the suite's order (.mocharc.json): the tests after it run the
// Kubernetes control plane (not yet the Kubernetes provider: see
// kubernetes-provider.test.ts), promtool, the chart's exporter or the Go
// check of the Prometheus Operator types, which scripts/test.sh builds in the
// background while the tests before this file run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";
import { awaitBuilds } from "../support/background-builds";
import { CONTROL_PLANE_BINARIES, kubeBinDir } from "../kube/binaries";

describe("gate: the control plane and the monitoring tools are built", function () {
  // Cold, the Kubernetes binaries take about 10 minutes on 2 cores, after the CLI.
  this.timeout(60 * 60_000);

  it("has the control plane, kwok, promtool and the exporter in .cache", async () => {
    await awaitBuilds(["kube-plane", "monitoring", "go-checks"]);
    const tools = [
      ...CONTROL_PLANE_BINARIES.map((name) => path.join(kubeBinDir(), name)),
      ...["promtool", "prometheus-nats-exporter"].map((name) => path.join(repoRoot(), ".cache", "bin", name)),
    ];
    const missing = tools.filter((file) => !fs.existsSync(file));
    assert.deepEqual(
      missing,
      [],
      "run bash scripts/test.sh (or scripts/install-kube.sh plane and scripts/install-promtool.sh)",
    );
  });
});
