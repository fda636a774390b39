// A gate in the suite's order (.mocharc.json): the tests after it run
// promtool, the chart's Prometheus exporter, the Prometheus Operator's CRDs
// on the control plane and the Go check of the operator's types, which
// scripts/test.sh builds in the background (after the control plane and the
// Kubernetes provider) while the tests before this file run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";
import { awaitBuilds } from "../support/background-builds";

describe("gate: the monitoring tools are built", function () {
  // Cold, promtool takes about 4 minutes on 2 cores, after the Kubernetes provider.
  this.timeout(60 * 60_000);

  it("has promtool, the exporter and the operator's CRDs in .cache", async () => {
    await awaitBuilds(["monitoring", "go-checks"]);
    const cache = path.join(repoRoot(), ".cache");
    const missing = [
      path.join(cache, "bin", "promtool"),
      path.join(cache, "bin", "prometheus-nats-exporter"),
      path.join(cache, "monitoring-crds"),
    ].filter((file) => !fs.existsSync(file));
    assert.deepEqual(missing, [], "run bash scripts/test.sh (or scripts/install-promtool.sh)");
  });
});
