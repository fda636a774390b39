// The consumer kind: durable consumers on a stream, pull or push. Defaults
// that depend on other fields (ack wait, max ack pending, max waiting) are
// filled in as the server would, so pedantic mode accepts the request and a
// second preview shows no change.
import type { ConsumerInfo } from "@nats-io/jetstream";
import { encodeAll } from "../fields";
import type { Json } from "../api";
import { ErrorCode, isApiError } from "../errors";
import type { InputProblem } from "../errors";
import { assetNameProblem, subjectProblem } from "../names";
import { parseDuration } from "../units";
import { consumerFields } from "../tables/consumer";
import type { Kind, Observed } from "./kind";
import { filterOverlapProblems } from "./cycles";
import { canonicalFromServer, compact } from "./canonical";
import { consumerReplacement } from "../consumer-position";
import { recordedOwner } from "../ownership";
import { consumerInfoTable, readInfo } from "../tables/info";

const DEFAULT_ACK_WAIT_NS = parseDuration("30s");
const DEFAULT_MAX_ACK_PENDING = 1000;
const DEFAULT_MAX_WAITING = 512;
const DEFAULT_PINNED_TTL_NS = parseDuration("2m");

export function consumerDesired(config: Record<string, unknown>): Json {
  const { wire } = encodeAll(consumerFields, config);
  const acks = wire.ack_policy !== "none";
  const backoff = wire.backoff as number[] | undefined;
  if (wire.ack_wait === undefined && acks) wire.ack_wait = backoff?.length ? backoff[0] : DEFAULT_ACK_WAIT_NS;
  if (wire.max_ack_pending === undefined && acks) wire.max_ack_pending = DEFAULT_MAX_ACK_PENDING;
  if (wire.max_waiting === undefined && wire.deliver_subject === undefined)
    wire.max_waiting = DEFAULT_MAX_WAITING;
  // The server fills a pin timeout of 2m for pinned_client (consumer.go,
  // setConsumerConfigDefaults); without it every refresh shows a false diff.
  if (wire.priority_policy === "pinned_client" && wire.priority_timeout === undefined)
    wire.priority_timeout = DEFAULT_PINNED_TTL_NS;
  return wire;
}

/** The request body: one filter travels as `filter_subject`, understood by every server. */
function requestBody(desired: Json): Json {
  const { _stream, filter_subjects, ...config } = desired;
  void _stream;
  const filters = (filter_subjects as string[] | undefined) ?? [];
  if (filters.length === 1) config.filter_subject = filters[0];
  else if (filters.length > 1) config.filter_subjects = filters;
  return compact(config);
}

function observed(info: ConsumerInfo): Observed {
  const server = info.config as unknown as Json;
  const canonical = canonicalFromServer(consumerFields, server);
  const filters = server.filter_subject ? [server.filter_subject] : server.filter_subjects;
  if (filters) canonical.filter_subjects = filters;
  canonical._stream = info.stream_name;
  return {
    config: canonical,
    messages: info.num_pending + info.num_ack_pending,
    info: readInfo(consumerInfoTable, info) as unknown as Json,
    owner: recordedOwner(server),
  };
}

/**
 * A stream's consumerLimits make the server (in pedantic mode) demand an
 * explicit inactive threshold and max ack pending: name the inputs to set.
 */
function explainStreamLimits(err: unknown): unknown {
  if (!isApiError(err, ErrorCode.Pedantic) || !/stream limits/.test(err.message)) return err;
  return new Error(
    `inactiveThreshold/maxAckPending: the stream sets consumerLimits, so the consumer must set ` +
      `inactiveThreshold and maxAckPending explicitly, within those limits (${err.message})`,
    { cause: err },
  );
}

function split(id: string): [string, string] {
  const slash = id.indexOf("/");
  return [id.slice(0, slash), id.slice(slash + 1)];
}

export const consumerKind: Kind = {
  label: "consumer",
  typeName: "Consumer",
  dataNoun: "messages pending delivery or acknowledgement",
  holdsData: false,
  rows: consumerFields,
  id: (config) => `${config.stream}/${config.name}`,
  desired: consumerDesired,

  validate(config, w): InputProblem[] {
    const problems: InputProblem[] = [];
    const add = (property: string, reason: string | undefined) =>
      reason && problems.push({ property, reason });
    add("stream", typeof config.stream === "string" ? assetNameProblem(config.stream) : "is required");
    add("name", typeof config.name === "string" ? assetNameProblem(config.name) : "is required");
    const filters = (config.filterSubjects as string[] | undefined) ?? [];
    filters.forEach((s, i) => add(`filterSubjects[${i}]`, subjectProblem(s)));
    problems.push(...filterOverlapProblems(filters));
    const policy = w.deliver_policy;
    if (policy === "by_start_sequence" && w.opt_start_seq === undefined)
      add("optStartSeq", 'is required with deliverPolicy "by_start_sequence"');
    if (policy !== "by_start_sequence" && w.opt_start_seq !== undefined)
      add("optStartSeq", 'needs deliverPolicy "by_start_sequence"');
    if (policy === "by_start_time" && w.opt_start_time === undefined)
      add("optStartTime", 'is required with deliverPolicy "by_start_time"');
    if (policy !== "by_start_time" && w.opt_start_time !== undefined)
      add("optStartTime", 'needs deliverPolicy "by_start_time"');
    const push = w.deliver_subject !== undefined;
    if (push) {
      add("deliverSubject", subjectProblem(String(w.deliver_subject), false));
      for (const [key, wire] of [
        ["maxWaiting", "max_waiting"],
        ["maxBatch", "max_batch"],
        ["maxExpires", "max_expires"],
        ["maxBytes", "max_bytes"],
        ["priorityGroups", "priority_groups"],
      ] as const) {
        if (w[wire] !== undefined)
          add(key, "applies to pull consumers only (remove deliverSubject, or remove this field)");
      }
    } else {
      for (const key of ["deliverGroup", "flowControl", "idleHeartbeat", "rateLimitBps"] as const) {
        if (config[key] !== undefined && config[key] !== false)
          add(key, "applies to push consumers only (set deliverSubject)");
      }
    }
    if (w.flow_control && !w.idle_heartbeat) add("flowControl", "needs idleHeartbeat");
    const backoff = (w.backoff as number[] | undefined) ?? [];
    if (backoff.length) {
      if (w.ack_policy === "none") add("backoff", 'needs an ackPolicy other than "none"');
      if (config.ackWait !== undefined && w.ack_wait !== backoff[0])
        add("ackWait", "must equal the first backoff value (or leave it unset)");
      const maxDeliver = Number(w.max_deliver);
      if (maxDeliver !== -1 && backoff.length > maxDeliver)
        add("backoff", `has ${backoff.length} entries but maxDeliver is ${maxDeliver}`);
    }
    if (w.ack_policy === "none" && config.maxAckPending !== undefined)
      add("maxAckPending", 'has no effect with ackPolicy "none"');
    if (config.ackWait !== undefined && Number(w.ack_wait) <= 0) add("ackWait", "must be positive");
    if (w.max_deliver === 0) add("maxDeliver", "must be -1 (unlimited) or at least 1");
    if (w.max_ack_pending === 0) add("maxAckPending", "must be -1 (unlimited) or at least 1");
    const sample = w.sample_freq;
    if (typeof sample === "string" && !/^(100|[1-9]?\d)%?$/.test(sample))
      add("sampleFrequency", 'must be a percentage from 0 to 100, e.g. "10%"');
    const groups = (w.priority_groups as string[] | undefined) ?? [];
    if (groups.length && (w.priority_policy === undefined || w.priority_policy === "none"))
      add("priorityPolicy", "is required with priorityGroups");
    if (!groups.length && w.priority_policy !== undefined && w.priority_policy !== "none")
      add("priorityGroups", "are required with a priorityPolicy");
    const metadata = (config.metadata as Record<string, string> | undefined) ?? {};
    for (const key of Object.keys(metadata)) {
      if (key.startsWith("_nats")) add(`metadata.${key}`, 'keys beginning with "_nats" belong to the server');
    }
    return problems;
  },

  async observe(api, id) {
    const [stream, name] = split(id);
    try {
      return observed(await api.consumerInfo(stream, name));
    } catch (err) {
      if (isApiError(err, ErrorCode.ConsumerNotFound, ErrorCode.StreamNotFound)) return undefined;
      throw err;
    }
  },

  async create(api, desired) {
    const stream = String(desired._stream);
    const deadline = Date.now() + api.options.readyDeadlineMs;
    for (;;) {
      try {
        return observed(await api.consumerCreate(stream, requestBody(desired), "create"));
      } catch (err) {
        // A meta leader elected moments ago may still be applying its log and
        // answer "stream not found" for a stream created just before. Only
        // while the stream itself answers is that retried; a stream that
        // truly is missing fails at once.
        if (isApiError(err, ErrorCode.StreamNotFound) && Date.now() < deadline) {
          const exists = await api.streamInfo(stream).then(
            () => true,
            () => false,
          );
          if (exists) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            continue;
          }
        }
        throw explainStreamLimits(err);
      }
    }
  },

  async update(api, desired, changed) {
    const stream = String(desired._stream);
    const body = requestBody(desired);
    if (changed.includes("pause_until")) {
      await api.consumerPause(stream, String(body.durable_name), body.pause_until as string | undefined);
    }
    return observed(await api.consumerCreate(stream, body, "update"));
  },

  async remove(api, id) {
    const [stream, name] = split(id);
    try {
      await api.consumerDelete(stream, name);
    } catch (err) {
      if (!isApiError(err, ErrorCode.ConsumerNotFound, ErrorCode.StreamNotFound)) throw err;
    }
  },
};
consumerKind.replacement = consumerReplacement(consumerKind);
