// Errors the core raises. Input problems carry the field path so a user knows
// exactly what to change; server errors keep the server's own error code so
// code can branch on the number, never on the message text.

/** One problem with one input field. */
export interface InputProblem {
  /** Path of the input, e.g. `maxAge` or `sources[1].filterSubject`. */
  property: string;
  /** What is wrong, the value received, and what to change. */
  reason: string;
}

/** Every problem found in a set of inputs, reported at once. */
export class InputError extends Error {
  constructor(
    readonly resource: string,
    readonly problems: InputProblem[],
  ) {
    super(`${resource}: invalid input:\n` + problems.map((p) => `  - ${p.property}: ${p.reason}`).join("\n"));
    this.name = "InputError";
  }
}

/** Error codes of the JetStream API this package branches on. */
export const ErrorCode = {
  StreamNotFound: 10059,
  ConsumerNotFound: 10014,
  StreamNameInUse: 10058,
  ConsumerAlreadyExists: 10148,
  ConsumerDoesNotExist: 10149,
  StreamInvalidConfig: 10052,
  ConsumerCreate: 10012,
  SubjectsOverlap: 10065,
  ReplicasNotSupported: 10074,
  TemporarilyUnavailable: 10008,
  Pedantic: 10157,
  InsufficientResources: 10023,
  NoSuitablePeers: 10005,
  ClusterNoPeers: 10039,
  StreamUpdate: 10069,
  InsufficientStorage: 10047,
  /** "account requires a stream config to have max bytes set" (the account's max_bytes_required). */
  StreamMaxBytesRequired: 10113,
  /** "stream max bytes exceeds account limit max stream bytes" */
  StreamMaxStreamBytesExceeded: 10122,
  /** "maximum number of streams reached" (the account's max_streams). */
  MaximumStreamsLimit: 10027,
  /** "maximum consumers limit reached" (the account's max_consumers). */
  MaximumConsumersLimit: 10026,
  /** "insufficient memory resources available" (memory storage). */
  InsufficientMemory: 10028,
  /** "error creating store for stream" */
  StreamStoreFailed: 10049,
  /** A consumer with more replicas than its stream. */
  ConsumerReplicasExceedStream: 10126,
  /** "consumer subject filters cannot overlap" */
  ConsumerFiltersOverlap: 10138,
  /** "consumer deliver subject forms a cycle" */
  ConsumerDeliverCycle: 10081,
} as const;

/** An error answered by the JetStream API, with its numeric code. */
export class JetStreamApiError extends Error {
  constructor(
    /** The JetStream error code (`err_code`), e.g. 10059. */
    readonly code: number,
    /** The HTTP-like status (`code`), e.g. 404. */
    readonly status: number,
    readonly description: string,
    readonly subject: string,
  ) {
    super(`${description} (JetStream error ${code})`);
    this.name = "JetStreamApiError";
  }
}

/**
 * The server refused a configuration for a reason that belongs to one input:
 * the message names that input first, then keeps the server's own words and
 * code. An expected refusal, like an InputError: reported without a stack.
 */
export class ServerRefusalError extends Error {
  constructor(
    /** The input to change, e.g. `mirror/sources` or `replicas`. */
    readonly property: string,
    readonly serverError: JetStreamApiError,
    /** What to change, when the server's description does not say. */
    hint?: string,
  ) {
    super(
      `${property}: ${serverError.description}${hint ? `; ${hint}` : ""} (JetStream error ${serverError.code})`,
      { cause: serverError },
    );
    this.name = "ServerRefusalError";
  }
}

interface ErrorField {
  codes: readonly number[];
  /** For the generic "invalid configuration" codes: which description this row is about. */
  description?: RegExp;
  property: string;
  /** What to change, when the server's description does not say; `label` is the asset's kind. */
  hint?: (label: string) => string;
}

/**
 * Server error -> input: THE one table. First match wins, so the specific
 * descriptions of the generic code 10052 ("stream configuration invalid")
 * come before its fallbacks. From nats-server 2.14's errors.json and the
 * descriptions stream.go (checkStreamCfg) gives 10052.
 */
export const SERVER_ERROR_FIELDS: readonly ErrorField[] = [
  {
    codes: [ErrorCode.StreamInvalidConfig],
    description: /detected cycle/,
    property: "mirror/sources",
    hint: () => "the stream would copy from itself, directly or through streams that copy from it",
  },
  {
    codes: [ErrorCode.StreamInvalidConfig],
    description: /republish destination forms a cycle/,
    property: "republish.dest",
    hint: () => "the destination overlaps the stream's own subjects; choose one outside them",
  },
  { codes: [ErrorCode.StreamInvalidConfig], description: /republish/, property: "republish" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /duplicates window/, property: "duplicateWindow" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /max age/, property: "maxAge" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /placement/, property: "placement" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /maximum replicas/, property: "replicas" },
  {
    codes: [ErrorCode.StreamInvalidConfig],
    description: /subject delete marker/i,
    property: "subjectDeleteMarkerTtl",
  },
  { codes: [ErrorCode.StreamInvalidConfig], description: /counter stream/, property: "allowMsgCounter" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /message schedul/, property: "allowMsgSchedules" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /persist mode/, property: "persistMode" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /roll-ups/, property: "allowRollup" },
  {
    codes: [ErrorCode.StreamInvalidConfig],
    description: /discard new per subject/,
    property: "discardNewPerSubject",
  },
  { codes: [ErrorCode.StreamInvalidConfig], description: /description/, property: "description" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /metadata/, property: "metadata" },
  { codes: [ErrorCode.StreamInvalidConfig], description: /subject/, property: "subjects" },
  {
    codes: [ErrorCode.ConsumerReplicasExceedStream],
    property: "replicas",
    hint: () => "a consumer cannot have more replicas than its stream; lower it (or leave it unset)",
  },
  {
    codes: [ErrorCode.ConsumerFiltersOverlap],
    property: "filterSubjects",
    hint: () => "a consumer's filters must not overlap; remove the narrower one",
  },
  {
    codes: [ErrorCode.ConsumerDeliverCycle],
    property: "deliverSubject",
    hint: () => "the deliver subject overlaps the stream's subjects; choose one outside them",
  },
  {
    codes: [ErrorCode.ReplicasNotSupported],
    property: "replicas",
    hint: () => "the server is not clustered, so only replicas: 1 is possible",
  },
  {
    codes: [ErrorCode.InsufficientResources, ErrorCode.NoSuitablePeers, ErrorCode.ClusterNoPeers],
    property: "replicas/placement",
    hint: (label) =>
      `the cluster cannot place this ${label}; lower replicas to at most the number of servers ` +
      "(zones, when unique tags are set) or fix placement",
  },
  {
    // A memory stream beyond max_memory_store answers 10028, a file one 10047.
    codes: [ErrorCode.InsufficientStorage, ErrorCode.InsufficientMemory],
    property: "maxBytes/storage",
    hint: (label) =>
      `the server, or the account, has not enough reserved storage left for this ${label}; lower maxBytes, ` +
      "or raise the server's max_file_store/max_memory_store or the account's JetStream maxFile/maxMemory " +
      "(NatsCluster auth.accounts[].jetstream)",
  },
  // The limits of the account the connection's user belongs to (NatsCluster auth.accounts[].jetstream).
  {
    codes: [ErrorCode.StreamMaxBytesRequired],
    property: "maxBytes",
    hint: (label) => `the account requires every ${label} to set maxBytes (its JetStream maxBytesRequired)`,
  },
  {
    codes: [ErrorCode.StreamMaxStreamBytesExceeded],
    property: "maxBytes",
    hint: () => "lower it to at most the account's maxFileStreamBytes/maxMemoryStreamBytes",
  },
  {
    codes: [ErrorCode.MaximumStreamsLimit],
    property: "name",
    hint: () => "the account already has its maxStreams streams; remove one or raise the account's limit",
  },
  {
    codes: [ErrorCode.MaximumConsumersLimit],
    property: "name",
    hint: () => "the account already has its maxConsumers consumers; remove one or raise the account's limit",
  },
  {
    codes: [ErrorCode.SubjectsOverlap],
    property: "subjects",
    hint: () => "another stream already stores these subjects",
  },
];

/** The server error as a ServerRefusalError naming its input, or unchanged when the table has no row for it. */
export function explainServerError(err: unknown, label: string): unknown {
  if (!(err instanceof JetStreamApiError)) return err;
  const row = SERVER_ERROR_FIELDS.find(
    (r) => r.codes.includes(err.code) && (!r.description || r.description.test(err.description)),
  );
  return row ? new ServerRefusalError(row.property, err, row.hint?.(label)) : err;
}

/** The operation cannot run without losing data the user has not agreed to lose. */
export class DataLossError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataLossError";
  }
}

/** JetStream did not become usable within the configured time. */
export class NotReadyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotReadyError";
  }
}

export function isApiError(err: unknown, ...codes: number[]): err is JetStreamApiError {
  return err instanceof JetStreamApiError && (codes.length === 0 || codes.includes(err.code));
}
