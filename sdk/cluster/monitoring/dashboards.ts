// PURE builder: one NATS cluster -> two Grafana dashboards (cluster overview,
// JetStream) as ConfigMaps in the form Grafana's dashboard sidecar loads
// (kiwigrid k8s-sidecar, as deployed by the grafana and kube-prometheus-stack
// charts: it watches ConfigMaps carrying the label `grafana_dashboard: "1"` and
// writes each data key, a dashboard JSON, into Grafana's provisioning folder).
// The queries read the names of metrics.ts, scoped to this cluster's pods like
// the alert rules (rules.ts).
import { JSZ_ACCOUNT, JSZ_CONSUMER, JSZ_STREAM, VARZ } from "./metrics";
import type { MonitoredCluster } from "./rules";

/** The label (and value) Grafana's sidecar selects dashboards by, unless the user names another. */
export const GRAFANA_DASHBOARD_LABEL: Readonly<Record<string, string>> = { grafana_dashboard: "1" };

export interface DashboardTarget {
  expr: string;
  legendFormat: string;
  refId: string;
  datasource: { type: "prometheus"; uid: "${datasource}" };
}

export interface DashboardPanel {
  id: number;
  type: "timeseries" | "stat";
  title: string;
  description: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: "prometheus"; uid: "${datasource}" };
  fieldConfig: { defaults: { unit: string; min?: number; max?: number }; overrides: [] };
  options: Record<string, unknown>;
  targets: DashboardTarget[];
}

/** The subset of Grafana's dashboard model this project writes. */
export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  editable: boolean;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Record<string, unknown>[] };
  panels: DashboardPanel[];
}

export interface DashboardConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  type?: "stat";
  max?: number;
  queries: [expr: string, legend: string][];
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

/** Lays the panels out two per row (a stat panel takes a third of a row, half the height). */
function panels(specs: PanelSpec[]): DashboardPanel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((s, i) => {
    const w = s.type === "stat" ? 8 : 12;
    const h = s.type === "stat" ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    rowHeight = Math.max(rowHeight, h);
    const panel: DashboardPanel = {
      id: i + 1,
      type: s.type ?? "timeseries",
      title: s.title,
      description: s.description,
      gridPos: { x, y, w, h },
      datasource: DATASOURCE,
      fieldConfig: {
        defaults: { unit: s.unit, ...(s.max !== undefined ? { min: 0, max: s.max } : {}) },
        overrides: [],
      },
      options:
        s.type === "stat"
          ? { reduceOptions: { calcs: ["lastNotNull"] }, colorMode: "value" }
          : { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
      targets: s.queries.map(([expr, legendFormat], j) => ({
        expr,
        legendFormat,
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
      })),
    };
    x += w;
    return panel;
  });
}

function dashboard(cluster: MonitoredCluster, key: string, title: string, specs: PanelSpec[]): Dashboard {
  return {
    // Grafana uids are at most 40 characters.
    uid: `nats-${key}-${cluster.namespace}-${cluster.release}`.slice(0, 40),
    title: `NATS ${cluster.namespace}/${cluster.release}: ${title}`,
    tags: ["nats", cluster.release],
    schemaVersion: 39,
    editable: false,
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    templating: {
      list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" }],
    },
    panels: panels(specs),
  };
}

/** Cluster overview: servers, routes, connections, message and byte rates. */
export function clusterDashboard(cluster: MonitoredCluster): Dashboard {
  const sel = `namespace="${cluster.namespace}", pod=~"${cluster.statefulSet}-[0-9]+"`;
  return dashboard(cluster, "cluster", "cluster", [
    {
      title: "Servers up",
      description: `Exporters answering, of ${cluster.replicas} replicas.`,
      unit: "none",
      type: "stat",
      queries: [[`sum(up{${sel}})`, "servers"]],
    },
    {
      title: "Connections",
      description: "Client connections per server.",
      unit: "none",
      type: "stat",
      queries: [[`sum(${VARZ.connections}{${sel}})`, "connections"]],
    },
    {
      title: "Slow consumers (5m)",
      description: "Clients cut off for not reading fast enough.",
      unit: "none",
      type: "stat",
      queries: [[`sum(increase(${VARZ.slowConsumers}{${sel}}[5m]))`, "slow consumers"]],
    },
    {
      title: "Routes per server",
      description: "Route connections to the other servers (4 per peer).",
      unit: "none",
      queries: [[`${VARZ.routes}{${sel}}`, "{{pod}}"]],
    },
    {
      title: "Connections per server",
      description: "Client connections.",
      unit: "none",
      queries: [[`${VARZ.connections}{${sel}}`, "{{pod}}"]],
    },
    {
      title: "Messages per second",
      description: "Messages received and sent by each server.",
      unit: "short",
      queries: [
        [`rate(${VARZ.inMsgs}{${sel}}[1m])`, "in {{pod}}"],
        [`rate(${VARZ.outMsgs}{${sel}}[1m])`, "out {{pod}}"],
      ],
    },
    {
      title: "Bytes per second",
      description: "Payload bytes received and sent by each server.",
      unit: "Bps",
      queries: [
        [`rate(${VARZ.inBytes}{${sel}}[1m])`, "in {{pod}}"],
        [`rate(${VARZ.outBytes}{${sel}}[1m])`, "out {{pod}}"],
      ],
    },
  ]);
}

/** JetStream: store use against limits (per server, account, stream), consumer lag. */
export function jetstreamDashboard(cluster: MonitoredCluster): Dashboard {
  const sel = `namespace="${cluster.namespace}", pod=~"${cluster.statefulSet}-[0-9]+"`;
  const percentOf = (used: string, limit: string, by: string) =>
    `max by (${by}) (${used}{${sel}} / (${limit}{${sel}} > 0)) * 100`;
  const stream = "account, stream_name";
  const consumer = "account, stream_name, consumer_name";
  return dashboard(cluster, "jetstream", "JetStream", [
    {
      title: "File store used, % of limit (per server)",
      description: "max_file_store reached = publishes refused.",
      unit: "percent",
      max: 100,
      queries: [[percentOf(VARZ.jetstreamStorage, VARZ.jetstreamMaxStorage, "pod"), "{{pod}}"]],
    },
    {
      title: "Memory store used, % of limit (per server)",
      description: "max_memory_store reached = publishes to memory streams refused.",
      unit: "percent",
      max: 100,
      queries: [[percentOf(VARZ.jetstreamMemory, VARZ.jetstreamMaxMemory, "pod"), "{{pod}}"]],
    },
    {
      title: "Account store used, % of account limit",
      description: "Accounts with a JetStream limit (max_file / max_mem).",
      unit: "percent",
      max: 100,
      queries: [
        [percentOf(JSZ_ACCOUNT.storageUsed, JSZ_ACCOUNT.maxStorage, "account"), "file {{account}}"],
        [percentOf(JSZ_ACCOUNT.memoryUsed, JSZ_ACCOUNT.maxMemory, "account"), "memory {{account}}"],
      ],
    },
    {
      title: "Stream bytes, % of maxBytes",
      description: "Streams with a maxBytes limit.",
      unit: "percent",
      max: 100,
      queries: [[percentOf(JSZ_STREAM.bytes, JSZ_STREAM.limitBytes, stream), "{{account}}/{{stream_name}}"]],
    },
    {
      title: "Stream messages, % of maxMsgs",
      description: "Streams with a maxMsgs limit.",
      unit: "percent",
      max: 100,
      queries: [
        [percentOf(JSZ_STREAM.messages, JSZ_STREAM.limitMessages, stream), "{{account}}/{{stream_name}}"],
      ],
    },
    {
      title: "Consumer pending (lag)",
      description: "Messages not yet delivered to each consumer.",
      unit: "short",
      queries: [
        [`max by (${consumer}) (${JSZ_CONSUMER.numPending}{${sel}})`, "{{stream_name}}/{{consumer_name}}"],
      ],
    },
    {
      title: "Consumer ack pending",
      description: "Delivered, not yet acknowledged.",
      unit: "short",
      queries: [
        [`max by (${consumer}) (${JSZ_CONSUMER.numAckPending}{${sel}})`, "{{stream_name}}/{{consumer_name}}"],
      ],
    },
    {
      title: "Consumer redelivered",
      description: "Messages pending redelivery.",
      unit: "short",
      queries: [
        [
          `max by (${consumer}) (${JSZ_CONSUMER.numRedelivered}{${sel}})`,
          "{{stream_name}}/{{consumer_name}}",
        ],
      ],
    },
  ]);
}

/** The dashboards of a cluster (only the overview without JetStream). */
export function dashboards(
  cluster: MonitoredCluster,
): Record<"cluster" | "jetstream", Dashboard | undefined> {
  return {
    cluster: clusterDashboard(cluster),
    jetstream: cluster.jetstream ? jetstreamDashboard(cluster) : undefined,
  };
}

/** One ConfigMap per dashboard, labelled for Grafana's sidecar. */
export function dashboardConfigMaps(
  cluster: MonitoredCluster,
  labels: Record<string, string> = { ...GRAFANA_DASHBOARD_LABEL },
  namespace: string = cluster.namespace,
): DashboardConfigMap[] {
  return Object.entries(dashboards(cluster)).flatMap(([key, d]) =>
    d
      ? [
          {
            apiVersion: "v1" as const,
            kind: "ConfigMap" as const,
            metadata: {
              name: `${cluster.release}-dashboard-${key}`,
              namespace,
              labels: {
                "app.kubernetes.io/name": "nats",
                "app.kubernetes.io/instance": cluster.release,
                ...labels,
              },
            },
            data: { [`nats-${cluster.release}-${key}.json`]: JSON.stringify(d, null, 2) },
          },
        ]
      : [],
  );
}
