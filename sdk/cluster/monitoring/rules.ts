// PURE builder: one NATS cluster -> the PrometheusRule of its alerts.
// Every expression reads the names of metrics.ts and is scoped to this
// cluster's pods by the labels the Prometheus Operator's PodMonitor adds
// (`namespace`, `pod`). What each alert means and why each threshold:
// docs/monitoring.md. tests/monitoring/rules.test.ts runs promtool's rule unit
// tests on exactly these groups: every alert fires and stays quiet.
import { JSZ_ACCOUNT, JSZ_CONSUMER, JSZ_SERVER, JSZ_STREAM, VARZ } from "./metrics";
import type { AlertThresholds } from "./thresholds";

/** The cluster the rules watch. */
export interface MonitoredCluster {
  /** Prefix of the rule groups and the object's name (the Helm release). */
  release: string;
  namespace: string;
  /** The StatefulSet: its pods are `<statefulSet>-<ordinal>`. */
  statefulSet: string;
  replicas: number;
  /** Whether the servers run JetStream (the exporter's -jsz collector is on only then). */
  jetstream: boolean;
}

export type Severity = "warning" | "critical";

/** One alerting rule, as Prometheus and the operator's Rule type spell it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** The PrometheusRule object (monitoring.coreos.com/v1), plain data. */
export interface PrometheusRuleObject {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "PrometheusRule";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { groups: RuleGroup[] };
}

/**
 * Route connections one server holds to each peer: nats-server 2.10+ opens a
 * pool of 3 (the default `pool_size`, which the chart keeps) plus one pinned to
 * the system account. Measured on a real 3-server cluster
 * (tests/monitoring/exporter.test.ts): /varz routes = 8.
 */
export const ROUTES_PER_PEER = 4;

export function expectedRoutes(replicas: number): number {
  return (replicas - 1) * ROUTES_PER_PEER;
}

/** Labels that identify one consumer (its replicas report it once each). */
const CONSUMER = "namespace, account, stream_name, consumer_name";
const STREAM = "namespace, account, stream_name";

/** The alert groups of one cluster (also what promtool's test loads). */
export function alertRuleGroups(cluster: MonitoredCluster, t: AlertThresholds): RuleGroup[] {
  const sel = `namespace="${cluster.namespace}", pod=~"${cluster.statefulSet}-[0-9]+"`;
  const down = `${t.serverDownMinutes}m`;
  const growth = `${t.consumerGrowthMinutes}m`;
  const where = `in ${cluster.namespace}/${cluster.statefulSet}`;
  const rule = (
    alert: string,
    severity: Severity,
    expr: string,
    forDuration: string | undefined,
    summary: string,
    description: string,
  ): AlertRule => ({
    alert,
    expr,
    ...(forDuration ? { for: forDuration } : {}),
    labels: { severity },
    annotations: {
      summary,
      description: `${description} What to do: pulumi-nats docs/monitoring.md, "${alert}".`,
    },
  });

  const servers: AlertRule[] = [
    rule(
      "NatsServerDown",
      "critical",
      cluster.jetstream
        ? // The exporter answers but the server behind it does not: the JetStream series vanish
          // (the /varz gauges would keep their last value).
          `up{${sel}} == 0 or (up{${sel}} == 1 unless on (namespace, pod) ${JSZ_SERVER.jetstreamDisabled}{${sel}})`
        : `up{${sel}} == 0`,
      down,
      `NATS server {{ $labels.pod }} ${where} is down`,
      `The server (or its exporter) has not answered for ${down}. Its streams run on fewer replicas until it is back.`,
    ),
    rule(
      "NatsClusterFewerServers",
      "critical",
      cluster.jetstream
        ? `(count(count by (pod) (${JSZ_SERVER.jetstreamDisabled}{${sel}})) or vector(0)) < ${cluster.replicas}`
        : `(count(up{${sel}} == 1) or vector(0)) < ${cluster.replicas}`,
      down,
      `NATS ${where} runs {{ $value }} of ${cluster.replicas} servers`,
      `Fewer servers answer than the ${cluster.replicas} replicas the cluster is built with: R3 streams lose quorum when two of three replicas are gone.`,
    ),
    rule(
      "NatsSlowConsumers",
      "warning",
      `increase(${VARZ.slowConsumers}{${sel}}[5m]) > 0`,
      undefined,
      `NATS server {{ $labels.pod }} ${where} disconnected slow consumers`,
      `Clients were cut off in the last 5 minutes for not reading fast enough: core NATS subscribers among them lost messages.`,
    ),
  ];
  if (cluster.replicas > 1)
    servers.push(
      rule(
        "NatsRoutesMissing",
        "warning",
        `${VARZ.routes}{${sel}} < ${expectedRoutes(cluster.replicas)}`,
        down,
        `NATS server {{ $labels.pod }} ${where} has {{ $value }} of ${expectedRoutes(cluster.replicas)} routes`,
        `A server is cut off from some of its ${cluster.replicas - 1} peers (${ROUTES_PER_PEER} route connections each): messages do not reach subscribers there, and replicas fall behind.`,
      ),
    );

  const groups: RuleGroup[] = [{ name: `${cluster.release}.servers`, rules: servers }];
  if (!cluster.jetstream) return groups;

  const storeRules = (
    scope: "Server" | "Account",
    store: "File" | "Memory",
    used: string,
    limit: string,
    by: string,
  ): AlertRule[] =>
    (
      [
        ["warning", t.storageWarningPercent, "5m"],
        ["critical", t.storageCriticalPercent, "1m"],
      ] as const
    ).map(([severity, percent, forDuration]) =>
      rule(
        `Nats${scope}${store}StoreFull`,
        severity,
        // A limit of 0 means none configured (tiered account limits, memory store off): no ratio.
        `max by (${by}) (${used}{${sel}} / (${limit}{${sel}} > 0)) * 100 > ${percent}`,
        forDuration,
        `JetStream ${store.toLowerCase()} store of ${scope === "Server" ? "server {{ $labels.pod }}" : "account {{ $labels.account }}"} ${where} at {{ $value | humanize }}%`,
        `Above ${percent}% of its limit. At 100% publishes to its streams fail ("insufficient resources") and, for streams with discard new, messages are refused.`,
      ),
    );

  const ratio = (value: string, limit: string) =>
    `max by (${STREAM}) (${value}{${sel}} / (${limit}{${sel}} > 0)) * 100 > ${t.streamLimitPercent}`;
  const growing = (metric: string, floor: number) =>
    `max by (${CONSUMER}) (deriv(${metric}{${sel}}[5m])) > 0 and max by (${CONSUMER}) (${metric}{${sel}}) > ${floor}`;

  groups.push({
    name: `${cluster.release}.jetstream`,
    rules: [
      rule(
        "NatsJetStreamNoMetaLeader",
        "critical",
        // meta_leader is "" while the server knows no leader (is_meta_leader "true" only
        // without clustering); the value 0 = JetStream enabled.
        `${JSZ_SERVER.jetstreamDisabled}{${sel}, meta_leader="", is_meta_leader="false"} == 0`,
        "1m",
        `JetStream ${where} has no meta leader (seen from {{ $labels.pod }})`,
        `Without a meta leader no stream or consumer can be created, changed or deleted, and placement stops.`,
      ),
      ...storeRules("Server", "File", VARZ.jetstreamStorage, VARZ.jetstreamMaxStorage, "namespace, pod"),
      ...storeRules("Server", "Memory", VARZ.jetstreamMemory, VARZ.jetstreamMaxMemory, "namespace, pod"),
      ...storeRules("Account", "File", JSZ_ACCOUNT.storageUsed, JSZ_ACCOUNT.maxStorage, "namespace, account"),
      ...storeRules("Account", "Memory", JSZ_ACCOUNT.memoryUsed, JSZ_ACCOUNT.maxMemory, "namespace, account"),
      rule(
        "NatsStreamNearMaxBytes",
        "warning",
        ratio(JSZ_STREAM.bytes, JSZ_STREAM.limitBytes),
        "5m",
        `Stream {{ $labels.stream_name }} (account {{ $labels.account }}) ${where} at {{ $value | humanize }}% of maxBytes`,
        `At its limit a stream with discard old deletes its oldest messages, one with discard new refuses publishes.`,
      ),
      rule(
        "NatsStreamNearMaxMsgs",
        "warning",
        ratio(JSZ_STREAM.messages, JSZ_STREAM.limitMessages),
        "5m",
        `Stream {{ $labels.stream_name }} (account {{ $labels.account }}) ${where} at {{ $value | humanize }}% of maxMsgs`,
        `At its limit a stream with discard old deletes its oldest messages, one with discard new refuses publishes.`,
      ),
      rule(
        "NatsConsumerPendingGrowing",
        "warning",
        growing(JSZ_CONSUMER.numPending, t.consumerPendingFloor),
        growth,
        `Consumer {{ $labels.consumer_name }} on {{ $labels.stream_name }} ${where} falls behind`,
        `Undelivered messages above ${t.consumerPendingFloor} and growing for ${growth}: the consumer reads slower than producers write.`,
      ),
      rule(
        "NatsConsumerAckPendingGrowing",
        "warning",
        growing(JSZ_CONSUMER.numAckPending, t.ackPendingFloor),
        growth,
        `Consumer {{ $labels.consumer_name }} on {{ $labels.stream_name }} ${where} does not acknowledge`,
        `Delivered but unacknowledged messages above ${t.ackPendingFloor} and growing for ${growth}; at maxAckPending the server stops delivering.`,
      ),
      rule(
        "NatsConsumerRedeliveriesClimbing",
        "warning",
        growing(JSZ_CONSUMER.numRedelivered, t.redeliveredFloor),
        growth,
        `Consumer {{ $labels.consumer_name }} on {{ $labels.stream_name }} ${where} redelivers more and more`,
        `Messages pending redelivery above ${t.redeliveredFloor} and growing for ${growth}: handlers fail or time out (ackWait), and messages past maxDeliver are given up.`,
      ),
    ],
  });
  return groups;
}

/** The PrometheusRule holding the groups, next to the cluster. */
export function prometheusRule(
  cluster: MonitoredCluster,
  t: AlertThresholds,
  labels: Record<string, string> = {},
): PrometheusRuleObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: `${cluster.release}-alerts`,
      namespace: cluster.namespace,
      labels: { "app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": cluster.release, ...labels },
    },
    spec: { groups: alertRuleGroups(cluster, t) },
  };
}
