// The `info` output of the JetStream resources: what the server reported in
// the answer the provider already asked for (create, update, refresh), so
// `pulumi refresh` shows a stream's use and a consumer's lag at no extra API
// call. ONE table per answer: each row is the output's key, its schema type,
// its docs and how it is read from the server's answer. The kinds build the
// output from it (kinds/stream-like.ts, kinds/consumer.ts), the schema and
// the reference docs describe it from it (sdk/codegen), and the TypeScript
// types below are checked against it by the compiler (InfoTable).
//
// The output is never configuration: diff compares only the field tables'
// rows, and refresh writes drift only into those rows (core.ts), so a
// counter that moves never shows as a change in a preview.
import type { ConsumerInfo, StreamInfo } from "@nats-io/jetstream";

/** A stream's (or bucket's) state as its last create, update or refresh read it. */
export interface StreamInfoOutput {
  streamName: string;
  messages: number;
  bytes: number;
  firstSeq: number;
  firstTimestamp?: string;
  lastSeq: number;
  lastTimestamp?: string;
  deletedCount: number;
  subjectCount: number;
  consumerCount: number;
  created: string;
  cluster?: string;
  leader?: string;
}

/** A consumer's position and lag as its last create, update or refresh read them. */
export interface ConsumerInfoOutput {
  streamName: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  waiting: number;
  deliveredStreamSeq: number;
  deliveredConsumerSeq: number;
  ackFloorStreamSeq: number;
  ackFloorConsumerSeq: number;
  created: string;
  cluster?: string;
  leader?: string;
  paused?: boolean;
}

export type InfoType = "string" | "integer" | "boolean";

export interface InfoField<Answer, Value> {
  type: InfoType;
  doc: string;
  /** Absent from some answers (a single server has no cluster; an empty stream has no first message). */
  optional?: true;
  read(answer: Answer): Value | undefined;
}

/** One row per key of the output type, each reading a value of that key's type. */
export type InfoTable<Answer, Output> = {
  [K in keyof Output]-?: InfoField<Answer, NonNullable<Output[K]>>;
};

/** A row as the schema and the docs see it. */
export interface InfoRow {
  key: string;
  type: InfoType;
  doc: string;
  optional?: true;
}

/** The server writes Go's zero time for "no message": reported as absent. */
const ZERO_TIME = /^0001-01-01T00:00:00/;
const timestamp = (value: string | undefined): string | undefined =>
  value && !ZERO_TIME.test(value) ? value : undefined;

export const streamInfoTable: InfoTable<StreamInfo, StreamInfoOutput> = {
  streamName: { type: "string", doc: "Name of the underlying stream.", read: (i) => i.config.name },
  messages: { type: "integer", doc: "Messages stored.", read: (i) => i.state.messages },
  bytes: { type: "integer", doc: "Bytes stored.", read: (i) => i.state.bytes },
  firstSeq: {
    type: "integer",
    doc: "Sequence of the first stored message.",
    read: (i) => i.state.first_seq,
  },
  firstTimestamp: {
    type: "string",
    doc: "When the first stored message was stored (RFC 3339); absent while the stream holds none.",
    optional: true,
    read: (i) => (i.state.messages > 0 ? timestamp(i.state.first_ts) : undefined),
  },
  lastSeq: { type: "integer", doc: "Sequence of the last stored message.", read: (i) => i.state.last_seq },
  lastTimestamp: {
    type: "string",
    doc: "When the last message was stored (RFC 3339); absent before the first one.",
    optional: true,
    read: (i) => timestamp(i.state.last_ts),
  },
  deletedCount: {
    type: "integer",
    doc: "Messages deleted between the first and the last sequence (gaps).",
    // The server omits zero counts.
    read: (i) => i.state.num_deleted ?? 0,
  },
  subjectCount: {
    type: "integer",
    doc: "Distinct subjects of the stored messages.",
    read: (i) => i.state.num_subjects ?? 0,
  },
  consumerCount: {
    type: "integer",
    doc: "Consumers on the stream.",
    read: (i) => i.state.consumer_count ?? 0,
  },
  created: { type: "string", doc: "When the stream was created (RFC 3339).", read: (i) => i.created },
  cluster: {
    type: "string",
    doc: "Name of the cluster the stream is placed in.",
    optional: true,
    read: (i) => i.cluster?.name,
  },
  leader: {
    type: "string",
    doc: "Server leading the stream's replicas.",
    optional: true,
    read: (i) => i.cluster?.leader,
  },
};

export const consumerInfoTable: InfoTable<ConsumerInfo, ConsumerInfoOutput> = {
  streamName: { type: "string", doc: "Name of the stream the consumer reads.", read: (i) => i.stream_name },
  pending: {
    type: "integer",
    doc: "Messages of the stream (matching the filter) not yet delivered: the consumer's lag.",
    read: (i) => i.num_pending,
  },
  ackPending: {
    type: "integer",
    doc: "Messages delivered and not yet acknowledged.",
    read: (i) => i.num_ack_pending,
  },
  redelivered: {
    type: "integer",
    doc: "Messages delivered more than once and not yet acknowledged.",
    read: (i) => i.num_redelivered,
  },
  waiting: {
    type: "integer",
    doc: "Pull requests waiting for messages (0 for a push consumer).",
    read: (i) => i.num_waiting ?? 0,
  },
  deliveredStreamSeq: {
    type: "integer",
    doc: "Stream sequence of the last delivered message.",
    read: (i) => i.delivered?.stream_seq ?? 0,
  },
  deliveredConsumerSeq: {
    type: "integer",
    doc: "Deliveries made by the consumer, redeliveries included (its own sequence).",
    read: (i) => i.delivered?.consumer_seq ?? 0,
  },
  ackFloorStreamSeq: {
    type: "integer",
    doc: "Stream sequence at and below which every message is acknowledged.",
    read: (i) => i.ack_floor?.stream_seq ?? 0,
  },
  ackFloorConsumerSeq: {
    type: "integer",
    doc: "Consumer sequence at and below which every delivery is acknowledged.",
    read: (i) => i.ack_floor?.consumer_seq ?? 0,
  },
  created: { type: "string", doc: "When the consumer was created (RFC 3339).", read: (i) => i.created },
  cluster: {
    type: "string",
    doc: "Name of the cluster the consumer is placed in.",
    optional: true,
    read: (i) => i.cluster?.name,
  },
  leader: {
    type: "string",
    doc: "Server leading the consumer's replicas.",
    optional: true,
    read: (i) => i.cluster?.leader,
  },
  paused: {
    type: "boolean",
    doc: "Whether delivery is paused (`pauseUntil`); sent only when true.",
    optional: true,
    read: (i) => (i.paused ? true : undefined),
  },
};

/** The output for one server answer: every row read, absent values left out. */
export function readInfo<Answer, Output>(table: InfoTable<Answer, Output>, answer: Answer): Output {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries<InfoField<Answer, unknown>>(table)) {
    const value = field.read(answer);
    if (value !== undefined) out[key] = value;
  }
  return out as Output;
}

/** The rows in table order, for the schema and the reference docs. */
export function infoRows<Answer, Output>(table: InfoTable<Answer, Output>): InfoRow[] {
  return Object.entries<InfoField<Answer, unknown>>(table).map(([key, f]) => ({
    key,
    type: f.type,
    doc: f.doc,
    ...(f.optional ? { optional: true as const } : {}),
  }));
}
