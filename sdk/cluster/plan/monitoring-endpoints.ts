// Where monitoring reaches the servers, as the chart 2.14.2 names it: the
// HTTP monitoring port on the headless Service (one DNS name per server),
// the Prometheus exporter's port and path on each pod when the exporter runs,
// and the PodMonitor the chart creates. Published as the component's
// `monitoringEndpoints` output, so a program wires Prometheus, probes or
// dashboards to them without repeating the chart's names.
// tests/cluster/monitoring-endpoints.test.ts checks them against a real render.
import type { ClusterNames } from "./types";

/** The servers' monitoring port (the chart's `config.monitor.port`, set by chart/values.ts). */
export const MONITOR_PORT = 8222;
/** The exporter sidecar's port (the chart's `promExporter.port` default) and its path. */
export const METRICS_PORT = 7777;
export const METRICS_PATH = "/metrics";

/** How monitoring reaches the servers. */
export interface MonitoringEndpoints {
  /** The Service carrying the monitoring port: the headless Service, one DNS name per server (`<pod>.<service>`). */
  service: string;
  /** The servers' HTTP monitoring port (/healthz, /varz, /jsz, /connz, /routez). */
  port: number;
  /** That port's name on the pods and the Service. */
  portName: string;
  /** The Prometheus exporter's port on each pod; undefined when `monitoring.prometheusExporter` is off. */
  metricsPort?: number;
  /** That port's name on the pods (what the PodMonitor scrapes); undefined when the exporter is off. */
  metricsPortName?: string;
  /** The exporter's metrics path; undefined when the exporter is off. */
  metricsPath?: string;
  /** The PodMonitor's name, in the cluster's namespace; undefined when `monitoring.podMonitor` is off. */
  podMonitorName?: string;
}

export function monitoringEndpoints(
  names: ClusterNames,
  monitoring: { prometheusExporter: boolean; podMonitor: boolean },
): MonitoringEndpoints {
  return {
    service: names.headlessService,
    port: MONITOR_PORT,
    portName: "monitor",
    ...(monitoring.prometheusExporter
      ? { metricsPort: METRICS_PORT, metricsPortName: "prom-metrics", metricsPath: METRICS_PATH }
      : {}),
    // The chart names it after its full name, our release (fullnameOverride).
    ...(monitoring.prometheusExporter && monitoring.podMonitor ? { podMonitorName: names.release } : {}),
  };
}
