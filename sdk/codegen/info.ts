// The `info` output of the JetStream resources: what the server reports after
// create, update and refresh (kinds/stream-like.ts and kinds/consumer.ts build
// it). Kept here as a table with docs; tests/provider checks that every key a
// real server's answer produces is declared.
export interface InfoField {
  key: string;
  type: "string" | "integer" | "boolean";
  doc: string;
  /** Absent from some answers (a single server has no cluster; `paused` is sent only when true). */
  optional?: true;
}

export const streamInfoFields: InfoField[] = [
  { key: "streamName", type: "string", doc: "Name of the underlying stream." },
  { key: "messages", type: "integer", doc: "Messages stored." },
  { key: "bytes", type: "integer", doc: "Bytes stored." },
  { key: "firstSeq", type: "integer", doc: "Sequence of the first stored message." },
  { key: "lastSeq", type: "integer", doc: "Sequence of the last stored message." },
  { key: "created", type: "string", doc: "When the stream was created (RFC 3339)." },
  { key: "cluster", type: "string", doc: "Name of the cluster the stream is placed in.", optional: true },
  { key: "leader", type: "string", doc: "Server leading the stream's replicas.", optional: true },
];

export const consumerInfoFields: InfoField[] = [
  { key: "streamName", type: "string", doc: "Name of the stream the consumer reads." },
  { key: "pending", type: "integer", doc: "Messages not yet delivered." },
  { key: "ackPending", type: "integer", doc: "Messages delivered and not yet acknowledged." },
  { key: "redelivered", type: "integer", doc: "Messages being redelivered." },
  { key: "ackFloorStreamSeq", type: "integer", doc: "Stream sequence below which all is acknowledged." },
  { key: "deliveredStreamSeq", type: "integer", doc: "Stream sequence of the last delivered message." },
  { key: "created", type: "string", doc: "When the consumer was created (RFC 3339)." },
  { key: "paused", type: "boolean", doc: "Whether delivery is paused (`pauseUntil`).", optional: true },
];
