// PURE: a cluster's plan -> the monitoring objects the component creates (the
// PrometheusRule and the dashboard ConfigMaps). The PodMonitor is the chart's
// (promExporter.podMonitor in chart/values.ts).
import type { ClusterPlan } from "../plan/types";
import { dashboardConfigMaps, type DashboardConfigMap } from "./dashboards";
import { prometheusRule, type MonitoredCluster, type PrometheusRuleObject } from "./rules";

export interface MonitoringObjects {
  rule: PrometheusRuleObject | undefined;
  dashboards: DashboardConfigMap[];
}

/** What the rules and dashboards watch, read from the plan (JetStream as the chart's values have it). */
export function monitoredCluster(p: ClusterPlan): MonitoredCluster {
  const config = (p.chart.values as { config?: { jetstream?: { enabled?: unknown } } }).config;
  return {
    release: p.names.release,
    namespace: p.namespace,
    statefulSet: p.names.statefulSet,
    replicas: p.replicas,
    // The chart runs the exporter with -jsz only when config.jetstream.enabled.
    jetstream: config?.jetstream?.enabled === true,
  };
}

export function monitoringObjects(p: ClusterPlan): MonitoringObjects {
  const { alertRules, dashboards, labels } = p.monitoring;
  const cluster = monitoredCluster(p);
  return {
    rule: alertRules ? prometheusRule(cluster, alertRules.thresholds, labels) : undefined,
    dashboards: dashboards ? dashboardConfigMaps(cluster, dashboards.labels, dashboards.namespace) : [],
  };
}
