// The `monitoring` args: defaults, every problem reported against its field
// before anything is created, and the objects NatsCluster creates (under mocks).
import assert from "node:assert/strict";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { checkChartKeys } from "../../sdk/cluster/chart/keys";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { plan } from "../../sdk/cluster/plan/plan";
import { DEFAULT_THRESHOLDS } from "../../sdk/cluster/monitoring/thresholds";
import { awsArgs } from "../cluster/fixtures";
import { buildCluster, type Build } from "../cluster/mocks";

function issues(args: NatsClusterArgs): Record<string, string> {
  try {
    plan("events", args);
  } catch (e) {
    assert.ok(e instanceof NatsClusterArgsError, String(e));
    return Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
  }
  assert.fail("plan() accepted the args");
}

const monitored = (monitoring: NatsClusterArgs["monitoring"]) =>
  plan("events", awsArgs({ monitoring })).monitoring;

describe("monitoring args", () => {
  it("turns the rules on with the PodMonitor and the dashboards on with the exporter, by default", () => {
    assert.equal(monitored(undefined).alertRules, undefined);
    assert.equal(monitored(undefined).dashboards, undefined);
    const exporterOnly = monitored({ prometheusExporter: true });
    assert.equal(exporterOnly.alertRules, undefined);
    assert.deepEqual(exporterOnly.dashboards, { labels: { grafana_dashboard: "1" }, namespace: undefined });
    const full = monitored({ prometheusExporter: true, podMonitor: true });
    assert.deepEqual(full.alertRules, { thresholds: DEFAULT_THRESHOLDS });
    assert.equal(
      monitored({ prometheusExporter: true, podMonitor: true, alertRules: false }).alertRules,
      undefined,
    );
    assert.equal(monitored({ prometheusExporter: true, dashboards: false }).dashboards, undefined);
  });

  it("fills in the thresholds not given", () => {
    const m = monitored({
      prometheusExporter: true,
      podMonitor: true,
      alertThresholds: { streamLimitPercent: 70 },
    });
    assert.deepEqual(m.alertRules?.thresholds, { ...DEFAULT_THRESHOLDS, streamLimitPercent: 70 });
  });

  it("reports every wrong monitoring arg at once, each naming its field", () => {
    const found = issues(
      awsArgs({
        monitoring: {
          alertRules: true,
          dashboards: "yes" as never,
          alertThresholds: {
            storageWarningPercent: 120,
            consumerGrowthMinutes: 0,
            ackPendingFloor: 1.5,
            tooHigh: 3,
          } as never,
          dashboardLabels: { "bad key!": "1" },
          dashboardNamespace: "Monitoring",
          labels: { release: "not a label value" },
        },
      }),
    );
    assert.deepEqual(Object.keys(found).sort(), [
      "monitoring.alertRules",
      "monitoring.alertThresholds.ackPendingFloor",
      "monitoring.alertThresholds.consumerGrowthMinutes",
      "monitoring.alertThresholds.storageWarningPercent",
      "monitoring.alertThresholds.tooHigh",
      "monitoring.dashboardLabels.bad key!",
      "monitoring.dashboardNamespace",
      "monitoring.dashboards",
      "monitoring.labels.release",
    ]);
    assert.match(found["monitoring.alertRules"], /needs monitoring.prometheusExporter: true/);
    assert.match(
      found["monitoring.alertThresholds.storageWarningPercent"],
      /percentage above 0 and at most 100, got 120/,
    );
    assert.match(
      found["monitoring.alertThresholds.consumerGrowthMinutes"],
      /whole number of minutes, at least 1, got 0/,
    );
    assert.match(
      found["monitoring.alertThresholds.tooHigh"],
      /is not a threshold \(thresholds: storageWarningPercent/,
    );
    assert.match(found["monitoring.dashboards"], /must be true or false, got "yes"/);
  });

  it("refuses a warning level at or above the critical one", () => {
    const found = issues(
      awsArgs({
        monitoring: {
          prometheusExporter: true,
          podMonitor: true,
          alertThresholds: { storageWarningPercent: 95, storageCriticalPercent: 90 },
        },
      }),
    );
    assert.match(
      found["monitoring.alertThresholds.storageWarningPercent"],
      /\(95\) must be below storageCriticalPercent \(90\)/,
    );
  });

  it("puts `labels` on the chart's PodMonitor", () => {
    const values = plan(
      "events",
      awsArgs({ monitoring: { prometheusExporter: true, podMonitor: true, labels: { release: "kps" } } }),
    ).chart.values as { promExporter: { podMonitor: unknown } } & Record<string, unknown>;
    assert.deepEqual(values.promExporter.podMonitor, {
      enabled: true,
      merge: { metadata: { labels: { release: "kps" } } },
    });
    assert.deepEqual(checkChartKeys(values), [], "every key is one of chart 2.14.2");
  });
});

describe("NatsCluster monitoring objects under mocks", function () {
  this.timeout(30_000);
  type Cluster = import("../../sdk/cluster/component").NatsCluster;
  const build = async (args: NatsClusterArgs): Promise<Build<Cluster>> => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    return buildCluster((transformations) => new NatsCluster("events", args, { transformations }), {
      preview: true,
    });
  };

  it("creates the PrometheusRule and the two dashboard ConfigMaps in the cluster's namespace, parented to it", async () => {
    const b = await build(
      awsArgs({ monitoring: { prometheusExporter: true, podMonitor: true, labels: { release: "kps" } } }),
    );
    const rule = b.registered.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    assert.ok(rule, "no PrometheusRule");
    const meta = rule.inputs.metadata as { name: string; namespace: string; labels: Record<string, string> };
    assert.equal(meta.name, "events-alerts");
    assert.equal(meta.namespace, "nats");
    assert.equal(meta.labels.release, "kps");
    const groups = (rule.inputs.spec as { groups: { name: string }[] }).groups.map((g) => g.name);
    assert.deepEqual(groups, ["events.servers", "events.jetstream"]);
    const maps = b.registered.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
    assert.deepEqual(maps.map((m) => m.name).sort(), [
      "events-dashboard-cluster",
      "events-dashboard-jetstream",
    ]);
    for (const m of maps)
      assert.deepEqual((m.inputs.metadata as { labels: object }).labels, {
        "app.kubernetes.io/name": "nats",
        "app.kubernetes.io/instance": "events",
        grafana_dashboard: "1",
      });
    for (const c of b.captured.filter(
      (x) => x.name === "events-alerts" || x.name.startsWith("events-dashboard-"),
    ))
      assert.equal(c.parent, b.value);
  });

  it("creates neither without the exporter", async () => {
    const b = await build(awsArgs({}));
    assert.deepEqual(
      b.registered.filter((r) => /PrometheusRule|ConfigMap/.test(r.type)).map((r) => r.name),
      [],
    );
  });
});
