// promtool rule unit test cases for every alert of sdk/cluster/monitoring/rules.ts:
// input series shaped like the chart's exporter's (metric names from metrics.ts,
// labels as prometheus-nats-exporter 0.20.1 writes them plus the PodMonitor's
// namespace/pod), and for each alert the times it must fire and stay quiet.
import {
  JSZ_ACCOUNT,
  JSZ_CONSUMER,
  JSZ_SERVER,
  JSZ_STREAM,
  VARZ,
} from "../../sdk/cluster/monitoring/metrics";
import type { MonitoredCluster } from "../../sdk/cluster/monitoring/rules";

export const JS_CLUSTER: MonitoredCluster = {
  release: "events",
  namespace: "nats",
  statefulSet: "events",
  replicas: 3,
  jetstream: true,
};
export const CORE_CLUSTER: MonitoredCluster = {
  release: "core",
  namespace: "nats",
  statefulSet: "core",
  replicas: 3,
  jetstream: false,
};

type Labels = Record<string, string>;

export interface ExpectedAlert {
  labels: Labels;
  /** What `{{ $value }}` (or `| humanize`) renders to, when the annotations use it. */
  value?: string;
}

export interface AlertCheck {
  at: string;
  alert: string;
  /** Empty = the alert must be quiet at that time. */
  expect: ExpectedAlert[];
}

export interface RuleCase {
  name: string;
  cluster: MonitoredCluster;
  series: { series: string; values: string }[];
  checks: AlertCheck[];
}

const series = (metric: string, labels: Labels, values: string) => ({
  series: `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`,
  values,
});

/** The labels the PodMonitor adds, for pod `<sts>-<i>`. */
const pod = (i: number, sts = "events"): Labels => ({ namespace: "nats", pod: `${sts}-${i}` });
const up = (i: number, values: string, sts = "events") =>
  series("up", { ...pod(i, sts), job: `nats/${sts}`, container: "prom-exporter" }, values);
/** The labels the exporter's jsz collector writes on server-level series. */
const jszServer = (i: number, leader = "events-0"): Labels => ({
  ...pod(i),
  server_id: `NSERVER${i}`,
  server_name: `events-${i}`,
  cluster: "events",
  domain: "",
  meta_leader: leader,
  is_meta_leader: String(leader === `events-${i}`),
});
const varz = (i: number, sts = "events"): Labels => ({ ...pod(i, sts), server_id: `NSERVER${i}` });
const account = (i: number, name: string): Labels => ({
  ...jszServer(i),
  account: name,
  account_name: name,
  account_id: name,
});
const stream = (i: number, name: string): Labels => ({
  ...account(i, "APP"),
  stream_name: name,
  stream_leader: "events-0",
  is_stream_leader: String(i === 0),
  stream_raft_group: `S-R3F-${name}`,
});
const consumer = (i: number, streamName: string, name: string): Labels => ({
  ...stream(i, streamName),
  consumer_name: name,
  consumer_leader: "events-1",
  is_consumer_leader: String(i === 1),
  consumer_desc: "",
});
const allPods = [0, 1, 2];

function storeCases(
  scope: "Server" | "Account",
  store: "File" | "Memory",
  used: string,
  limit: string,
): RuleCase[] {
  const alert = `Nats${scope}${store}StoreFull`;
  const at = (i: number, name: string): Labels[] =>
    scope === "Server" ? [varz(i)] : allPods.map((p) => account(p, name));
  const key = (i: number, name: string): Labels =>
    scope === "Server" ? { ...pod(i) } : { namespace: "nats", account: name };
  const fill = (i: number, name: string, usedValue: string, limitValue: string) =>
    at(i, name).flatMap((l) => [series(used, l, usedValue), series(limit, l, limitValue)]);
  return [
    {
      name: `${alert}: 85% warns after 5m, 97% is also critical after 1m; 50%, no limit and unlimited stay quiet`,
      cluster: JS_CLUSTER,
      series: [
        ...fill(0, "A85", "850x10", "1000x10"),
        ...fill(1, "A97", "970x10", "1000x10"),
        ...fill(2, "A50", "500x10", "1000x10"),
        // A limit of 0 (memory store off, tiered account limits) and -1 read as 2^64 (unlimited).
        ...(scope === "Server"
          ? [series(used, varz(3), "500x10"), series(limit, varz(3), "0x10")]
          : [
              ...fill(0, "TIERED", "500x10", "0x10"),
              ...fill(0, "UNLIMITED", "1000000000000x10", "18446744073709551616x10"),
            ]),
      ],
      checks: [
        { at: "2m", alert, expect: [{ labels: { ...key(1, "A97"), severity: "critical" }, value: "97" }] },
        {
          at: "7m",
          alert,
          expect: [
            { labels: { ...key(0, "A85"), severity: "warning" }, value: "85" },
            { labels: { ...key(1, "A97"), severity: "warning" }, value: "97" },
            { labels: { ...key(1, "A97"), severity: "critical" }, value: "97" },
          ],
        },
      ],
    },
    {
      name: `${alert}: quiet below the warning threshold`,
      cluster: JS_CLUSTER,
      series: fill(0, "A79", "790x20", "1000x20"),
      checks: [{ at: "15m", alert, expect: [] }],
    },
  ];
}

function streamLimitCases(alert: string, value: string, limit: string): RuleCase[] {
  const fill = (name: string, v: string, l: string) =>
    allPods.flatMap((i) => [series(value, stream(i, name), v), series(limit, stream(i, name), l)]);
  return [
    {
      name: `${alert}: 95% of the limit for 5m fires`,
      cluster: JS_CLUSTER,
      series: fill("ORDERS", "950x10", "1000x10"),
      checks: [
        { at: "3m", alert, expect: [] },
        {
          at: "7m",
          alert,
          expect: [
            {
              labels: { namespace: "nats", account: "APP", stream_name: "ORDERS", severity: "warning" },
              value: "95",
            },
          ],
        },
      ],
    },
    {
      name: `${alert}: 50% of the limit, and no limit (-1), stay quiet`,
      cluster: JS_CLUSTER,
      series: [...fill("HALF", "500x10", "1000x10"), ...fill("UNLIMITED", "1e9x10", "-1x10")],
      checks: [{ at: "9m", alert, expect: [] }],
    },
  ];
}

function growthCases(
  alert: string,
  metric: string,
  growing: string,
  flat: string,
  belowFloor: string,
): RuleCase[] {
  const fill = (name: string, values: string) =>
    allPods.map((i) => series(metric, consumer(i, "ORDERS", name), values));
  const labels = (name: string) => ({
    namespace: "nats",
    account: "APP",
    stream_name: "ORDERS",
    consumer_name: name,
    severity: "warning",
  });
  return [
    {
      name: `${alert}: above the floor and growing for 10m fires, not before`,
      cluster: JS_CLUSTER,
      series: fill("SLOW", growing),
      checks: [
        { at: "8m", alert, expect: [] },
        { at: "20m", alert, expect: [{ labels: labels("SLOW") }] },
      ],
    },
    {
      name: `${alert}: high but flat, and growing below the floor, stay quiet`,
      cluster: JS_CLUSTER,
      series: [...fill("FLAT", flat), ...fill("SMALL", belowFloor)],
      checks: [{ at: "20m", alert, expect: [] }],
    },
  ];
}

/** The /varz alerts read the same series with or without JetStream. */
function varzCases(cluster: MonitoredCluster): RuleCase[] {
  const at = (i: number) => varz(i, cluster.statefulSet);
  return [
    {
      name: `${cluster.release}: NatsSlowConsumers: the count rises; a steady count stays quiet`,
      cluster,
      series: [
        series(VARZ.slowConsumers, at(0), "0 0 0 0 1 2 3 4 5 6 7"),
        series(VARZ.slowConsumers, at(1), "5x10"),
      ],
      checks: [
        { at: "2m", alert: "NatsSlowConsumers", expect: [] },
        { at: "8m", alert: "NatsSlowConsumers", expect: [{ labels: { ...at(0), severity: "warning" } }] },
      ],
    },
    {
      name: `${cluster.release}: NatsRoutesMissing: 4 of 8 routes for 2m; 8 stays quiet`,
      cluster,
      series: [series(VARZ.routes, at(0), "4x10"), series(VARZ.routes, at(1), "8x10")],
      checks: [
        { at: "1m", alert: "NatsRoutesMissing", expect: [] },
        {
          at: "5m",
          alert: "NatsRoutesMissing",
          expect: [{ labels: { ...at(0), severity: "warning" }, value: "4" }],
        },
      ],
    },
  ];
}

export const RULE_CASES: RuleCase[] = [
  {
    name: "NatsServerDown: an exporter down, or a server behind a live exporter not answering, after 2m",
    cluster: JS_CLUSTER,
    series: [
      up(0, "1x10"),
      up(1, "0x10"),
      up(2, "1x10"),
      // Another release in the namespace: not this cluster's alert.
      up(0, "0x10", "other"),
      series(JSZ_SERVER.jetstreamDisabled, jszServer(0), "0x10"),
      series(JSZ_SERVER.jetstreamDisabled, jszServer(1), "_x10"),
    ],
    checks: [
      { at: "1m", alert: "NatsServerDown", expect: [] },
      {
        at: "5m",
        alert: "NatsServerDown",
        expect: [
          { labels: { ...pod(1), job: "nats/events", container: "prom-exporter", severity: "critical" } },
          { labels: { ...pod(2), job: "nats/events", container: "prom-exporter", severity: "critical" } },
        ],
      },
    ],
  },
  {
    name: "NatsServerDown: quiet while every server answers",
    cluster: JS_CLUSTER,
    series: allPods.flatMap((i) => [
      up(i, "1x10"),
      series(JSZ_SERVER.jetstreamDisabled, jszServer(i), "0x10"),
    ]),
    checks: [{ at: "9m", alert: "NatsServerDown", expect: [] }],
  },
  {
    name: "NatsClusterFewerServers: two of three servers answer JetStream for 2m",
    cluster: JS_CLUSTER,
    series: [0, 1].map((i) => series(JSZ_SERVER.jetstreamDisabled, jszServer(i), "0x10")),
    checks: [
      { at: "1m", alert: "NatsClusterFewerServers", expect: [] },
      {
        at: "5m",
        alert: "NatsClusterFewerServers",
        expect: [{ labels: { severity: "critical" }, value: "2" }],
      },
    ],
  },
  {
    name: "NatsClusterFewerServers: quiet with all three, even while the meta leader changes",
    cluster: JS_CLUSTER,
    series: [
      ...allPods.map((i) => series(JSZ_SERVER.jetstreamDisabled, jszServer(i, "events-0"), "0x4 _x5")),
      ...allPods.map((i) => series(JSZ_SERVER.jetstreamDisabled, jszServer(i, "events-2"), "_x4 0x5")),
    ],
    checks: [{ at: "9m", alert: "NatsClusterFewerServers", expect: [] }],
  },
  {
    name: "Without JetStream: NatsServerDown and NatsClusterFewerServers read `up`",
    cluster: CORE_CLUSTER,
    series: [up(0, "1x10", "core"), up(1, "0x10", "core"), up(2, "1x10", "core")],
    checks: [
      {
        at: "5m",
        alert: "NatsServerDown",
        expect: [
          {
            labels: { ...pod(1, "core"), job: "nats/core", container: "prom-exporter", severity: "critical" },
          },
        ],
      },
      {
        at: "5m",
        alert: "NatsClusterFewerServers",
        expect: [{ labels: { severity: "critical" }, value: "2" }],
      },
    ],
  },
  {
    name: "Without JetStream: quiet while every exporter answers",
    cluster: CORE_CLUSTER,
    series: [0, 1, 2].map((i) => up(i, "1x10", "core")),
    checks: [
      { at: "9m", alert: "NatsServerDown", expect: [] },
      { at: "9m", alert: "NatsClusterFewerServers", expect: [] },
    ],
  },
  ...[JS_CLUSTER, CORE_CLUSTER].flatMap(varzCases),
  {
    name: "NatsJetStreamNoMetaLeader: a server sees no leader for 1m",
    cluster: JS_CLUSTER,
    series: [series(JSZ_SERVER.jetstreamDisabled, jszServer(0, ""), "0x10")],
    checks: [
      {
        at: "3m",
        alert: "NatsJetStreamNoMetaLeader",
        expect: [{ labels: { ...jszServer(0, ""), severity: "critical" } }],
      },
    ],
  },
  {
    name: "NatsJetStreamNoMetaLeader: quiet with a leader, or with JetStream disabled",
    cluster: JS_CLUSTER,
    series: [
      series(JSZ_SERVER.jetstreamDisabled, jszServer(0, "events-1"), "0x10"),
      series(JSZ_SERVER.jetstreamDisabled, jszServer(1, ""), "1x10"),
    ],
    checks: [{ at: "5m", alert: "NatsJetStreamNoMetaLeader", expect: [] }],
  },
  ...storeCases("Server", "File", VARZ.jetstreamStorage, VARZ.jetstreamMaxStorage),
  ...storeCases("Server", "Memory", VARZ.jetstreamMemory, VARZ.jetstreamMaxMemory),
  ...storeCases("Account", "File", JSZ_ACCOUNT.storageUsed, JSZ_ACCOUNT.maxStorage),
  ...storeCases("Account", "Memory", JSZ_ACCOUNT.memoryUsed, JSZ_ACCOUNT.maxMemory),
  ...streamLimitCases("NatsStreamNearMaxBytes", JSZ_STREAM.bytes, JSZ_STREAM.limitBytes),
  ...streamLimitCases("NatsStreamNearMaxMsgs", JSZ_STREAM.messages, JSZ_STREAM.limitMessages),
  ...growthCases("NatsConsumerPendingGrowing", JSZ_CONSUMER.numPending, "2000+100x30", "5000x30", "0+10x30"),
  ...growthCases(
    "NatsConsumerAckPendingGrowing",
    JSZ_CONSUMER.numAckPending,
    "600+50x30",
    "900x30",
    "100+10x30",
  ),
  ...growthCases(
    "NatsConsumerRedeliveriesClimbing",
    JSZ_CONSUMER.numRedelivered,
    "150+10x30",
    "400x30",
    "0+3x30",
  ),
];
