// The consumer table: every field of a consumer's configuration on a 2.14
// server, with the server's rule for changing it (server/consumer.go,
// checkNewConsumerConfig). Defaults that depend on other fields (ack wait,
// max ack pending, max waiting) are filled in by the consumer kind.
import { field, str, strings, int, bool, oneOf, duration, durations, size, stringMap, time } from "../fields";
import type { ChangeContext, InputsOf } from "../fields";

export const DeliverPolicy = {
  All: "all",
  Last: "last",
  New: "new",
  ByStartSequence: "by_start_sequence",
  ByStartTime: "by_start_time",
  LastPerSubject: "last_per_subject",
} as const;
export const AckPolicy = { None: "none", All: "all", Explicit: "explicit" } as const;
export const ReplayPolicy = { Instant: "instant", Original: "original" } as const;
export const PriorityPolicy = {
  None: "none",
  Overflow: "overflow",
  PinnedClient: "pinned_client",
  Prioritized: "prioritized",
} as const;

const values = <T extends Record<string, string>>(o: T) => Object.values(o) as T[keyof T][];

function deliverSubjectRule({ old, next }: ChangeContext) {
  return (old === undefined) !== (next === undefined)
    ? { kind: "replace" as const, why: "the server cannot turn a pull consumer into a push consumer or back" }
    : { kind: "update" as const };
}

export const consumerFields = [
  field({
    key: "stream",
    wire: "_stream",
    codec: str,
    change: "replace",
    doc: "Name of the stream the consumer reads.",
  }),
  field({
    key: "name",
    wire: "durable_name",
    codec: str,
    change: "replace",
    doc: "Durable name of the consumer.",
  }),
  field({
    key: "description",
    wire: "description",
    codec: str,
    change: "update",
    doc: "A description of the consumer.",
  }),
  field({
    key: "deliverPolicy",
    wire: "deliver_policy",
    codec: oneOf(values(DeliverPolicy)),
    wireDefault: DeliverPolicy.All,
    change: "replace",
    defaultDoc: "all",
    doc: "Where delivery starts: `all`, `last`, `new`, `by_start_sequence` (with `optStartSeq`), `by_start_time` (with `optStartTime`) or `last_per_subject`. Changing it replaces the consumer.",
  }),
  field({
    key: "optStartSeq",
    wire: "opt_start_seq",
    codec: int(1),
    change: "replace",
    doc: "Start sequence for `deliverPolicy: by_start_sequence`.",
  }),
  field({
    key: "optStartTime",
    wire: "opt_start_time",
    codec: time,
    change: "replace",
    doc: "Start time (RFC 3339) for `deliverPolicy: by_start_time`.",
  }),
  field({
    key: "ackPolicy",
    wire: "ack_policy",
    codec: oneOf(values(AckPolicy)),
    wireDefault: AckPolicy.Explicit,
    change: "replace",
    defaultDoc: "explicit",
    doc: "How messages are acknowledged: `explicit` (each one), `all` (cumulative) or `none`. Changing it replaces the consumer.",
  }),
  field({
    key: "ackWait",
    wire: "ack_wait",
    codec: duration,
    change: "update",
    defaultDoc: "30s (the first backoff value when `backoff` is set)",
    doc: "How long to wait for an acknowledgement before redelivering.",
  }),
  field({
    key: "maxDeliver",
    wire: "max_deliver",
    codec: int(-1),
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: "Most delivery attempts of one message.",
  }),
  field({
    key: "backoff",
    wire: "backoff",
    codec: durations,
    change: "update",
    doc: "Redelivery delays, one per attempt (overrides `ackWait`).",
  }),
  field({
    key: "filterSubjects",
    wire: "filter_subjects",
    codec: strings,
    change: "update",
    doc: "Deliver only messages whose subject matches one of these filters.",
  }),
  field({
    key: "replayPolicy",
    wire: "replay_policy",
    codec: oneOf(values(ReplayPolicy)),
    wireDefault: ReplayPolicy.Instant,
    change: "replace",
    defaultDoc: "instant",
    doc: "Deliver as fast as possible (`instant`) or at the original pace (`original`). Changing it replaces the consumer.",
  }),
  field({
    key: "rateLimitBps",
    wire: "rate_limit_bps",
    codec: int(0),
    change: "update",
    doc: "Delivery rate limit in bits per second (push consumers).",
  }),
  field({
    key: "sampleFrequency",
    wire: "sample_freq",
    codec: str,
    change: "update",
    doc: 'Percentage of acknowledgements to sample for latency advisories, e.g. "10%".',
  }),
  field({
    key: "maxWaiting",
    wire: "max_waiting",
    codec: int(1),
    change: "replace",
    defaultDoc: "512 (pull consumers)",
    doc: "Most outstanding pull requests (pull consumers). Changing it replaces the consumer.",
  }),
  field({
    key: "maxAckPending",
    wire: "max_ack_pending",
    codec: int(-1),
    change: "update",
    defaultDoc: "1000 (unless `ackPolicy: none`)",
    doc: "Most messages delivered and not yet acknowledged (-1 for unlimited).",
  }),
  field({
    key: "deliverSubject",
    wire: "deliver_subject",
    codec: str,
    change: deliverSubjectRule,
    doc: "Makes a push consumer that delivers to this subject. Adding or removing it replaces the consumer.",
  }),
  field({
    key: "deliverGroup",
    wire: "deliver_group",
    codec: str,
    change: "update",
    doc: "Queue group of a push consumer's subscribers.",
  }),
  field({
    key: "flowControl",
    wire: "flow_control",
    codec: bool,
    wireDefault: false,
    change: "replace",
    defaultDoc: "false",
    doc: "Flow control for a push consumer (needs `idleHeartbeat`). Changing it replaces the consumer.",
  }),
  field({
    key: "idleHeartbeat",
    wire: "idle_heartbeat",
    codec: duration,
    change: "replace",
    doc: "Heartbeat interval of a push consumer. Changing it replaces the consumer.",
  }),
  field({
    key: "headersOnly",
    wire: "headers_only",
    codec: bool,
    wireDefault: false,
    change: "update",
    defaultDoc: "false",
    doc: "Deliver headers only, with the body's size.",
  }),
  field({
    key: "maxBatch",
    wire: "max_batch",
    codec: int(0),
    change: "update",
    doc: "Largest batch one pull request may ask for.",
  }),
  field({
    key: "maxExpires",
    wire: "max_expires",
    codec: duration,
    change: "update",
    doc: "Longest expiry one pull request may ask for.",
  }),
  field({
    key: "maxBytes",
    wire: "max_bytes",
    codec: size,
    change: "update",
    doc: "Most bytes one pull request may ask for.",
  }),
  field({
    key: "inactiveThreshold",
    wire: "inactive_threshold",
    codec: duration,
    change: "update",
    doc: "Remove the consumer after this long without activity.",
  }),
  field({
    key: "replicas",
    wire: "num_replicas",
    codec: int(0, 5),
    wireDefault: 0,
    change: "update",
    defaultDoc: "the stream's (0)",
    doc: "Replicas of the consumer's state; 0 inherits the stream's.",
  }),
  field({
    key: "memoryStorage",
    wire: "mem_storage",
    codec: bool,
    wireDefault: false,
    change: "replace",
    defaultDoc: "false",
    doc: "Keep the consumer's state in memory only. Changing it replaces the consumer.",
  }),
  field({
    key: "metadata",
    wire: "metadata",
    codec: stringMap,
    change: "update",
    since: "2.10.0",
    doc: "Your own key/value metadata.",
  }),
  field({
    key: "pauseUntil",
    wire: "pause_until",
    codec: time,
    change: "update",
    since: "2.11.0",
    doc: "Pause delivery until this time (RFC 3339).",
  }),
  field({
    key: "priorityGroups",
    wire: "priority_groups",
    codec: strings,
    change: "update",
    since: "2.11.0",
    doc: "Priority group names (pull consumers).",
  }),
  field({
    key: "priorityPolicy",
    wire: "priority_policy",
    codec: oneOf(values(PriorityPolicy)),
    change: "update",
    since: "2.11.0",
    doc: "How pulls in priority groups are served.",
  }),
  field({
    key: "priorityTimeout",
    wire: "priority_timeout",
    codec: duration,
    change: "update",
    since: "2.11.0",
    doc: "Pin timeout for `pinned_client`.",
  }),
] as const;

export type ConsumerConfigInputs = InputsOf<typeof consumerFields>;
