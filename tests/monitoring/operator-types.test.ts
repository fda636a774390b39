// The rendered PrometheusRule and PodMonitor decoded strictly (unknown fields
// are errors) into the Prometheus Operator's published Go types, by the Go
// test of scripts/monitoring-types (module
// github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring v0.95.2).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { makeTempDir, repoRoot } from "../harness";
import { renderedMonitoringObjects } from "./rendered-objects";

const run = promisify(execFile);

describe("monitoring: the Prometheus Operator's Go types accept the rendered objects", function () {
  // The first build of the module compiles k8s.io/apimachinery (about 1.5 minutes here);
  // scripts/test.sh runs the same `go test` (go-checks) before the control-plane gate, so the cache is warm.
  this.timeout(600_000);

  it("decodes the PrometheusRule and the PodMonitor with DisallowUnknownFields", async () => {
    // A folder of its own: the temp dir also holds the harness' owner file.
    const dir = path.join(makeTempDir("monitoring-objects-"), "objects");
    fs.mkdirSync(dir);
    const objects = renderedMonitoringObjects().filter((o) => o.apiVersion === "monitoring.coreos.com/v1");
    assert.deepEqual(objects.map((o) => o.kind).sort(), ["PodMonitor", "PrometheusRule"]);
    for (const o of objects)
      fs.writeFileSync(path.join(dir, `${o.kind}-${o.metadata.name}.json`), JSON.stringify(o));
    const { stdout } = await run(
      "go",
      ["test", "-trimpath", "-count=1", "-run", "TestRenderedObjects", "-v", "./..."],
      {
        cwd: path.join(repoRoot(), "scripts/monitoring-types"),
        env: { ...process.env, CGO_ENABLED: "0", MONITORING_OBJECTS: dir },
        maxBuffer: 16 << 20,
      },
    ).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`go test failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    });
    assert.match(stdout, /decoded strictly: map\[PodMonitor:1 PrometheusRule:1\]/);
    assert.match(stdout, /--- PASS: TestRenderedObjects/);
  });
});
