// Migrating a stream (or the stream under a KV bucket or object store) to a
// configuration the server cannot apply in place, keeping every message, its
// sequence number and the durable consumers' acknowledged positions.
//
// The migration is a small state machine. Each step is idempotent and the
// state it leaves is recognisable on the server alone, so a rerun after any
// failure (a killed process, a lost server) looks at the two streams and
// carries on from where the last run stopped:
//
//   copy             create MIGRATING_<name>, a mirror of <name> (mirrors keep
//                    sequence numbers); the plan lives in its metadata
//   stop-writes      (window 1 starts) move <name>'s subjects to a placeholder
//   capture          wait until the copy is exact (deletes made by the original
//                    replayed on it; counts, first and last sequence equal);
//                    record the durable consumers and their ack floors
//   delete-original  the copy is now the one complete copy
//   bridge           promote the copy and give it the subjects (window 1
//                    ends): publishers write into the copy meanwhile
//   create-new       create <name> with the new configuration as a mirror of
//                    the copy; it fills while publishers keep writing
//   switch           (window 2 starts) move the copy's subjects to a placeholder
//   promote          wait until <name> is exact, remove its mirror and give it
//                    the subjects and the full configuration (window 2 ends)
//   consumers        recreate the durable consumers and move each to its ack floor
//   cleanup          verify, delete the copy
//
// Publishers therefore see two short gaps that do not grow with the stream's
// size (the copy back happens while the bridge takes writes), instead of one
// gap as long as copying every message back.
import type { ConsumerInfo, StreamInfo } from "@nats-io/jetstream";
import type { JetStreamApi, Json } from "./api";
import { ErrorCode, isApiError } from "./errors";
import { describe, sleep } from "./connection";
import { atLeast, formatVersion } from "./version";
import { subjectsOverlap } from "./names";
import type { Version } from "./version";

export const REPLACE_STRATEGIES = ["refuse", "recreate", "migrate"] as const;
export type ReplaceStrategy = (typeof REPLACE_STRATEGIES)[number];

/** Promoting a mirror (removing its mirror configuration) needs this server. */
export const MIGRATION_MIN_VERSION = "2.12.0";
/** Moving a consumer to a sequence ($JS.API.CONSUMER.RESET) needs this server. */
export const CONSUMER_RESET_MIN_VERSION = "2.14.0";

/**
 * Wire fields a migration can change. Not here: the name (identity),
 * first_seq (a copy keeps the original's sequences), allow_msg_counter (a
 * mirror cannot be a counter and the flag cannot be turned on later) and a
 * changed mirror (a mirror's content comes from its origin).
 */
const MIGRATABLE = new Set([
  "storage",
  "retention",
  "persist_mode",
  "max_consumers",
  "deny_delete",
  "deny_purge",
  "sealed",
  "allow_msg_ttl",
  "allow_msg_schedules",
  "subject_delete_marker_ttl",
  "republish",
]);

export function isMigratable(wire: string): boolean {
  return MIGRATABLE.has(wire);
}

/**
 * Deliver policies whose consumers the server can move to a sequence
 * (CONSUMER.RESET); "new", "last" and "last_per_subject" answer 10204
 * "invalid reset: not allowed" (checked on 2.14.2).
 */
const RESETTABLE_POLICIES: readonly string[] = ["all", "by_start_sequence", "by_start_time"];

export function canResetPosition(deliverPolicy: string | undefined): boolean {
  return RESETTABLE_POLICIES.includes(deliverPolicy ?? "all");
}

/**
 * Moves a consumer so that it resumes right after `ackFloor` (the next
 * message it delivers is ackFloor + 1), as it was before a migration or a
 * replacement, and waits until its leader reports the new floor. Used by the
 * migration and by a consumer's replacement (consumer-position.ts).
 */
export async function resumeAfter(
  api: JetStreamApi,
  stream: string,
  name: string,
  ackFloor: number,
  waitMs: number,
): Promise<ConsumerInfo> {
  await api.consumerReset(stream, name, ackFloor + 1);
  const deadline = Date.now() + Math.max(waitMs, 10_000);
  for (;;) {
    const ci = await api.consumerInfo(stream, name);
    // A replica answering without a leader may report an old floor: ask again.
    const settled = !ci.cluster || ci.cluster.leader;
    if ((settled && ci.ack_floor.stream_seq >= ackFloor) || Date.now() > deadline) return ci;
    await sleep(20);
  }
}

/** Metadata key on the temporary stream holding the migration's plan. */
export const PLAN_KEY = "pulumi-nats.migration";

export function tempName(stream: string): string {
  return `MIGRATING_${stream}`;
}
const stoppedSubject = (stream: string) => `_migrating.${stream}.original`;
const switchedSubject = (stream: string) => `_migrating.${stream}.copy`;

export type Step =
  | "copy"
  | "stop-writes"
  | "capture"
  | "delete-original"
  | "bridge"
  | "create-new"
  | "switch"
  | "promote"
  | "consumers"
  | "cleanup"
  | "rollback";

/** Test hooks: `beforeStep` may throw to simulate a failure between steps. */
export const migrationHooks: {
  beforeStep?: (step: Step, stream: string) => void | Promise<void>;
  log?: (line: string) => void;
} = {};

interface ConsumerRecord {
  name: string;
  config: Json;
  /** Highest stream sequence acknowledged with everything below it (capped at the copy's last sequence). */
  ackFloor: number;
}

interface Counts {
  messages: number;
  firstSeq: number;
  lastSeq: number;
}

interface Plan {
  v: 1;
  stream: string;
  reasons: string[];
  started: string;
  consumers?: ConsumerRecord[];
  /** The durable consumers when the migration started: each must be found again at the capture. */
  durables?: string[];
  /** The original as captured right before it was deleted. */
  before?: Counts;
}

export interface MigrationResult {
  /** False when the server's stream needed no migration (nothing was done). */
  migrated: boolean;
  log: string[];
  before?: Counts;
  after?: Counts;
  /** Publishers' windows without a stream (ms). */
  windowsMs: number[];
  /** From deleting the original to promoting the new stream: no stream by this name (ms). */
  nameGoneMs?: number;
  consumers: { name: string; ackFloor: number }[];
}

export interface MigrationOptions {
  api: JetStreamApi;
  version: Version;
  /** e.g. "Stream EVENTS", for messages. */
  label: string;
  /** The full configuration to end with (the request form: server fields only). */
  desired: Json;
  /**
   * Why the server's current stream needs a migration to `desired` (e.g.
   * "storage file -> memory"); empty when it can be updated in place. Throws
   * when a change can neither be updated nor migrated.
   */
  reasons(): Promise<string[]>;
  /** How long a copy may make no progress before the migration gives up. */
  stallMs: number;
}

class StepError extends Error {}

/** Runs (or resumes) the migration of `desired.name` to `desired`. */
export async function migrate(o: MigrationOptions): Promise<MigrationResult> {
  return new Migration(o).run();
}

/** The plan of a migration in progress for this stream, if any (a rerun must finish it). */
export async function migrationInProgress(api: JetStreamApi, stream: string): Promise<boolean> {
  const t = await info(api, tempName(stream));
  return t !== undefined && readPlan(t)?.stream === stream;
}

/**
 * One-line description of a planned migration, for the preview. Short: the
 * CLI cuts long values at about 150 characters (docs/migrations.md has the rest).
 */
export function describePlan(stream: string, reasons: string[]): string {
  return (
    `${reasons.join("; ")}: migrate via copy ${tempName(stream)}; keeps messages, sequences, ` +
    "consumer positions; 2 short write pauses"
  );
}

class Migration {
  private readonly name: string;
  private readonly temp: string;
  private readonly result: MigrationResult = { migrated: false, log: [], windowsMs: [], consumers: [] };
  private readonly t0 = Date.now();
  private captured = false;
  private windowStart?: number;
  private deletedAt?: number;
  private step: Step = "copy";

  constructor(private readonly o: MigrationOptions) {
    this.name = String(o.desired.name);
    this.temp = tempName(this.name);
  }

  private log(line: string): void {
    const text = `[migrate ${this.name} +${Date.now() - this.t0}ms] ${line}`;
    this.result.log.push(text);
    migrationHooks.log?.(text);
  }

  async run(): Promise<MigrationResult> {
    if (!atLeast(this.o.version, MIGRATION_MIN_VERSION)) {
      throw new Error(
        `${this.o.label}: a migration needs nats-server ${MIGRATION_MIN_VERSION} or later (it promotes a mirror ` +
          `by removing its mirror configuration); this server is ${formatVersion(this.o.version)}.`,
      );
    }
    try {
      for (let i = 0; i < 40; i++) {
        if (await this.next()) return this.result;
      }
      throw new Error("the migration made no progress after 40 steps");
    } catch (err) {
      throw await this.failure(err);
    }
  }

  /** Observes both streams and performs the one step their state calls for; true when finished. */
  private async next(): Promise<boolean> {
    const { api } = this.o;
    const O = await info(api, this.name);
    const T = await info(api, this.temp);
    const plan = T ? readPlan(T) : undefined;
    if (T && plan?.stream !== this.name) {
      throw new StepError(
        `a stream named ${this.temp} exists and is not a migration of ${this.name}; delete or rename it`,
      );
    }
    if (!T) {
      if (!O) throw new StepError(`${this.name} does not exist (run pulumi refresh)`);
      if (this.result.migrated) return true;
      if (O.config.mirror) {
        throw new StepError(
          `${this.name} is a mirror: its messages come from ${O.config.mirror.name}, so it is not migrated; ` +
            'use replaceStrategy: "recreate" (a recreated mirror copies its origin again)',
        );
      }
      const reasons = await this.o.reasons();
      if (!reasons.length) return true;
      await this.do("copy", () => this.copy(O, reasons));
      return false;
    }
    if (T.config.mirror) {
      if (O && !O.config.mirror) {
        if (!(await this.o.reasons()).length) {
          // The declared configuration fits the original again: undo.
          await this.do("rollback", () => this.rollback());
          return true;
        }
        if (!this.stopped(O)) {
          await this.do("stop-writes", () => this.stopWrites(O));
        } else if (!this.captured) {
          await this.do("capture", () => this.capture(plan!));
        } else {
          await this.do("delete-original", () => api.streamDelete(this.name).then(() => undefined));
          this.deletedAt = Date.now();
        }
        return false;
      }
      if (O) throw new StepError(`${this.name} and ${this.temp} are both mirrors: repair by hand`);
      await this.do("bridge", () => this.bridge(T, plan!));
      return false;
    }
    if (!O) {
      await this.do("create-new", () => this.createNew(T));
      return false;
    }
    if (O.config.mirror?.name === this.temp) {
      if (!sameList(T.config.subjects, [switchedSubject(this.name)])) {
        await this.do("switch", () => this.switchWrites());
      } else {
        await this.do("promote", () => this.promote());
      }
      return false;
    }
    if (O.config.mirror)
      throw new StepError(`${this.name} mirrors ${O.config.mirror.name}, not ${this.temp}`);
    await this.do("consumers", () => this.restoreConsumers(plan!));
    await this.do("cleanup", () => this.cleanup(plan!));
    this.result.migrated = true;
    return true;
  }

  private async do(step: Step, run: () => Promise<void>): Promise<void> {
    this.step = step;
    await migrationHooks.beforeStep?.(step, this.name);
    const start = Date.now();
    await run();
    this.log(`step ${step} done in ${Date.now() - start}ms`);
  }

  /** Whether the original takes no writes (a sealed stream takes none and cannot be updated). */
  private stopped(O: StreamInfo): boolean {
    return O.config.sealed || sameList(O.config.subjects, [stoppedSubject(this.name)]);
  }

  // ---- steps ------------------------------------------------------------------

  private async copy(O: StreamInfo, reasons: string[]): Promise<void> {
    const durables = await this.precheck(O);
    const plan: Plan = { v: 1, stream: this.name, reasons, started: new Date().toISOString(), durables };
    this.log(
      `plan: ${reasons.join("; ")}; ${this.name} holds ${O.state.messages} messages ` +
        `(sequences ${O.state.first_seq}..${O.state.last_seq}); copy ${this.temp} on ${O.config.num_replicas} replica(s)`,
    );
    await this.o.api.request(`STREAM.CREATE.${this.temp}`, {
      name: this.temp,
      description: `Temporary copy made while migrating ${this.name}; deleted when the migration ends`,
      mirror: { name: this.name },
      storage: "file",
      retention: "limits",
      num_replicas: O.config.num_replicas,
      placement: O.config.placement,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
      max_msg_size: -1,
      discard: "old",
      metadata: { [PLAN_KEY]: JSON.stringify(plan) },
    });
    // Copy while the original still takes writes, so that the window only waits for the last few.
    await this.waitCopied(this.name, this.temp, false);
    await this.align();
  }

  /** Refuses, before anything changes, what the new stream could not take over. */
  private async precheck(O: StreamInfo): Promise<string[]> {
    const consumers = (await this.consumers(this.name)).filter(isUserDurable);
    const problems: string[] = [];
    const reset = atLeast(this.o.version, CONSUMER_RESET_MIN_VERSION);
    for (const c of consumers) {
      const policy = c.config.deliver_policy;
      const resettable = canResetPosition(policy);
      const open = c.num_pending + c.num_ack_pending > 0;
      if (!resettable && open) {
        problems.push(
          `consumer ${c.name} (deliver policy ${policy}) has ${c.num_pending + c.num_ack_pending} unacknowledged ` +
            "messages, and the server cannot move such a consumer back to its position: let it catch up first",
        );
      }
      if (resettable && c.ack_floor.stream_seq > 0 && !reset) {
        problems.push(
          `consumer ${c.name} has acknowledged messages; restoring its position needs nats-server ` +
            `${CONSUMER_RESET_MIN_VERSION} or later (this server is ${formatVersion(this.o.version)})`,
        );
      }
    }
    if (this.o.desired.retention === "workqueue") {
      for (const c of consumers) {
        if (c.config.ack_policy !== "explicit")
          problems.push(`consumer ${c.name}: a work-queue stream needs explicit acks`);
        if (c.config.deliver_policy !== "all")
          problems.push(`consumer ${c.name}: a work-queue stream needs deliver policy all`);
      }
      const filters = (c: ConsumerInfo) =>
        c.config.filter_subjects?.length
          ? c.config.filter_subjects
          : c.config.filter_subject
            ? [c.config.filter_subject]
            : [">"];
      consumers.forEach((c, i) =>
        consumers.slice(0, i).forEach((other) => {
          if (filters(c).some((a) => filters(other).some((b) => subjectsOverlap(a, b))))
            problems.push(
              `consumers ${other.name} and ${c.name}: a work-queue stream needs non-overlapping filters`,
            );
        }),
      );
    }
    void O;
    if (problems.length) throw new StepError(`cannot migrate: ${problems.join("; ")}`);
    return consumers.map((c) => c.name);
  }

  private async stopWrites(O: StreamInfo): Promise<void> {
    // Removing the subjects, not sealing: a failure before the original is
    // deleted can be rolled back by giving the subjects back.
    this.windowStart = Date.now();
    await this.o.api.request(`STREAM.UPDATE.${this.name}`, {
      ...(O.config as unknown as Json),
      subjects: [stoppedSubject(this.name)],
    });
    this.log(
      `writes to ${this.name} stopped (subjects moved to ${stoppedSubject(this.name)}): window 1 starts`,
    );
  }

  private async capture(plan: Plan): Promise<void> {
    await this.waitCopied(this.name, this.temp, true);
    await this.align();
    const { api } = this.o;
    const o = await api.streamInfo(this.name);
    const t = await api.streamInfo(this.temp);
    const exact =
      t.state.messages === o.state.messages &&
      (o.state.messages === 0 || t.state.first_seq === o.state.first_seq) &&
      (t.state.last_seq === o.state.last_seq ||
        !(await this.hasMessageFrom(this.name, t.state.last_seq + 1)));
    if (!exact) {
      throw new StepError(
        `the copy differs from the original: ${this.name} ${counts(o)}, ${this.temp} ${counts(t)}`,
      );
    }
    const copyLast = t.state.last_seq;
    const listed = (await this.consumers(this.name)).filter(isUserDurable);
    const lost = (plan.durables ?? []).filter((n) => !listed.some((c) => c.name === n));
    if (lost.length) {
      // Deleted on purpose meanwhile, or not listed: ask each one directly.
      for (const n of lost) {
        const found = await this.leaderInfo(this.name, n).catch((err) => {
          if (isApiError(err, ErrorCode.ConsumerNotFound)) return undefined;
          throw err;
        });
        if (found) listed.push(found);
        else this.log(`consumer ${n} existed when the migration started and is gone now: not restored`);
      }
    }
    // A replica answering for a consumer without a leader may report an old floor.
    const infos = await Promise.all(
      listed.map((c) => (c.cluster && !c.cluster.leader ? this.leaderInfo(this.name, c.name) : c)),
    );
    const consumers = infos.map((c) => ({
      name: c.name,
      config: consumerConfig(c),
      ackFloor: Math.min(c.ack_floor.stream_seq, copyLast),
    }));
    const next: Plan = { ...plan, consumers, before: countsOf(o) };
    await this.writePlan(t, next);
    this.captured = true;
    this.result.before = countsOf(o);
    this.log(
      `copy verified: ${this.name} ${counts(o)} = ${this.temp} ${counts(t)}; consumers ` +
        (consumers.map((c) => `${c.name}@${c.ackFloor}`).join(", ") || "none"),
    );
  }

  private async bridge(T: StreamInfo, plan: Plan): Promise<void> {
    if (!plan.consumers) this.log(`warning: ${this.name} vanished before its consumers were recorded`);
    const d = this.o.desired;
    const t = T.config as unknown as Json;
    const { mirror: _mirror, ...rest } = t;
    if (T.state.messages === 0 && plan.before && plan.before.lastSeq > T.state.last_seq) {
      // An empty original: keep its numbering going.
      await this.o.api.streamPurge(this.temp, { seq: plan.before.lastSeq + 1 });
    }
    await this.o.api.request(`STREAM.UPDATE.${this.temp}`, {
      ...rest,
      mirror_direct: false,
      subjects: d.subjects,
      subject_transform: d.subject_transform,
      duplicate_window: d.duplicate_window,
      max_msg_size: d.max_msg_size,
      allow_rollup_hdrs: d.allow_rollup_hdrs,
      allow_msg_ttl: Boolean(d.allow_msg_ttl) || Boolean(t.allow_msg_ttl),
    });
    this.endWindow(`${this.temp} takes the writes`);
  }

  private async createNew(T: StreamInfo): Promise<void> {
    await this.createMirrorOfCopy();
    this.log(`${this.name} created as a mirror of ${this.temp} (${counts(T)})`);
    await this.waitCopied(this.temp, this.name, false);
  }

  /** The new stream while it fills from the copy: the new configuration as a mirror, without limits. */
  private newMirrorConfig(): Json {
    const d = this.o.desired;
    const mirrorConfig: Json = {
      ...d,
      mirror: { name: this.temp },
      // What a mirror cannot have; the promotion sets them.
      subjects: undefined,
      sources: undefined,
      first_seq: undefined,
      subject_transform: undefined,
      republish: undefined,
      sealed: false,
      allow_atomic: false,
      allow_batched: false,
      allow_msg_schedules: false,
      allow_msg_counter: false,
      mirror_direct: false,
      duplicate_window: undefined,
      // Unlimited while copying, so the copy can be compared message for message.
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
      max_msg_size: -1,
      discard: "old",
      discard_new_per_subject: false,
    };
    return stripUndefined(mirrorConfig);
  }

  /**
   * Restarts the new stream's copying: after a fault the server retries a
   * mirror's source only every 30 s or more. The new stream is a partial
   * copy of the copy, which holds every message: deleting and creating it
   * again is safe.
   */
  private async refill(): Promise<void> {
    await this.o.api.streamDelete(this.name).catch((err) => {
      if (!isApiError(err, ErrorCode.StreamNotFound)) throw err;
    });
    await this.createMirrorOfCopy();
  }

  /**
   * Creates the new stream as a mirror of the copy. The copy stopped being a
   * mirror of the original at the bridge, but on a loaded cluster the meta
   * leader can still check the create against the copy's previous
   * configuration and refuse it as a cycle (seen once in CI, with no server
   * down): ask again until it has caught up.
   */
  private async createMirrorOfCopy(): Promise<void> {
    const deadline = Date.now() + this.o.stallMs;
    for (let refused = 0; ; refused++) {
      try {
        await this.o.api.request(`STREAM.CREATE.${this.name}`, this.newMirrorConfig());
        if (refused)
          this.log(`the create was refused ${refused} time(s) as a cycle until the servers caught up`);
        return;
      } catch (err) {
        const staleCycle =
          isApiError(err, ErrorCode.StreamInvalidConfig) &&
          /cycle/i.test(describe(err)) &&
          !(await this.copyIsMirror());
        if (!staleCycle || Date.now() > deadline) throw err;
      }
      await sleep(100);
    }
  }

  /** Whether the copy still mirrors another stream (then a cycle refusal is real). */
  private async copyIsMirror(): Promise<boolean> {
    const t = await info(this.o.api, this.temp);
    return Boolean(t?.config.mirror);
  }

  private async switchWrites(): Promise<void> {
    // On a rerun the new stream may still be filling: fill it before the window.
    await this.waitCopied(this.temp, this.name, false);
    const T = await this.o.api.streamInfo(this.temp);
    this.windowStart = Date.now();
    await this.o.api.request(`STREAM.UPDATE.${this.temp}`, {
      ...(T.config as unknown as Json),
      subjects: [switchedSubject(this.name)],
    });
    this.log(`writes to ${this.temp} stopped: window 2 starts`);
  }

  private async promote(): Promise<void> {
    await this.waitCopied(this.temp, this.name, true);
    const { api } = this.o;
    const t = await api.streamInfo(this.temp);
    const n = await api.streamInfo(this.name);
    if (n.state.messages !== t.state.messages || n.state.last_seq !== t.state.last_seq) {
      throw new StepError(
        `the new stream differs from the copy: ${this.name} ${counts(n)}, ${this.temp} ${counts(t)}`,
      );
    }
    await api.streamUpdate(stripUndefined({ ...this.o.desired }));
    this.endWindow(`${this.name} promoted with the new configuration (${counts(n)})`);
    if (this.deletedAt) this.result.nameGoneMs = Date.now() - this.deletedAt;
  }

  private async restoreConsumers(plan: Plan): Promise<void> {
    const { api } = this.o;
    for (const c of plan.consumers ?? []) {
      let ci = await this.leaderInfo(this.name, c.name).catch((err) => {
        if (isApiError(err, ErrorCode.ConsumerNotFound)) return undefined;
        throw err;
      });
      if (!ci) {
        ci = await api.request<ConsumerInfo>(`CONSUMER.CREATE.${this.name}.${c.name}`, {
          stream_name: this.name,
          config: c.config,
          action: "create",
        });
      }
      if (ci.ack_floor.stream_seq < c.ackFloor) {
        const policy = String(c.config.deliver_policy);
        if (canResetPosition(policy)) {
          ci = await resumeAfter(api, this.name, c.name, c.ackFloor, this.o.stallMs);
        } else {
          this.log(`warning: consumer ${c.name} (deliver policy ${policy}) starts after the newest message`);
        }
      }
      this.result.consumers.push({ name: c.name, ackFloor: ci.ack_floor.stream_seq });
      this.log(
        `consumer ${c.name} restored: ack floor ${ci.ack_floor.stream_seq} (was ${c.ackFloor}), ` +
          `${ci.num_pending} pending`,
      );
    }
  }

  private async cleanup(plan: Plan): Promise<void> {
    const { api } = this.o;
    const n = await api.streamInfo(this.name);
    if (plan.before && n.state.last_seq < plan.before.lastSeq && n.state.messages < plan.before.messages) {
      // Not a proof of loss (new limits may trim), but worth saying before the copy goes.
      this.log(`note: ${this.name} now ${counts(n)}; before ${fmtCounts(plan.before)} (new limits applied)`);
    }
    await api.streamDelete(this.temp).catch((err) => {
      if (!isApiError(err, ErrorCode.StreamNotFound)) throw err;
    });
    this.result.after = countsOf(n);
    this.result.before ??= plan.before;
    this.log(
      `done: before ${plan.before ? fmtCounts(plan.before) : "?"}; after ${counts(n)}; publisher windows ` +
        `${this.result.windowsMs.map((w) => `${w}ms`).join(" + ") || "(earlier run)"}` +
        (this.deletedAt ? `; no stream named ${this.name} for ${this.result.nameGoneMs}ms, ` : "") +
        (this.deletedAt ? `consumers back after ${Date.now() - this.deletedAt}ms` : ""),
    );
  }

  private async rollback(): Promise<void> {
    // The declared configuration is the original's again: give the subjects back, drop the copy.
    const O = await this.o.api.streamInfo(this.name);
    if (!O.config.sealed && this.stopped(O)) {
      await this.o.api.request(`STREAM.UPDATE.${this.name}`, {
        ...(O.config as unknown as Json),
        subjects: this.o.desired.subjects,
      });
    }
    await this.o.api.streamDelete(this.temp);
    this.log(`rolled back: ${this.name} takes writes again, ${this.temp} deleted`);
  }

  // ---- helpers -----------------------------------------------------------------

  private endWindow(what: string): void {
    if (this.windowStart === undefined) {
      this.log(`${what}: window ends (it started in an earlier run)`);
      return;
    }
    const ms = Date.now() - this.windowStart;
    this.result.windowsMs.push(ms);
    this.windowStart = undefined;
    this.log(`${what}: window ends after ${ms}ms`);
  }

  /** Waits until `dst` (a mirror of `src`) holds everything `src` holds; `exact` when `src` takes no writes. */
  private async waitCopied(src: string, dst: string, exact: boolean): Promise<void> {
    const { api } = this.o;
    let last = -1;
    const started = Date.now();
    let progressAt = started;
    let kickedAt = started;
    let kicks = 0;
    const kick = dst === this.name ? () => this.refill() : undefined;
    for (let poll = 0; ; poll++) {
      const s = await api.streamInfo(src);
      const d = await api.streamInfo(dst);
      if (d.state.last_seq >= s.state.last_seq) return;
      // Under a steady stream of writes the copy may never be level at the
      // moment it is looked at: after a while close is enough (the window
      // copies the rest). Not at once: a new mirror needs ~0.1s to start.
      const lag = s.state.last_seq - d.state.last_seq;
      if (!exact && lag <= CLOSE_ENOUGH && Date.now() - started > 2_000) return;
      if (d.state.messages >= s.state.messages && !(await this.hasMessageFrom(src, d.state.last_seq + 1)))
        return;
      if (d.state.last_seq !== last) {
        last = d.state.last_seq;
        progressAt = Date.now();
      } else if (kick && kicks < 3 && Date.now() - Math.max(progressAt, kickedAt) > KICK_AFTER_MS) {
        this.log(`${dst} made no progress for ${KICK_AFTER_MS}ms (at ${d.state.last_seq}): created again`);
        await kick();
        kickedAt = Date.now();
        kicks++;
      } else if (Date.now() - progressAt > this.o.stallMs) {
        throw new StepError(
          `${dst} stopped copying from ${src} at sequence ${d.state.last_seq} of ${s.state.last_seq}` +
            (d.mirror?.error ? ` (${d.mirror.error.description})` : ""),
        );
      }
      // Quick while it matters (a window is open, or the copy is about to be level), then gently.
      await sleep(poll < 200 ? 5 : 50);
    }
  }

  /** Replays on the copy what the original removed (limits, acks of a work queue, deletes). */
  private async align(): Promise<void> {
    const { api } = this.o;
    const o = await api.streamInfoDeleted(this.name);
    const t = await api.streamInfoDeleted(this.temp);
    let removed = 0;
    if (t.state.messages > 0 && t.state.first_seq < o.state.first_seq) {
      const upTo = Math.min(o.state.first_seq, t.state.last_seq + 1);
      removed += (await api.streamPurge(this.temp, { seq: upTo })).purged;
    }
    const gone = new Set(t.state.deleted ?? []);
    for (const seq of o.state.deleted ?? []) {
      if (seq < o.state.first_seq || seq > t.state.last_seq || gone.has(seq)) continue;
      try {
        await api.streamMsgDelete(this.temp, seq);
        removed++;
      } catch (err) {
        if (!isApiError(err, NO_MESSAGE)) throw err;
      }
    }
    if (removed) this.log(`removed ${removed} messages from the copy that ${this.name} no longer holds`);
  }

  private async hasMessageFrom(stream: string, seq: number): Promise<boolean> {
    try {
      await this.o.api.streamMsgNext(stream, seq);
      return true;
    } catch (err) {
      if (isApiError(err, NO_MESSAGE)) return false;
      throw err;
    }
  }

  /**
   * Every consumer of the stream. On a cluster a consumer without a leader
   * (an election after a server died) is left out of a listing and named in
   * `missing`: list again until none is missing, or fail the step (a
   * migration must not go on without a consumer's position).
   */
  private async consumers(stream: string): Promise<ConsumerInfo[]> {
    const deadline = Date.now() + this.o.stallMs;
    for (;;) {
      const out: ConsumerInfo[] = [];
      const missing: string[] = [];
      for (;;) {
        const page = await this.o.api.consumerList(stream, out.length);
        const list = page.consumers ?? [];
        out.push(...list);
        missing.push(...(page.missing ?? []));
        if (!list.length || out.length >= page.total) break;
      }
      if (!missing.length) return out;
      if (Date.now() > deadline) {
        throw new StepError(`consumers ${missing.join(", ")} of ${stream} did not answer (no leader)`);
      }
      await sleep(250);
    }
  }

  /** Consumer info from its leader (on a cluster); a leaderless answer comes from any replica. */
  private async leaderInfo(stream: string, name: string): Promise<ConsumerInfo> {
    const deadline = Date.now() + this.o.stallMs;
    for (;;) {
      const ci = await this.o.api.consumerInfo(stream, name);
      if (!ci.cluster || ci.cluster.leader || Date.now() > deadline) return ci;
      await sleep(100);
    }
  }

  private async writePlan(T: StreamInfo, plan: Plan): Promise<void> {
    await this.o.api.request(`STREAM.UPDATE.${this.temp}`, {
      ...(T.config as unknown as Json),
      metadata: { ...(T.config.metadata ?? {}), [PLAN_KEY]: JSON.stringify(plan) },
    });
  }

  /** The error a user sees: which step failed, where the data is, how to resume or roll back. */
  private async failure(err: unknown): Promise<Error> {
    const { api } = this.o;
    const O = await info(api, this.name).catch(() => undefined);
    const T = await info(api, this.temp).catch(() => undefined);
    let where: string;
    if (O && !O.config.mirror && (!T || T.config.mirror)) {
      where = `${this.name} still holds every message${T ? ` (${this.temp} is a partial copy)` : ""}`;
      if (O && this.stopped(O))
        where += `; writes to it are stopped (its subjects are ${stoppedSubject(this.name)})`;
    } else if (T && !O) {
      where = `${this.temp} holds every message (${counts(T)}); ${this.name} is deleted`;
    } else if (T && O?.config.mirror) {
      where = `${this.temp} holds every message (${counts(T)}); ${this.name} is a copy being filled from it`;
    } else if (T && O) {
      where = `${this.name} holds every message in its new configuration (${counts(O)}); ${this.temp} is a spare copy`;
    } else {
      where = "the servers could not be asked where the messages are";
    }
    const rollback =
      "To roll back, declare the previous configuration (keep replaceStrategy: migrate) and run `pulumi up`: " +
      "the migration finishes towards whatever configuration is declared.";
    const message =
      `${this.o.label}: migration failed at step "${this.step}": ${describe(err).replace(/\.$/, "")}. ` +
      `Data: ${where}. ` +
      `To resume, run \`pulumi up\` again (the migration continues from the servers' state; do not delete ` +
      `${this.temp}). ${rollback}`;
    return new Error(message, { cause: err });
  }
}

const NO_MESSAGE = 10037;
/** Messages a copy may lag behind a source that still takes writes before writes are stopped. */
const CLOSE_ENOUGH = 200;
/** How long the new stream may copy nothing before it is created again (see refill). */
const KICK_AFTER_MS = 5_000;

async function info(api: JetStreamApi, name: string): Promise<StreamInfo | undefined> {
  try {
    return await api.streamInfo(name);
  } catch (err) {
    if (isApiError(err, ErrorCode.StreamNotFound)) return undefined;
    throw err;
  }
}

function readPlan(T: StreamInfo): Plan | undefined {
  const text = T.config.metadata?.[PLAN_KEY];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Plan;
  } catch {
    return undefined;
  }
}

/**
 * A durable consumer of the user's: not the internal consumer of a mirror or
 * source (which on a work-queue origin is listed like a durable one).
 */
function isUserDurable(c: ConsumerInfo): boolean {
  const config = c.config as ConsumerInfo["config"] & { direct?: boolean; sourcing?: boolean };
  const internal =
    config.direct === true ||
    config.sourcing === true ||
    Object.keys(config.metadata ?? {}).some(
      (k) => k.startsWith("_nats.mirror.") || k.startsWith("_nats.source"),
    );
  return Boolean(config.durable_name) && !internal;
}

/** A consumer's configuration to recreate it with: the server's copy without its own metadata. */
function consumerConfig(c: ConsumerInfo): Json {
  const config = { ...(c.config as unknown as Json) };
  const metadata = config.metadata as Record<string, string> | undefined;
  if (metadata) {
    const mine = Object.fromEntries(Object.entries(metadata).filter(([k]) => !k.startsWith("_nats")));
    config.metadata = Object.keys(mine).length ? mine : undefined;
  }
  return stripUndefined(config);
}

function countsOf(s: StreamInfo): Counts {
  return { messages: s.state.messages, firstSeq: s.state.first_seq, lastSeq: s.state.last_seq };
}
function fmtCounts(c: Counts): string {
  return `${c.messages} messages, sequences ${c.firstSeq}..${c.lastSeq}`;
}
function counts(s: StreamInfo): string {
  return fmtCounts(countsOf(s));
}

function sameList(a: string[] | undefined, b: string[]): boolean {
  return (a ?? []).length === b.length && b.every((x, i) => a![i] === x);
}

function stripUndefined(json: Json): Json {
  return Object.fromEntries(Object.entries(json).filter(([k, v]) => v !== undefined && !k.startsWith("_")));
}
