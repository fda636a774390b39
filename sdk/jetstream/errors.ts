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
  /** "insufficient memory resources available" (memory storage). */
  InsufficientMemory: 10028,
  /** "error creating store for stream" */
  StreamStoreFailed: 10049,
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
