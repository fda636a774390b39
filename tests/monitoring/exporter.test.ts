// The metric names of sdk/cluster/monitoring/metrics.ts against the real
// thing: the exporter version the chart deploys, run with the chart's own
// flags, scraping a real 3-server JetStream cluster on 127.0.0.1.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { repoRoot, startCluster, waitFor, type NatsCluster, type NatsConnection } from "../harness";
import { clusterDashboard, jetstreamDashboard } from "../../sdk/cluster/monitoring/dashboards";
import {
  ALL_METRICS,
  EXPORTER_VERSION,
  JSZ_CONSUMER,
  JSZ_STREAM,
  VARZ,
} from "../../sdk/cluster/monitoring/metrics";
import { alertRuleGroups, expectedRoutes } from "../../sdk/cluster/monitoring/rules";
import { DEFAULT_THRESHOLDS } from "../../sdk/cluster/monitoring/thresholds";
import { chartExporterContainer, Exporter } from "./exporter";
import { JS_CLUSTER } from "./rule-cases";

/** Every nats_* name the rules and dashboards query. */
function queriedNames(): Set<string> {
  const exprs = [
    ...alertRuleGroups(JS_CLUSTER, DEFAULT_THRESHOLDS).flatMap((g) => g.rules.map((r) => r.expr)),
    ...[clusterDashboard(JS_CLUSTER), jetstreamDashboard(JS_CLUSTER)].flatMap((d) =>
      d.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ),
  ];
  return new Set(exprs.flatMap((e) => e.match(/\bnats_[a-z_]+/g) ?? []));
}

describe("monitoring: the exporter the chart deploys, on real servers", function () {
  this.timeout(120_000);
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let exporter: Exporter;
  /** One exporter per server, as the chart's sidecars run. */
  let exporters: Exporter[] = [];

  before(async () => {
    cluster = await startCluster({ size: 3, maxFileStore: "64MB" });
    nc = await cluster.servers[0].connect();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: "ORDERS",
      subjects: ["orders.>"],
      num_replicas: 3,
      max_bytes: 1 << 20,
      max_msgs: 1000,
    });
    await jsm.consumers.add("ORDERS", { durable_name: "billing", ack_policy: "explicit" });
    exporters = await Promise.all(cluster.servers.map((s) => Exporter.start(s.monitorUrl)));
    exporter = exporters[0];
  });
  after(async () => {
    await Promise.all(exporters.map((e) => e.kill()));
    await nc?.close();
    await cluster?.destroy();
  });

  it("is the version the component pins, the chart's default image", () => {
    const keys = JSON.parse(
      fs.readFileSync(path.join(repoRoot(), "sdk/cluster/chart/keys-2.14.2.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;
    const tag = keys.keys["promExporter.image.tag"];
    assert.equal(tag, EXPORTER_VERSION);
    assert.equal(chartExporterContainer().image, `natsio/prometheus-nats-exporter:${EXPORTER_VERSION}`);
  });

  it("the rules and dashboards query only names of metrics.ts", () => {
    const unknown = [...queriedNames()].filter((n) => !ALL_METRICS.includes(n));
    assert.deepEqual(unknown, []);
  });

  it("exports every name of metrics.ts with the chart's flags", async () => {
    const exported = await waitFor(
      async () => {
        const text = await exporter.metrics();
        const names = new Set(text.split("\n").map((l) => /^([a-z_]+)[{ ]/.exec(l)?.[1]));
        return ALL_METRICS.every((n) => names.has(n)) ? names : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: "every metric of metrics.ts in the exporter's output" },
    );
    assert.ok(exported.size > ALL_METRICS.length);
  });

  it(`counts ${expectedRoutes(3)} routes per server in a 3-server cluster (NatsRoutesMissing's threshold)`, async () => {
    const routes = await waitFor(
      async () => {
        const v = await exporter.value(VARZ.routes);
        return v === expectedRoutes(3) ? v : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `${VARZ.routes} = ${expectedRoutes(3)}` },
    );
    assert.equal(routes, expectedRoutes(3));
  });

  it("shows a stream's use against its limits and a consumer's lag growing under load (on its leader: rules take the max over replicas)", async () => {
    const js = jetstream(nc);
    for (let i = 0; i < 200; i++) await js.publish(`orders.${i}`, new Uint8Array(100));
    // Every replica reports the consumer; followers report num_pending 0, so the rules and
    // dashboards read `max by (... consumer_name)` over the servers' series.
    const max = async (name: string, labels: Record<string, string>) => {
      const values = await Promise.all(exporters.map((e) => e.value(name, labels)));
      const found = values.filter((v): v is number => v !== undefined);
      return found.length > 0 ? Math.max(...found) : undefined;
    };
    let last: Record<string, number | undefined> = {};
    const scrape = async () =>
      (last = {
        pending: await max(JSZ_CONSUMER.numPending, { consumer_name: "billing" }),
        leaderPending: await max(JSZ_CONSUMER.numPending, {
          consumer_name: "billing",
          is_consumer_leader: "true",
        }),
        msgs: await max(JSZ_STREAM.messages, { stream_name: "ORDERS" }),
        limitMsgs: await max(JSZ_STREAM.limitMessages, { stream_name: "ORDERS" }),
        limitBytes: await max(JSZ_STREAM.limitBytes, { stream_name: "ORDERS" }),
      });
    const pendingIs = (n: number) => async () => ((await scrape()).pending === n ? last : undefined);
    const wait = { timeoutMs: 20_000, intervalMs: 250, describe: () => JSON.stringify(last) };
    const first = await waitFor(pendingIs(200), { ...wait, what: "200 messages pending for billing" });
    assert.deepEqual(first, {
      pending: 200,
      leaderPending: 200,
      msgs: 200,
      limitMsgs: 1000,
      limitBytes: 1 << 20,
    });
    for (let i = 0; i < 300; i++) await js.publish(`orders.${i}`, new Uint8Array(100));
    const { pending } = await waitFor(pendingIs(500), { ...wait, what: "500 messages pending for billing" });
    assert.equal(pending, 500);
  });
});
