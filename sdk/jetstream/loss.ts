// How many messages a planned change would remove, counted on the server
// before anything changes, so that `pulumi preview` can refuse it (or show it,
// once agreed). Two kinds of loss live here:
//
// - a limit lowered below what a stream (KV bucket, object store) holds: the
//   server applies the new limit at once (checked on nats-server 2.14.2):
//     max_msgs, max_bytes        trim the oldest messages, with discard "old"
//                                only: with discard "new" the stream keeps
//                                them and refuses new writes instead
//     max_msgs_per_subject       trims each subject's oldest, with either discard
//     max_age                    removes what is older than the new age, with either
//
// - a consumer deleted from an interest stream (its replacement deletes it
//   first): the server removes every message no remaining consumer is
//   interested in; with no other consumer, all of them. A work-queue stream
//   keeps its messages when its consumer is deleted.
//
// Counting is exact where the server can tell (by sequence, per subject, by
// time) and says "about" or "up to" where it cannot.
import type { ConsumerInfo, StreamInfo } from "@nats-io/jetstream";
import type { JetStreamApi, Json } from "./api";
import { ErrorCode, isApiError } from "./errors";
import type { Field } from "./fields";
import { allConsumers } from "./removal";

/** How sure a count is. */
export type Precision = "exact" | "about" | "up to";

/** Messages one planned change removes. */
export interface PlannedLoss {
  /** The input whose change causes the loss (as the user names it). */
  property: string;
  count: number;
  precision: Precision;
  /** What happens, short enough for a preview note, e.g. "maxMsgs 10 -> 4 removes 6 of 10 messages". */
  what: string;
  /** How to keep the messages, besides keeping the current configuration or agreeing with allowDataLoss. */
  keep: string;
}

/** The count as a user reads it: "6", "about 6", "up to 6". */
export function showCount(loss: Pick<PlannedLoss, "count" | "precision">): string {
  return loss.precision === "exact" ? String(loss.count) : `${loss.precision} ${loss.count}`;
}

/**
 * ONE refusal for every loss of one resource: what is lost, with the count,
 * and the three ways out (keep, agree, or act first).
 */
export function refusal(resource: string, losses: readonly PlannedLoss[]): string {
  const what = losses.map((l) => l.what).join("; ");
  const properties = [...new Set(losses.map((l) => l.property))];
  const fields = `${properties.join(", ")} as ${properties.length > 1 ? "they are" : "it is"}`;
  const keep = [...new Set(losses.map((l) => l.keep))].join("; ");
  return (
    `${resource}: ${what}. To avoid it: keep ${fields}, ${keep}; or set allowDataLoss: true on this ` +
    "resource to accept the loss (the preview then shows it as plannedDataLoss)."
  );
}

/** The preview note for agreed losses (the CLI cuts values at about 150 characters: keep it short). */
export function note(resource: string, losses: readonly PlannedLoss[]): string {
  return `${resource}: ${losses.map((l) => l.what).join("; ")}`;
}

// ---- limits ------------------------------------------------------------------

/** Wire limits whose lowering removes messages, and under which discard policy. */
const TRIMMING_LIMITS: Record<string, { onlyDiscardOld: boolean }> = {
  max_msgs: { onlyDiscardOld: true },
  max_bytes: { onlyDiscardOld: true },
  max_msgs_per_subject: { onlyDiscardOld: false },
  max_age: { onlyDiscardOld: false },
};

/** The wire names whose lowering can remove stored data. */
export const TRIMMING_WIRES: readonly string[] = Object.keys(TRIMMING_LIMITS);

/** Whether lowering this limit removes messages only with discard "old". */
export function trimsOnlyWithDiscardOld(wire: string): boolean {
  return TRIMMING_LIMITS[wire]?.onlyDiscardOld ?? false;
}

/** A limit value: 0 or below is "unlimited" (-1 for counts and bytes, 0 for max age). */
function limited(value: unknown): value is number {
  return typeof value === "number" && value > 0;
}

/**
 * The limits this change tightens, and whose new value the server applies by
 * removing messages (pure: no server call). `before` and `after` are canonical
 * wire configurations.
 */
export function tightenedLimits(rows: readonly Field[], before: Json, after: Json): Field[] {
  return rows.filter((row) => {
    const rule = TRIMMING_LIMITS[row.wire];
    if (!rule) return false;
    const next = after[row.wire];
    const old = before[row.wire];
    if (!limited(next) || (limited(old) && next >= old)) return false;
    return !(rule.onlyDiscardOld && (after.discard ?? "old") === "new");
  });
}

/**
 * Counts, on the server, the messages each tightened limit would remove from
 * `stream` right now. Limits still above what the stream holds count nothing.
 */
export async function limitLosses(
  api: JetStreamApi,
  stream: string,
  rows: readonly Field[],
  before: Json,
  after: Json,
  dataNoun: string,
  now = Date.now(),
): Promise<PlannedLoss[]> {
  const tightened = tightenedLimits(rows, before, after);
  if (!tightened.length) return [];
  let info: StreamInfo;
  try {
    info = await api.streamInfo(stream);
  } catch (err) {
    if (isApiError(err, ErrorCode.StreamNotFound)) return [];
    throw err;
  }
  const { messages, bytes } = info.state;
  if (messages === 0) return [];
  const losses: PlannedLoss[] = [];
  for (const row of tightened) {
    const limit = after[row.wire] as number;
    const shown = `${row.key} ${show(row, before[row.wire])} -> ${show(row, limit)}`;
    let counted: { count: number; precision: Precision; keep: string } | undefined;
    switch (row.wire) {
      case "max_msgs":
        counted = {
          count: Math.max(0, messages - limit),
          precision: "exact",
          keep: `or give ${row.key} ${messages} or more`,
        };
        break;
      case "max_bytes":
        counted = {
          ...overBytes(messages, bytes, limit),
          keep: `or give ${row.key} ${bytes} bytes or more`,
        };
        break;
      case "max_msgs_per_subject": {
        const perSubject = await subjectCounts(api, stream, ">");
        const most = Math.max(0, ...perSubject.values());
        let count = 0;
        for (const n of perSubject.values()) count += Math.max(0, n - limit);
        counted = { count, precision: "exact", keep: `or give ${row.key} ${most} or more` };
        break;
      }
      case "max_age": {
        const cutoff = now - limit / 1e6;
        const oldest = Date.parse(info.state.first_ts);
        counted = {
          count: await olderThan(api, info, cutoff),
          precision: "exact",
          keep: `or give ${row.key} more than ${describeAge(now - oldest)} (the oldest message's age)`,
        };
        break;
      }
    }
    if (counted && counted.count > 0) {
      losses.push({
        property: row.key,
        count: counted.count,
        precision: counted.precision,
        what: `${shown} removes ${showCount(counted)} of its ${messages} ${dataNoun}`,
        keep: counted.keep,
      });
    }
  }
  return losses;
}

/**
 * Oldest messages removed to get under `limit` bytes: an estimate from the
 * average message size (the server does not say how large each one is).
 */
export function overBytes(
  messages: number,
  bytes: number,
  limit: number,
): { count: number; precision: Precision } {
  if (bytes <= limit || messages === 0) return { count: 0, precision: "exact" };
  const average = bytes / messages;
  const count = Math.min(messages, Math.ceil((bytes - limit) / average));
  return { count, precision: count === messages ? "exact" : "about" };
}

/** How many messages each subject matching `filter` holds (the stream info's subject state, paged). */
export async function subjectCounts(
  api: JetStreamApi,
  stream: string,
  filter: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let offset = 0; ;) {
    const page = await api.request<StreamInfo & { total?: number; limit?: number }>(`STREAM.INFO.${stream}`, {
      subjects_filter: filter,
      offset,
    });
    const subjects = page.state.subjects ?? {};
    const names = Object.keys(subjects);
    for (const s of names) out.set(s, subjects[s]);
    offset += names.length;
    if (!names.length || offset >= (page.total ?? 0)) return out;
  }
}

/** Messages stored before `cutoff` (ms): those below the first sequence at or after it. */
async function olderThan(api: JetStreamApi, info: StreamInfo, cutoff: number): Promise<number> {
  const { messages, first_seq: first, num_deleted: deletedCount } = info.state;
  if (Date.parse(info.state.first_ts) >= cutoff) return 0;
  const at = await firstSeqAtOrAfter(api, info.config.name, cutoff);
  if (at === undefined) return messages;
  if (!deletedCount) return at - first;
  // Sequences deleted inside the range are not messages: take them out.
  const detailed = await api.streamInfoDeleted(info.config.name);
  const inside = (detailed.state.deleted ?? []).filter((seq) => seq >= first && seq < at).length;
  return at - first - inside;
}

/**
 * The sequence of the first message stored at or after `time` (ms), or
 * undefined when every message is older: one direct question to the server
 * (STREAM.MSG.GET by start_time, servers 2.11 and later), else a binary search
 * over the sequences.
 */
export async function firstSeqAtOrAfter(
  api: JetStreamApi,
  stream: string,
  time: number,
): Promise<number | undefined> {
  try {
    const r = await api.request<{ message: { seq: number } }>(`STREAM.MSG.GET.${stream}`, {
      start_time: new Date(time).toISOString(),
    });
    return r.message.seq;
  } catch (err) {
    if (isApiError(err, NO_MESSAGE)) return undefined;
    if (!isApiError(err)) throw err;
  }
  // An older server: search by sequence, each probe reading the next stored message's time.
  const info = await api.streamInfo(stream);
  let lo = info.state.first_seq;
  let hi = info.state.last_seq + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const next = await messageFrom(api, stream, mid);
    if (!next || next.seq >= hi) hi = mid;
    else if (Date.parse(next.time) >= time) hi = mid;
    else lo = next.seq + 1;
  }
  return lo > info.state.last_seq ? undefined : ((await messageFrom(api, stream, lo))?.seq ?? undefined);
}

async function messageFrom(
  api: JetStreamApi,
  stream: string,
  seq: number,
): Promise<{ seq: number; time: string } | undefined> {
  try {
    const r = await api.request<{ message: { seq: number; time: string } }>(`STREAM.MSG.GET.${stream}`, {
      seq,
      next_by_subj: ">",
    });
    return r.message;
  } catch (err) {
    if (isApiError(err, NO_MESSAGE)) return undefined;
    throw err;
  }
}

const NO_MESSAGE = 10037;

function show(row: Field, wire: unknown): string {
  if (!limited(wire)) return "unlimited";
  try {
    const v = row.codec.decode(wire);
    return typeof v === "string" ? v : JSON.stringify(v);
  } catch {
    return JSON.stringify(wire);
  }
}

function describeAge(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.ceil(s / 60)}m`;
  if (s < 172800) return `${Math.ceil(s / 3600)}h`;
  return `${Math.ceil(s / 86400)}d`;
}

// ---- consumers on interest streams -----------------------------------------------

/** The filters a consumer reads (">" for all). */
export function filtersOf(c: Pick<ConsumerInfo, "config">): string[] {
  const config = c.config as ConsumerInfo["config"];
  if (config.filter_subjects?.length) return config.filter_subjects;
  return config.filter_subject ? [config.filter_subject] : [">"];
}

/** Whether every subject matching `inner` also matches `outer` (token by token). */
export function subjectCovers(outer: string, inner: string): boolean {
  const o = outer.split(".");
  const i = inner.split(".");
  for (let k = 0; k < o.length; k++) {
    if (o[k] === ">") return k < i.length;
    if (k >= i.length) return false;
    if (i[k] === ">") return false;
    if (o[k] === "*") continue;
    if (i[k] === "*" || o[k] !== i[k]) return false;
  }
  return o.length === i.length;
}

/**
 * Messages the server removes from an interest stream when `consumer` is
 * deleted: all of them when no other consumer is left; none when another
 * consumer reads everything this one reads from no later position; otherwise
 * at most the messages this one still needs. Nothing for other retentions.
 */
export async function interestLoss(
  api: JetStreamApi,
  stream: string,
  consumer: string,
  property: string,
  action: string,
): Promise<PlannedLoss | undefined> {
  let info: StreamInfo;
  let mine: ConsumerInfo;
  try {
    info = await api.streamInfo(stream);
    mine = await api.consumerInfo(stream, consumer);
  } catch (err) {
    if (isApiError(err, ErrorCode.StreamNotFound, ErrorCode.ConsumerNotFound)) return undefined;
    throw err;
  }
  if (info.config.retention !== "interest" || info.state.messages === 0) return undefined;
  const others = (await allConsumers(api, stream)).filter((c) => c.name !== consumer);
  const keep =
    "or give the new configuration to a consumer with another name first and remove this one once the new " +
    "one reads (interest streams keep messages while any consumer needs them)";
  const what = (count: string) =>
    `${action} deletes it first, and on interest stream ${stream} the server then removes ${count} of its ` +
    `${info.state.messages} messages that no other consumer needs`;
  if (!others.length) {
    const count = info.state.messages;
    return { property, count, precision: "exact", what: what(String(count)), keep };
  }
  const floor = mine.ack_floor.stream_seq;
  const covered = others.some(
    (o) =>
      o.ack_floor.stream_seq <= floor &&
      o.config.ack_policy !== "none" &&
      filtersOf(mine).every((f) => filtersOf(o).some((g) => subjectCovers(g, f))),
  );
  const count = Math.min(mine.num_pending + mine.num_ack_pending, info.state.messages);
  if (covered || count === 0) return undefined;
  return { property, count, precision: "up to", what: what(`up to ${count}`), keep };
}
