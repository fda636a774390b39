// The Prometheus Operator objects of a monitored cluster, as they reach the
// API server: the PrometheusRule the component builds (monitoring/objects.ts)
// and the PodMonitor the real chart renders (tests/cluster/rendered/).
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { monitoringObjects } from "../../sdk/cluster/monitoring/objects";
import { plan } from "../../sdk/cluster/plan/plan";
import { awsArgs } from "../cluster/fixtures";
import { repoRoot } from "../harness";

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** The chart-tls fixture's args (exporter and PodMonitor on) with every monitoring option set. */
export const MONITORED_ARGS = awsArgs({
  tls: { client: true, routes: true },
  service: { type: "InternalLoadBalancer" },
  monitoring: {
    prometheusExporter: true,
    podMonitor: true,
    alertThresholds: { storageWarningPercent: 75, consumerGrowthMinutes: 15 },
    labels: { release: "kube-prometheus-stack" },
  },
});

export function renderedMonitoringObjects(): KubeObject[] {
  const { rule, dashboards } = monitoringObjects(plan("events", MONITORED_ARGS));
  if (!rule) throw new Error("MONITORED_ARGS must turn the alert rules on");
  const rendered = fs.readFileSync(
    path.join(repoRoot(), "tests/cluster/rendered/chart-tls.yaml.txt"),
    "utf8",
  );
  const podMonitor = YAML.parseAllDocuments(rendered)
    .map((d) => d.toJS() as KubeObject)
    .find((o) => o?.kind === "PodMonitor");
  if (!podMonitor) throw new Error("no PodMonitor in chart-tls.yaml.txt");
  return [rule as KubeObject, podMonitor, ...dashboards];
}
