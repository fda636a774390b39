// Re-renders docs/images/dashboard-*.png (not a test; run by hand):
//   bash scripts/install-promtool.sh && bash scripts/install-prometheus.sh
//   npx tsc -p . && node bin/tests/monitoring/render-dashboards.js [minutes]
// A real 3-server JetStream cluster on 127.0.0.1 under load, the chart's
// exporter beside each server (the chart's flags), a real Prometheus scraping
// them with the labels a PodMonitor adds (namespace, pod); then every panel of
// the dashboards' JSON (the ConfigMaps the component creates) queried over the
// run with Prometheus' query_range API, and drawn by dashboard-png.ts.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import {
  cleanupAll,
  freePort,
  makeTempDir,
  repoRoot,
  sleep,
  startCluster,
  waitFor,
  type NatsConnection,
} from "../harness";
import { trackProcess, untrackProcess } from "../harness/registry";
import { dashboardConfigMaps, type Dashboard } from "../../sdk/cluster/monitoring/dashboards";
import { alertRuleGroups } from "../../sdk/cluster/monitoring/rules";
import { DEFAULT_THRESHOLDS } from "../../sdk/cluster/monitoring/thresholds";
import { drawDashboard, type PanelData, type Series } from "./dashboard-png";
import { Exporter } from "./exporter";
import { JS_CLUSTER } from "./rule-cases";

const SCRAPE_SECONDS = 5;

async function startPrometheus(
  targets: { port: number; pod: string }[],
): Promise<{ url: string; stop: () => void }> {
  const binary = path.join(repoRoot(), ".cache", "bin", "prometheus");
  if (!fs.existsSync(binary)) throw new Error(`no ${binary}: run \`bash scripts/install-prometheus.sh\``);
  const dir = makeTempDir("prometheus-");
  // The alert rules too, out of the builder: they load and evaluate on the real series.
  fs.writeFileSync(
    path.join(dir, "rules.yaml"),
    JSON.stringify({ groups: alertRuleGroups(JS_CLUSTER, DEFAULT_THRESHOLDS) }),
  );
  const config = {
    global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
    rule_files: [path.join(dir, "rules.yaml")],
    scrape_configs: [
      {
        job_name: "nats/events",
        static_configs: targets.map((t) => ({
          targets: [`127.0.0.1:${t.port}`],
          // What the Prometheus Operator's PodMonitor relabeling adds.
          labels: { namespace: JS_CLUSTER.namespace, pod: t.pod, container: "prom-exporter" },
        })),
      },
    ],
  };
  fs.writeFileSync(path.join(dir, "prometheus.yml"), JSON.stringify(config));
  const port = await freePort();
  const child = spawn(binary, [
    `--config.file=${path.join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${path.join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const killable = {
    description: `prometheus (pid ${child.pid})`,
    get isRunning() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill: async () => void child.kill("SIGKILL"),
    killSync: () => void child.kill("SIGKILL"),
  };
  trackProcess(killable);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 250,
    what: "Prometheus ready",
  });
  return {
    url,
    stop: () => {
      child.kill("SIGTERM");
      untrackProcess(killable);
    },
  };
}

/** Grafana's legendFormat: {{label}} replaced by the series' label. */
const legend = (format: string, labels: Record<string, string>) =>
  format.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, k: string) => labels[k] ?? "");

async function queryPanels(
  url: string,
  dashboard: Dashboard,
  start: number,
  end: number,
): Promise<PanelData> {
  const data: PanelData = new Map();
  for (const panel of dashboard.panels) {
    const series: Series[] = [];
    for (const target of panel.targets) {
      const q = new URLSearchParams({
        query: target.expr,
        start: String(start),
        end: String(end),
        step: String(SCRAPE_SECONDS),
      });
      const res = (await (await fetch(`${url}/api/v1/query_range?${q}`)).json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      if (res.status !== "success") throw new Error(`${panel.title}: ${target.expr}: ${res.error}`);
      for (const r of res.data.result)
        series.push({
          legend: legend(target.legendFormat, r.metric),
          points: r.values.map(([t, v]) => [t, Number(v)]),
        });
    }
    series.sort((a, b) => a.legend.localeCompare(b.legend));
    data.set(panel.id, series);
  }
  return data;
}

async function main(): Promise<void> {
  const minutes = Number(process.argv[2] ?? "4");
  // One account with JetStream limits (the account panels), every client in it.
  const cluster = await startCluster({
    size: 3,
    clusterName: "events",
    maxFileStore: "32MB",
    maxMemoryStore: "12MB",
    extraConfig: [
      "accounts { APP { jetstream { max_file: 72MB, max_mem: 24MB }, users: [{ user: app, password: app }] } }",
      "no_auth_user: app",
    ].join("\n"),
  });
  const exporters = await Promise.all(cluster.servers.map((s) => Exporter.start(s.monitorUrl)));
  const prometheus = await startPrometheus(exporters.map((e, i) => ({ port: e.port, pod: `events-${i}` })));
  const nc = await cluster.servers[0].connect();
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], num_replicas: 3, max_bytes: 12 << 20 });
  await jsm.streams.add({ name: "CLICKS", subjects: ["clicks.>"], num_replicas: 3, max_msgs: 40_000 });
  await jsm.streams.add({
    name: "SESSIONS",
    subjects: ["sessions.>"],
    num_replicas: 3,
    storage: "memory" as never,
    max_bytes: 6 << 20,
  });
  await jsm.consumers.add("ORDERS", { durable_name: "billing", ack_policy: AckPolicy.Explicit });
  await jsm.consumers.add("CLICKS", {
    durable_name: "analytics",
    ack_policy: AckPolicy.Explicit,
    ack_wait: 5e9,
  });
  const js = jetstream(nc);
  const billing = await js.consumers.get("ORDERS", "billing");
  const analytics = await js.consumers.get("CLICKS", "analytics");
  const extra: NatsConnection[] = await Promise.all(
    [1, 2, 3, 4].map((i) => cluster.servers[i % 3].connect()),
  );
  const start = Math.floor(Date.now() / 1000);
  const end = start + minutes * 60;
  const payload = new Uint8Array(512);
  let tick = 0;
  while (Date.now() / 1000 < end) {
    tick++;
    const burst = 150 + 100 * Math.sin(tick / 8);
    await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        Promise.all([
          js.publish(`orders.${i % 7}`, payload),
          js.publish(`clicks.${i % 11}`, payload.subarray(0, 128)),
          i % 3 === 0 ? js.publish(`sessions.${i}`, payload) : undefined,
        ]),
      ),
    );
    for (let i = 0; i < 200; i++) extra[i % extra.length].publish("telemetry.raw", payload.subarray(0, 64));
    // billing keeps up with about half of the orders: its lag grows.
    for await (const m of await billing.fetch({ max_messages: Math.floor(burst / 2), expires: 1000 }))
      m.ack();
    // analytics acks two of three and leaves the rest to redelivery: ack pending and redeliveries climb.
    let n = 0;
    for await (const m of await analytics.fetch({ max_messages: 100, expires: 1000 }))
      if (n++ % 3 !== 0) m.ack();
    await sleep(1000);
  }
  await sleep(2 * SCRAPE_SECONDS * 1000);
  const out = path.join(repoRoot(), "docs", "images");
  for (const cm of dashboardConfigMaps(JS_CLUSTER)) {
    const dashboard = JSON.parse(Object.values(cm.data)[0]) as Dashboard;
    const data = await queryPanels(prometheus.url, dashboard, start, end);
    const key = cm.metadata.name.replace(`${JS_CLUSTER.release}-dashboard-`, "");
    const note = `rendered from the dashboard JSON; ${minutes} min of a real 3-server cluster under load, scraped by Prometheus`;
    await drawDashboard(dashboard, data, path.join(out, `dashboard-${key}.png`), note);
    console.log(`wrote docs/images/dashboard-${key}.png (${[...data.values()].flat().length} series)`);
  }
  const alerts = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
    data: { alerts: { state: string; labels: Record<string, string> }[] };
  };
  for (const a of alerts.data.alerts) {
    const { alertname, severity, pod, account, stream_name, consumer_name } = a.labels;
    const what = [pod, account, stream_name, consumer_name].filter(Boolean).join("/");
    console.log(`alert ${a.state}: ${alertname} (${severity}) ${what}`);
  }
  prometheus.stop();
  await Promise.all(extra.map((c) => c.close()));
  await nc.close();
  await Promise.all(exporters.map((e) => e.kill()));
  await cluster.destroy();
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
