// The monitoring objects accepted by a real API server: the Prometheus
// Operator's CRDs (PodMonitor, PrometheusRule, from the operator's Go module,
// copied into .cache/monitoring-crds by scripts/install-promtool.sh) installed,
// then the rendered PrometheusRule, the chart's PodMonitor and the dashboard
// ConfigMaps server-side applied with --dry-run=server --validate=strict: the
// CRDs' OpenAPI schemas check every field, and an unknown one is an error.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";
import { renderedMonitoringObjects, type KubeObject } from "../monitoring/rendered-objects";
import { KubectlError, sharedKubePlane, type KubePlane } from "./index";

const NS = "monitoring-objects";

function crdsText(): string {
  const dir = path.join(repoRoot(), ".cache", "monitoring-crds");
  if (!fs.existsSync(path.join(dir, "VERSION")))
    throw new Error(`no operator CRDs in ${dir}: run \`bash scripts/install-promtool.sh\` first.`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
    .join("\n---\n");
}

describe("kube: the API server accepts the monitoring objects (strict validation)", function () {
  this.timeout(180_000);
  let plane: KubePlane;

  const dryRun = (o: KubeObject) =>
    plane.kubectl(
      [
        "apply",
        "--server-side",
        "--field-manager=monitoring-test",
        "--dry-run=server",
        "--validate=strict",
        "-f",
        "-",
      ],
      { input: JSON.stringify({ ...o, metadata: { ...o.metadata, namespace: NS } }) },
    );

  before(async () => {
    plane = await sharedKubePlane();
    await plane.kubectl(["create", "namespace", NS]);
    await plane.apply(crdsText());
    for (const crd of ["podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"])
      await plane.kubectl(["wait", "--for=condition=Established", "--timeout=60s", `crd/${crd}`]);
  });
  after(async () => {
    await plane?.kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
  });

  it("accepts the PrometheusRule, the PodMonitor and the dashboard ConfigMaps", async () => {
    const objects = renderedMonitoringObjects();
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      "ConfigMap",
      "ConfigMap",
      "PodMonitor",
      "PrometheusRule",
    ]);
    for (const o of objects) {
      const out = await dryRun(o);
      assert.match(out, /serverside-applied \(server dry run\)/, `${o.kind} ${o.metadata.name}: ${out}`);
    }
  });

  it("refuses a field the CRD does not have (the check has teeth)", async () => {
    const rule = renderedMonitoringObjects().find((o) => o.kind === "PrometheusRule") as KubeObject & {
      spec: { groups: { rules: Record<string, unknown>[] }[] };
    };
    rule.spec.groups[0].rules[0].severity = "critical";
    await assert.rejects(
      dryRun(rule),
      (e: unknown) => e instanceof KubectlError && /severity: field not declared in schema/.test(e.stderr),
    );
  });
});
