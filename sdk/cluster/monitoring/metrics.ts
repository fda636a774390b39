// THE metric names the alert rules (rules.ts) and dashboards (dashboards.ts)
// read, and the exporter version they were read from.
//
// The NATS chart runs prometheus-nats-exporter as a sidecar in each server's
// pod (files/stateful-set/prom-exporter-container.yaml of chart 2.14.2) with
//   -connz -routez -subz -varz -prefix=nats -use_internal_server_id
//   -jsz=all (when JetStream is on), -leafz, -gatewayz (when those are on)
// and polls http://localhost:8222/. The names below are those the exporter's
// source at EXPORTER_VERSION builds with that prefix:
// - collector/jsz.go: prometheus.BuildFQName(prefix, subsystem, name); the
//   "nats" prefix REPLACES the "jetstream" system, so JetStream metrics are
//   nats_server_*, nats_account_*, nats_stream_*, nats_consumer_*.
// - collector/collector.go: /varz and /routez are flattened JSON paths,
//   nats_<endpoint>_<json path>, one label `server_id` (the server's own ID
//   with -use_internal_server_id). When the server stops answering, these
//   gauges keep their LAST value (the collector never resets them): liveness
//   is read from `up` and from the JetStream series, which vanish instead.
// tests/monitoring/exporter.test.ts runs that exporter version against real
// servers and checks every name here is exported.

/** The exporter image tag the component deploys (chart 2.14.2's default, pinned in values.ts). */
export const EXPORTER_VERSION = "0.20.1";

/** The -prefix the chart passes. */
const PREFIX = "nats";

/** /varz (and /routez), flattened: one series per server, label `server_id`. */
export const VARZ = {
  connections: `${PREFIX}_varz_connections`,
  routes: `${PREFIX}_varz_routes`,
  slowConsumers: `${PREFIX}_varz_slow_consumers`,
  subscriptions: `${PREFIX}_varz_subscriptions`,
  inMsgs: `${PREFIX}_varz_in_msgs`,
  outMsgs: `${PREFIX}_varz_out_msgs`,
  inBytes: `${PREFIX}_varz_in_bytes`,
  outBytes: `${PREFIX}_varz_out_bytes`,
  /** JetStream store use and limits as the server itself counts them (bytes). */
  jetstreamStorage: `${PREFIX}_varz_jetstream_stats_storage`,
  jetstreamMemory: `${PREFIX}_varz_jetstream_stats_memory`,
  jetstreamMaxStorage: `${PREFIX}_varz_jetstream_config_max_storage`,
  jetstreamMaxMemory: `${PREFIX}_varz_jetstream_config_max_memory`,
} as const;

/**
 * /jsz?consumers=true&config=true&raft=true. Every series carries
 * server_id, server_name, cluster, domain, meta_leader (the leader's name,
 * "" when there is none) and is_meta_leader.
 */
export const JSZ_SERVER = {
  /** 1 when JetStream is disabled on the server; present only while the server answers. */
  jetstreamDisabled: `${PREFIX}_server_jetstream_disabled`,
  streams: `${PREFIX}_server_total_streams`,
  consumers: `${PREFIX}_server_total_consumers`,
  messages: `${PREFIX}_server_total_messages`,
  bytes: `${PREFIX}_server_total_message_bytes`,
} as const;

/**
 * Per account (labels `account`, `account_name`, `account_id`), reported by
 * every server the account has JetStream on. `*_used` counts the account's
 * bytes across the cluster (replicas included), `max_*` is the account's
 * own limit (jsa.limits[""] in nats-server 2.14): -1 (unlimited) reads as
 * 2^64, 0 when the account uses tiered limits only.
 */
export const JSZ_ACCOUNT = {
  storageUsed: `${PREFIX}_account_storage_used`,
  memoryUsed: `${PREFIX}_account_memory_used`,
  maxStorage: `${PREFIX}_account_max_storage`,
  maxMemory: `${PREFIX}_account_max_memory`,
} as const;

/** Per stream replica (labels of the account plus `stream_name`, `stream_leader`, `is_stream_leader`). */
export const JSZ_STREAM = {
  messages: `${PREFIX}_stream_total_messages`,
  bytes: `${PREFIX}_stream_total_bytes`,
  /** The stream's max_bytes / max_msgs; -1 = unlimited. */
  limitBytes: `${PREFIX}_stream_limit_bytes`,
  limitMessages: `${PREFIX}_stream_limit_messages`,
  firstSeq: `${PREFIX}_stream_first_seq`,
  lastSeq: `${PREFIX}_stream_last_seq`,
} as const;

/** Per consumer replica (stream labels plus `consumer_name`, `consumer_leader`, `is_consumer_leader`). */
export const JSZ_CONSUMER = {
  /** Messages not yet delivered (the lag). */
  numPending: `${PREFIX}_consumer_num_pending`,
  /** Delivered, not yet acknowledged. */
  numAckPending: `${PREFIX}_consumer_num_ack_pending`,
  /** Messages currently pending redelivery (len(o.rdc) in nats-server): a gauge, not a counter. */
  numRedelivered: `${PREFIX}_consumer_num_redelivered`,
  ackFloorStreamSeq: `${PREFIX}_consumer_ack_floor_stream_seq`,
  deliveredStreamSeq: `${PREFIX}_consumer_delivered_stream_seq`,
} as const;

/** Every name above, for the test that runs the real exporter. */
export const ALL_METRICS: readonly string[] = [
  VARZ,
  JSZ_SERVER,
  JSZ_ACCOUNT,
  JSZ_STREAM,
  JSZ_CONSUMER,
].flatMap((group) => Object.values(group));
