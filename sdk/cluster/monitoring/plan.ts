// PURE: the `monitoring` args -> what the component deploys for monitoring,
// every problem reported against its field. Called by plan/plan.ts.
import type { MonitoringArgs } from "../args";
import { show, type Issues } from "../errors";
import { GRAFANA_DASHBOARD_LABEL } from "./dashboards";
import { resolveThresholds, type AlertThresholds } from "./thresholds";

export interface MonitoringPlan {
  prometheusExporter: boolean;
  podMonitor: boolean;
  /** The PrometheusRule of rules.ts; undefined = none. */
  alertRules: { thresholds: AlertThresholds } | undefined;
  /** The dashboard ConfigMaps of dashboards.ts; undefined = none. */
  dashboards: { labels: Record<string, string>; namespace: string | undefined } | undefined;
  /** Extra labels on the PodMonitor and the PrometheusRule (what a Prometheus selects them by). */
  labels: Record<string, string>;
}

export const MONITORING_FIELDS = [
  "prometheusExporter",
  "podMonitor",
  "alertRules",
  "alertThresholds",
  "dashboards",
  "dashboardLabels",
  "dashboardNamespace",
  "labels",
];

// Kubernetes label keys (optional DNS prefix, name of at most 63) and values.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function labels(value: unknown, field: string, issues: Issues): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.add(field, `must be a map of label names to values, got ${show(value)}.`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!LABEL_KEY.test(k)) issues.add(`${field}.${k}`, "is not a valid Kubernetes label name.");
    else if (typeof v !== "string" || !LABEL_VALUE.test(v))
      issues.add(
        `${field}.${k}`,
        `must be a label value (at most 63 letters, digits, '-', '_', '.'), got ${show(v)}.`,
      );
    else out[k] = v;
  }
  return out;
}

function flag(value: unknown, field: string, fallback: boolean, issues: Issues): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    issues.add(field, `must be true or false, got ${show(value)}.`);
    return fallback;
  }
  return value;
}

export function planMonitoring(args: MonitoringArgs | undefined, issues: Issues): MonitoringPlan {
  const m = args ?? {};
  const prometheusExporter = m.prometheusExporter === true;
  const podMonitor = m.podMonitor === true;
  if (podMonitor && !prometheusExporter)
    issues.add(
      "monitoring.podMonitor",
      "needs monitoring.prometheusExporter: true (the PodMonitor scrapes the exporter).",
    );
  // On by default where the Prometheus Operator is known to be there (the PodMonitor needs its CRDs too).
  const alertRules = flag(m.alertRules, "monitoring.alertRules", podMonitor, issues);
  if (alertRules && !prometheusExporter)
    issues.add(
      "monitoring.alertRules",
      "needs monitoring.prometheusExporter: true (the rules read the exporter's metrics).",
    );
  const dashboards = flag(m.dashboards, "monitoring.dashboards", prometheusExporter, issues);
  if (dashboards && !prometheusExporter)
    issues.add(
      "monitoring.dashboards",
      "needs monitoring.prometheusExporter: true (the panels read the exporter's metrics).",
    );

  const { thresholds, problems } = resolveThresholds(m.alertThresholds);
  for (const [k, message] of problems) issues.add(`monitoring.alertThresholds.${k}`, message);
  if (m.alertThresholds !== undefined && !alertRules)
    issues.add(
      "monitoring.alertThresholds",
      "is set but monitoring.alertRules is off: no rule would use it.",
    );

  const dashboardLabels =
    m.dashboardLabels === undefined
      ? { ...GRAFANA_DASHBOARD_LABEL }
      : labels(m.dashboardLabels, "monitoring.dashboardLabels", issues);
  if (
    m.dashboardNamespace !== undefined &&
    (typeof m.dashboardNamespace !== "string" || !NAMESPACE.test(m.dashboardNamespace))
  )
    issues.add(
      "monitoring.dashboardNamespace",
      `must be a Kubernetes namespace name, got ${show(m.dashboardNamespace)}.`,
    );

  return {
    prometheusExporter,
    podMonitor,
    alertRules: alertRules ? { thresholds } : undefined,
    dashboards: dashboards ? { labels: dashboardLabels, namespace: m.dashboardNamespace } : undefined,
    labels: labels(m.labels, "monitoring.labels", issues),
  };
}
