// A durable consumer's replacement keeps its position. The server cannot
// change some consumer fields in place (ackPolicy, deliverPolicy, push <->
// pull), so a replacement deletes the consumer and creates it again; the new
// one would start from its deliver policy: everything delivered again, or
// pending work skipped. Instead the old consumer's ack floor is read right
// before the delete, and the new consumer is created paused, moved to resume
// after that floor (CONSUMER.RESET, as a migration does: migrate.ts), then
// resumed, so it delivers nothing from the wrong place in between.
//
// Where the position cannot be kept (the deliver policy or its start changed,
// a policy the server cannot move, a server before 2.14) the replacement is
// refused at preview with the count of messages delivered again or skipped,
// unless the user agreed (allowDataLoss). On an interest stream the delete
// itself removes messages no other consumer needs: counted too (loss.ts).
import type { ConsumerInfo } from "@nats-io/jetstream";
import type { JetStreamApi, Json } from "./api";
import { ErrorCode, isApiError } from "./errors";
import { atLeast, formatVersion } from "./version";
import type { Version } from "./version";
import { CONSUMER_RESET_MIN_VERSION, canResetPosition, resumeAfter } from "./migrate";
import { filtersOf, interestLoss, subjectCounts } from "./loss";
import type { PlannedLoss, Precision } from "./loss";
import type { Observed, ReplacementHooks } from "./kinds/kind";

/** How long a recreated consumer stays paused at most while its position is restored. */
const PAUSE_WHILE_RESTORING_MS = 60_000;

const START_FIELDS = [
  ["deliver_policy", "deliverPolicy"],
  ["opt_start_seq", "optStartSeq"],
  ["opt_start_time", "optStartTime"],
] as const;

export interface ConsumerApi {
  create(api: JetStreamApi, desired: Json, version: Version): Promise<Observed>;
  observe(api: JetStreamApi, id: string): Promise<Observed | undefined>;
}

function split(id: string): [string, string] {
  const slash = id.indexOf("/");
  return [id.slice(0, slash), id.slice(slash + 1)];
}

async function infoOf(api: JetStreamApi, stream: string, name: string): Promise<ConsumerInfo | undefined> {
  try {
    return await api.consumerInfo(stream, name);
  } catch (err) {
    if (isApiError(err, ErrorCode.ConsumerNotFound, ErrorCode.StreamNotFound)) return undefined;
    throw err;
  }
}

/**
 * Why the new consumer cannot resume where the old one stands, or undefined
 * when it can (pure).
 */
export function positionBlocker(before: Json, after: Json, version: Version): string | undefined {
  const changed = START_FIELDS.filter(([wire]) => before[wire] !== after[wire]).map(([, key]) => key);
  if (changed.length)
    return `${changed.join("/")} changed: the new consumer starts where ${changed.join("/")} says`;
  const policy = String(after.deliver_policy ?? "all");
  if (!canResetPosition(policy))
    return `the server cannot move a consumer with deliverPolicy "${policy}" back to its position`;
  if (!atLeast(version, CONSUMER_RESET_MIN_VERSION))
    return (
      `moving a consumer back to its position needs nats-server ${CONSUMER_RESET_MIN_VERSION} or later ` +
      `(this server is ${formatVersion(version)})`
    );
  return undefined;
}

/** Messages the new consumer delivers again or skips when it starts from its deliver policy. */
async function positionLoss(
  api: JetStreamApi,
  stream: string,
  ci: ConsumerInfo,
  after: Json,
  blocker: string,
  action: string,
  property: string,
): Promise<PlannedLoss | undefined> {
  const pending = ci.num_pending + ci.num_ack_pending;
  const policy = String(after.deliver_policy ?? "all");
  let matching = 0;
  const filters = filtersOf(ci);
  if (filters.includes(">")) matching = (await api.streamInfo(stream)).state.messages;
  else for (const f of filters) for (const n of (await subjectCounts(api, stream, f)).values()) matching += n;
  // Stored messages it reads that are neither pending nor awaiting an ack: already processed (or skipped).
  const processed = Math.max(0, matching - pending);
  let count: number, precision: Precision, effect: string;
  if (policy === "all") {
    count = processed;
    precision = ci.config.deliver_policy === "all" ? "exact" : "about";
    effect = "delivers again the messages it had already processed";
  } else if (policy === "new") {
    [count, precision, effect] = [pending, "exact", "skips the messages it had not processed"];
  } else if (policy === "last" || policy === "last_per_subject") {
    [count, precision, effect] = [pending, "up to", "skips the messages it had not processed"];
  } else {
    [count, precision, effect] = [matching, "up to", "delivers again or skips messages"];
  }
  if (count === 0) return undefined;
  const shown = precision === "exact" ? String(count) : `${precision} ${count}`;
  return {
    property,
    count,
    precision,
    what:
      `${action} loses its position (ack floor ${ci.ack_floor.stream_seq}; ${blocker}): the new consumer ` +
      `starts from deliverPolicy "${policy}" and ${effect}: ${shown} messages`,
    keep:
      "or let the consumer process everything first, or keep deliverPolicy and its start unchanged (a " +
      `replacement then resumes from the acknowledged position, with nats-server ${CONSUMER_RESET_MIN_VERSION}+)`,
  };
}

export function consumerReplacement(consumers: ConsumerApi): ReplacementHooks {
  return {
    async assess(api, version, id, before, after, action, properties) {
      const [stream, name] = split(id);
      const ci = await infoOf(api, stream, name);
      if (!ci) return { losses: [], carriesOver: false };
      const losses: PlannedLoss[] = [];
      const property = properties.join(", ");
      const interest = await interestLoss(api, stream, name, property, action);
      if (interest) losses.push(interest);
      // Another stream or name is another consumer: it starts from its deliver policy by design.
      if (before._stream !== after._stream || before.durable_name !== after.durable_name)
        return { losses, carriesOver: false };
      const blocker = positionBlocker(before, after, version);
      if (blocker) {
        const lost = await positionLoss(api, stream, ci, after, blocker, action, property);
        if (lost) losses.push(lost);
        return { losses, carriesOver: false };
      }
      return { losses, carriesOver: true };
    },

    async capture(api, id) {
      const [stream, name] = split(id);
      const ci = await infoOf(api, stream, name);
      return ci?.ack_floor.stream_seq;
    },

    async recreate(api, desired, version, ackFloor) {
      const stream = String(desired._stream);
      const name = String(desired.durable_name);
      if (ackFloor <= 0) return consumers.create(api, desired, version);
      // Paused until moved: a push consumer would otherwise deliver from its
      // deliver policy's start before the reset lands.
      const pauseUntil = new Date(Date.now() + PAUSE_WHILE_RESTORING_MS).toISOString();
      await consumers.create(api, { ...desired, pause_until: desired.pause_until ?? pauseUntil }, version);
      try {
        await resumeAfter(api, stream, name, ackFloor, api.options.readyDeadlineMs);
      } finally {
        if (desired.pause_until === undefined) await api.consumerPause(stream, name, undefined);
      }
      const observed = await consumers.observe(api, `${stream}/${name}`);
      if (!observed) throw new Error(`Consumer ${stream}/${name} vanished right after it was created`);
      return observed;
    },
  };
}
