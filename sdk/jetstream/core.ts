// The provider core: check, diff, create, read, update and delete for every
// JetStream kind, on plain values. It knows nothing of Pulumi's dynamic
// provider or plugin plumbing: the dynamic resources (dynamic.ts) and the
// plugin provider for other languages (sdk/provider) both call it.
import { encodeAll, deepEqual } from "./fields";
import type { Field, ChangeKind } from "./fields";
import { DataLossError, InputError, ErrorCode, isApiError, explainServerError } from "./errors";
import type { InputProblem } from "./errors";
import { session } from "./connection";
import type { ResolvedConnection, Session } from "./connection";
import { accountProblems } from "./account-limits";
import type { Json } from "./api";
import type { Kind, Observed } from "./kinds/kind";
import { atLeast, formatVersion } from "./version";
import type { Version } from "./version";
import { containsUnknown } from "./unknowns";
import { streamKind } from "./kinds/stream";
import { consumerKind } from "./kinds/consumer";
import { keyValueKind, objectStoreKind } from "./kinds/buckets";
import {
  REPLACE_STRATEGIES,
  MIGRATION_MIN_VERSION,
  describePlan,
  isMigratable,
  migrate,
  migrationInProgress,
} from "./migrate";
import type { ReplaceStrategy, MigrationResult } from "./migrate";
import { note, refusal } from "./loss";
import type { PlannedLoss } from "./loss";
import { consumerRemovalLoss, describeConsumerLoss } from "./removal";
import {
  OWNER_INPUT,
  RESERVED_METADATA_PREFIX,
  claimOf,
  mayDelete,
  recordsOwner,
  withOwner,
} from "./ownership";
import { SIZE_UNITS, SIZE_UNITS_KEY, asRecorded } from "./legacy-units";

/** Secret parts of a connection, kept apart so they can be stored as secrets. */
export interface Credentials {
  password?: string;
  token?: string;
  nkeySeed?: string;
  creds?: string;
  tlsKey?: string;
  kubeconfig?: string;
}

/** Inputs that steer the provider and are not part of the asset's configuration. */
export interface ControlInputs {
  connection: ResolvedConnection;
  credentials?: Credentials;
  /** Allow replacing or deleting an asset that holds data (its data is lost). */
  allowDataLoss?: boolean;
  /** Take over an asset that already exists instead of failing. */
  adopt?: boolean;
  /**
   * What to do with a change the server cannot make in place: `refuse` while
   * the asset holds data (default), `recreate` (the data is lost, as with
   * allowDataLoss) or `migrate` (copied through a temporary stream, see migrate.ts).
   */
  replaceStrategy?: ReplaceStrategy;
}

export const CONTROL_KEYS = [
  "connection",
  "credentials",
  "allowDataLoss",
  "adopt",
  "replaceStrategy",
] as const;
/**
 * Informational inputs that check adds so that `pulumi preview --diff` shows
 * what an update will do; never configuration, never compared, dropped from outputs.
 */
export const PLAN_KEYS = ["plannedMigration", "plannedDataLoss", "sizeUnitsChange"] as const;
/** Keys the engine adds to inputs and outputs; never user configuration. */
const ENGINE_KEYS = new Set(["__provider", "info", OWNER_INPUT, SIZE_UNITS_KEY, ...PLAN_KEYS]);

export type Props = Record<string, unknown>;

export interface FieldChange {
  /** The input's name. */
  property: string;
  kind: ChangeKind;
  /** Why a change needs a replacement, in the server's terms. */
  why?: string;
  /** A replacement done as a migration (replaceStrategy: migrate): reported as an update. */
  migrate?: boolean;
}

export interface DiffResult {
  changes: boolean;
  /** Inputs whose change forces a replacement. */
  replaces: string[];
  /** Always true for a replacement: two assets cannot share a name. */
  deleteBeforeReplace: boolean;
  fields: FieldChange[];
  /** Set when an agreed replacement destroys data: what is lost, with the count. */
  dataLoss?: string;
}

export interface CheckResult {
  inputs: Props;
  failures: InputProblem[];
}

export class AssetCore {
  /**
   * Replacements whose data loss the user agreed to in this process. For a
   * replacement the engine calls diff with the new inputs, then delete with
   * the old state, whose allowDataLoss may still be false: the agreement seen
   * by diff must reach that delete. Diff and delete of one update run in the
   * same provider process, so memory is the right place for it.
   */
  readonly agreedReplacements = new Set<string>();

  /**
   * Replacements that carry the old asset's state over (a consumer's
   * position): marked by diff, captured by the delete, applied by the create
   * that follow in the same process.
   */
  private readonly carryOver = new Set<string>();
  private readonly captured = new Map<string, number>();

  /** Every input key check accepts, built once: check runs for every asset on every preview (see bench/). */
  private readonly knownKeys: ReadonlySet<string>;

  constructor(readonly kind: Kind) {
    this.knownKeys = new Set<string>([...kind.rows.map((r) => r.key), ...CONTROL_KEYS, ...ENGINE_KEYS]);
  }

  /** The asset's configuration inputs (the rows' keys only). */
  config(props: Props): Record<string, unknown> {
    // A plain loop: called several times per operation, for every asset (see bench/).
    const out: Record<string, unknown> = {};
    for (const r of this.kind.rows) if (props[r.key] !== undefined) out[r.key] = props[r.key];
    return out;
  }

  /** The recorded inputs' configuration as the server received it (see legacy-units.ts). */
  recorded(olds: Props): Record<string, unknown> {
    return asRecorded(this.kind.rows, olds ?? {}, this.config(olds ?? {}));
  }

  /** Validates every input locally, reporting each problem with its field; no server call. */
  check(news: Props): CheckResult {
    const failures: InputProblem[] = [];
    const unknown = Object.fromEntries(Object.entries(news).filter(([k]) => !this.knownKeys.has(k)));
    // Fields not known yet (preview) are checked when the engine calls again with their values.
    const all = this.config(news);
    const config = Object.fromEntries(Object.entries(all).filter(([, v]) => !containsUnknown(v)));
    const pending = Object.keys(all).length !== Object.keys(config).length;
    const { problems } = encodeAll(this.kind.rows, { ...config, ...unknown });
    failures.push(...problems);
    if (!pending) {
      // Name and cross-field rules run on the fields that encoded, so a bad
      // duration does not hide a bad name: every problem is reported at once.
      const bad = new Set(problems.map((p) => p.property));
      const clean = Object.fromEntries(Object.entries(config).filter(([k]) => !bad.has(k)));
      const rules = this.kind.validate(clean, this.kind.desired(clean));
      failures.push(...rules.filter((p) => !bad.has(p.property.split(/[.[]/)[0])));
    }
    failures.push(...reservedMetadataProblems(config));
    const conn = news.connection as ResolvedConnection | undefined;
    if (containsUnknown(conn)) {
      // Known once the cluster it points at exists; checked again then.
    } else if (!conn || !conn.servers || (Array.isArray(conn.servers) && conn.servers.length === 0)) {
      failures.push({ property: "connection.servers", reason: "is required: give at least one NATS URL" });
    }
    // The account's JetStream limits NatsCluster puts in its connections (account-limits.ts).
    const account = conn?.account;
    if (!pending && account && !containsUnknown(account)) {
      const bad = new Set(problems.map((p) => p.property));
      const clean = Object.fromEntries(Object.entries(config).filter(([k]) => !bad.has(k)));
      failures.push(...accountProblems(this.kind, encodeAll(this.kind.rows, clean).wire, account));
    }
    for (const key of ["allowDataLoss", "adopt"] as const) {
      if (news[key] !== undefined && typeof news[key] !== "boolean") {
        failures.push({ property: key, reason: `expected true or false, got ${JSON.stringify(news[key])}` });
      }
    }
    const strategy = news.replaceStrategy;
    if (strategy !== undefined && !containsUnknown(strategy)) {
      if (!REPLACE_STRATEGIES.includes(strategy as ReplaceStrategy)) {
        failures.push({
          property: "replaceStrategy",
          reason: `expected one of ${REPLACE_STRATEGIES.join(", ")}, got ${JSON.stringify(strategy)}`,
        });
      } else if (strategy === "migrate" && !this.kind.holdsData) {
        failures.push({
          property: "replaceStrategy",
          reason: `a ${this.kind.label} holds no messages to migrate`,
        });
      }
    }
    // The mark travels with the inputs the engine records (see legacy-units.ts).
    return { inputs: { ...news, [SIZE_UNITS_KEY]: SIZE_UNITS }, failures };
  }

  /** Like check, but throws an InputError listing every problem. */
  validated(news: Props): Record<string, unknown> {
    const { failures } = this.check(news);
    if (failures.length) throw new InputError(`${this.kind.typeName} ${this.describeId(news)}`, failures);
    return this.config(news);
  }

  /**
   * Compares the previous and the new inputs field by field and decides, by
   * the server's rules, whether each change is an update or a replacement.
   * An unchanged asset costs no server call. A replacement of an asset that
   * holds data is refused unless `allowDataLoss` is set.
   */
  async diff(id: string, olds: Props, news: Props): Promise<DiffResult> {
    const newConfig = this.config(news);
    const pendingRows = this.kind.rows.filter((row) => containsUnknown(newConfig[row.key]));
    if (pendingRows.length) return this.diffWithUnknowns(olds, news, pendingRows);
    const before = this.kind.desired(this.recorded(olds));
    const after = this.kind.desired(newConfig);
    const changed = this.kind.rows.filter((row) => !deepEqual(before[row.wire], after[row.wire]));
    const needsVersion = changed.some((row) => typeof row.change === "function");
    const reachable = !containsUnknown(news.connection) && !containsUnknown(news.credentials);
    const version = needsVersion && reachable ? (await this.session(news)).version : undefined;
    let fields = changed.map((row) => decide(row, before[row.wire], after[row.wire], version));
    const controlChanged =
      (["allowDataLoss", "adopt"] as const).some((k) => Boolean(olds[k]) !== Boolean(news[k])) ||
      (olds.replaceStrategy ?? "refuse") !== (news.replaceStrategy ?? "refuse") ||
      // A new owner (an alias rename, a renamed stack, a state from before
      // ownership) is recorded on the asset by an update.
      (news[OWNER_INPUT] !== undefined && olds[OWNER_INPUT] !== news[OWNER_INPUT]);
    const connectionChanged =
      !deepEqual(olds.connection, news.connection) || !deepEqual(olds.credentials, news.credentials);
    const migrating = news.replaceStrategy === "migrate" && this.kind.holdsData;
    if (migrating && reachable) {
      fields = await this.asMigration(news, changed, fields, version);
      // A migration that failed half-way is finished by the next update, even with no change left.
      if (!fields.length && (await migrationInProgress((await this.session(news)).api, String(after.name)))) {
        fields = [
          { property: "replaceStrategy", kind: "update", why: "a migration is in progress", migrate: true },
        ];
      }
    }
    const replaces = fields.filter((f) => f.kind === "replace").map((f) => f.property);
    const agreed = Boolean(news.allowDataLoss) || news.replaceStrategy === "recreate";
    if (replaces.length && agreed) this.agreedReplacements.add(id);
    let dataLoss: string | undefined;
    // Losses beyond a whole asset's replacement: lowered limits, a consumer's position or interest.
    const losses = reachable ? await this.plannedLosses(id, news, before, after, fields, version, true) : [];
    if (losses.length) {
      const resource = `${this.kind.typeName} ${id}`;
      if (!agreed) throw new DataLossError(refusal(resource, losses));
      dataLoss = note(resource, losses);
    }
    if (replaces.length && this.kind.holdsData && reachable) {
      const action = `replacing it (${describeChanges(fields)})`;
      if (agreed) dataLoss = await this.lossOf(id, news, action);
      else
        await this.refuseDataLoss(
          id,
          news,
          action,
          'Set replaceStrategy: "migrate" to keep them (the stream is copied and recreated with the new ' +
            'configuration, see docs/migrations.md), replaceStrategy: "recreate" (or allowDataLoss: true) to ' +
            "accept the loss, or keep the current configuration.",
        );
    }
    return {
      changes: fields.length > 0 || controlChanged || connectionChanged,
      replaces,
      deleteBeforeReplace: replaces.length > 0,
      fields,
      ...(dataLoss ? { dataLoss } : {}),
    };
  }

  /**
   * Messages a change would remove besides a whole asset's replacement (that
   * one is the data-loss guard's): limits lowered below what is held, or a
   * consumer replaced (its position, an interest stream's messages). Counted
   * on the server only when such a change is planned. `record` (diff only)
   * remembers whether a replacement carries the asset's state over.
   */
  private async plannedLosses(
    id: string,
    props: Props,
    before: Json,
    after: Json,
    fields: FieldChange[],
    version: Version | undefined,
    record: boolean,
  ): Promise<PlannedLoss[]> {
    if (!fields.length) return [];
    const replacing = fields.filter((f) => f.kind === "replace");
    if (!replacing.length) {
      if (!this.kind.updateLosses) return [];
      return this.kind.updateLosses(async () => (await this.session(props)).api, id, before, after);
    }
    if (!this.kind.replacement || this.kind.holdsData) return [];
    const s = await this.session(props);
    const { losses, carriesOver } = await this.kind.replacement.assess(
      s.api,
      version ?? s.version,
      id,
      before,
      after,
      `replacing it (${describeChanges(fields)})`,
      replacing.map((f) => f.property),
    );
    if (record && carriesOver) this.carryOver.add(id);
    else if (record) this.carryOver.delete(id);
    return losses;
  }

  /**
   * With replaceStrategy: migrate, the replacements a migration can do become
   * updates (the asset keeps its name, so its consumers are not replaced with
   * it). Refused at preview time on a server that cannot promote a mirror.
   */
  private async asMigration(
    news: Props,
    changed: readonly Field[],
    fields: FieldChange[],
    version: Version | undefined,
  ): Promise<FieldChange[]> {
    const replacing = fields.filter((f) => f.kind === "replace");
    if (!replacing.length) return fields;
    const wireOf = new Map(changed.map((r) => [r.key, r.wire]));
    const blocked = replacing.filter((f) => !isMigratable(wireOf.get(f.property) ?? ""));
    if (blocked.length) {
      throw new Error(
        `${this.kind.typeName} ${this.describeId(news)}: replaceStrategy "migrate" cannot make this change ` +
          `(${describeChanges(blocked)}): a copy cannot carry it over. Use replaceStrategy: "recreate" to replace ` +
          "the asset and lose its data, or keep the current configuration.",
      );
    }
    if (this.kind.desired(this.config(news)).mirror !== undefined) {
      throw new Error(
        `${this.kind.typeName} ${this.describeId(news)}: a mirror is not migrated (its messages come from its ` +
          'origin): use replaceStrategy: "recreate"; the new mirror copies its origin again.',
      );
    }
    const v = version ?? (await this.session(news)).version;
    if (!atLeast(v, MIGRATION_MIN_VERSION)) {
      throw new Error(
        `${this.kind.typeName} ${this.describeId(news)}: replaceStrategy "migrate" needs nats-server ` +
          `${MIGRATION_MIN_VERSION} or later (it promotes a mirror by removing its mirror configuration); this ` +
          `server is ${formatVersion(v)}. Upgrade the servers, or use replaceStrategy: "recreate".`,
      );
    }
    return fields.map((f) =>
      f.kind === "replace"
        ? {
            ...f,
            kind: "update" as const,
            why: `migrated: ${f.why ?? "cannot change in place"}`,
            migrate: true,
          }
        : f,
    );
  }

  /**
   * What the preview should show beside the inputs: the planned migration, or
   * the data an agreed replacement destroys (with the count). Asks the server
   * only when a replace-only field changes and a strategy is chosen.
   */
  async plannedChange(
    olds: Props,
    news: Props,
  ): Promise<Partial<Record<(typeof PLAN_KEYS)[number], string>>> {
    const strategy = news.replaceStrategy ?? (news.allowDataLoss === true ? "recreate" : "refuse");
    if (strategy === "refuse" || !olds || !Object.keys(this.config(olds)).length) return {};
    if (
      containsUnknown(this.config(news)) ||
      containsUnknown(news.connection) ||
      containsUnknown(news.credentials)
    )
      return {};
    let before: Json, after: Json;
    try {
      before = this.kind.desired(this.recorded(olds));
      after = this.kind.desired(this.config(news));
    } catch {
      return {};
    }
    const changed = this.kind.rows.filter((row) => !deepEqual(before[row.wire], after[row.wire]));
    if (!changed.length) return {};
    const version = changed.some((r) => r.change !== "update")
      ? (await this.session(news)).version
      : undefined;
    const fields = changed.map((row) => decide(row, before[row.wire], after[row.wire], version));
    const replacing = changed.filter((_, i) => fields[i].kind === "replace");
    const id = this.kind.id(this.config(news));
    if (!replacing.length || !this.kind.holdsData) {
      // Agreed losses of an update (lowered limits) or of a consumer's replacement.
      const losses = await this.plannedLosses(id, news, before, after, fields, version, false);
      return losses.length ? { plannedDataLoss: note(`${this.kind.typeName} ${id}`, losses) } : {};
    }
    if (strategy === "migrate") {
      if (!replacing.every((r) => isMigratable(r.wire))) return {};
      const reasons = replacing.map(
        (r) => `${r.key} ${show(before[r.wire], r)} -> ${show(after[r.wire], r)}`,
      );
      return { plannedMigration: describePlan(String(after.name), reasons) };
    }
    const loss = await this.lossOf(id, news, `replacing it (${describeChanges(fields)})`);
    return loss ? { plannedDataLoss: loss } : {};
  }

  /** "Stream X holds N messages; replacing it (...) destroys them", or undefined when it holds none. */
  private async lossOf(id: string, props: Props, action: string): Promise<string | undefined> {
    const s = await this.session(props);
    const observed = await this.kind.observe(s.api, id);
    if (!observed || observed.messages === 0) return undefined;
    return `${this.kind.typeName} ${id} holds ${observed.messages} ${this.kind.dataNoun}; ${action} destroys them`;
  }

  /**
   * A preview diff while some inputs are not known yet: each unknown field may
   * change; one the server cannot change in place is shown as a replacement.
   * The engine diffs again with real values before applying, and the
   * data-loss guard runs then.
   */
  private diffWithUnknowns(olds: Props, news: Props, pendingRows: readonly Field[]): DiffResult {
    const known = Object.fromEntries(
      Object.entries(this.config(news)).filter(([, v]) => !containsUnknown(v)),
    );
    const oldKnown = Object.fromEntries(Object.entries(this.config(olds)).filter(([k]) => k in known));
    const before = encodeAll(this.kind.rows, oldKnown).wire;
    const after = encodeAll(this.kind.rows, known).wire;
    const fields = [
      ...this.kind.rows.filter((r) => r.key in known && !deepEqual(before[r.wire], after[r.wire])),
      ...pendingRows,
    ].map((row) => ({
      property: row.key,
      kind: row.change === "replace" ? ("replace" as const) : ("update" as const),
    }));
    const replaces = fields.filter((f) => f.kind === "replace").map((f) => f.property);
    void news;
    return { changes: true, replaces, deleteBeforeReplace: replaces.length > 0, fields };
  }

  /** Creates the asset (or adopts it), then returns its inputs and what the server reports. */
  async create(news: Props): Promise<{ id: string; outs: Props }> {
    const config = this.validated(news);
    const s = await this.session(news);
    const desired = this.kind.desired(config);
    this.refuseUnsupported(desired, s.version);
    const id = this.kind.id(config);
    const owner = ownerOf(news);
    const carried = this.captured.get(id);
    this.captured.delete(id);
    // Look first when an owner can be recorded: the server takes a create
    // identical to an existing stream as a no-op, which would take the
    // stream over silently.
    const existing = recordsOwner(s.version)
      ? await this.kind.observe(s.api, id).catch((e) => {
          throw this.explain(e);
        })
      : undefined;
    if (existing)
      return { id, outs: this.outputs(news, await this.takeOver(s, id, desired, news, existing)) };
    let observed: Observed;
    try {
      const stamped = withOwner(desired, owner, s.version);
      observed =
        carried !== undefined && this.kind.replacement
          ? await this.kind.replacement.recreate(s.api, stamped, s.version, carried)
          : await this.kind.create(s.api, stamped, s.version);
    } catch (err) {
      if (!isApiError(err, ErrorCode.StreamNameInUse, ErrorCode.ConsumerAlreadyExists))
        throw this.explain(err);
      const found = await this.kind.observe(s.api, id).catch((e) => {
        throw this.explain(e);
      });
      if (!found) throw this.explain(err);
      observed = await this.takeOver(s, id, desired, news, found);
    }
    return { id, outs: this.outputs(news, observed) };
  }

  /**
   * A create found the asset already there. Whose it is decides (ownership.ts):
   * this resource's own (a create retried after its answer was lost) is kept;
   * another resource's of the same stack (a rename, a move into a component)
   * changes hands, so the old resource's delete then removes nothing; anyone
   * else's, or no one's, needs adopt: true, even with an identical configuration.
   */
  private async takeOver(
    s: Session,
    id: string,
    desired: Json,
    news: Props,
    existing: Observed,
  ): Promise<Observed> {
    const owner = ownerOf(news);
    const claim = claimOf(existing.owner, owner, s.version);
    if (claim === "ours") return this.adopt(s, id, desired, owner);
    if (claim === "same-stack") return this.adopt(s, id, desired, owner, existing.owner);
    // No owner to tell (a server before 2.10): the same configuration is
    // taken as this resource's own earlier create, as before ownership.
    if (claim === "unknown" && this.differing(existing, desired).length === 0) return existing;
    if (!news.adopt) {
      const whose =
        claim === "unknown"
          ? "with a different configuration"
          : existing.owner
            ? `and belongs to ${existing.owner}`
            : "and was not created by this stack (it records no owner)";
      throw new Error(
        `${this.kind.typeName} ${id}: a ${this.kind.label} with this name already exists ${whose}. ` +
          "Set adopt: true to take it over (it is then updated to this configuration and owned by this resource), " +
          "or choose another name.",
      );
    }
    return this.adopt(s, id, desired, owner, existing.owner);
  }

  /** Refresh: the asset as the server has it; undefined when it was deleted behind the program's back. */
  async read(id: string, props: Props): Promise<{ id: string; props: Props } | undefined> {
    const s = await this.session(props);
    const observed = await this.kind.observe(s.api, id);
    if (!observed) {
      // Half-way through a migration the stream may be gone while its copy holds the data: keep the state.
      const name = String(this.kind.desired(this.config(props)).name);
      if (props.replaceStrategy === "migrate" && (await migrationInProgress(s.api, name)))
        return { id, props };
      return undefined;
    }
    const desired = this.kind.desired(this.recorded(props));
    const refreshed: Props = { ...props };
    for (const row of this.kind.rows) {
      if (row.createOnly || deepEqual(desired[row.wire], observed.config[row.wire])) continue;
      // Drift: record what the server has, so the next preview shows the change back.
      const value = observed.config[row.wire];
      if (value === undefined || deepEqual(value, row.wireDefault)) delete refreshed[row.key];
      else refreshed[row.key] = row.codec.decode(value);
    }
    refreshed.info = observed.info;
    return { id, props: refreshed };
  }

  async update(id: string, olds: Props, news: Props): Promise<{ outs: Props; migration?: MigrationResult }> {
    const config = this.validated(news);
    const s = await this.session(news);
    const before = this.kind.desired(this.recorded(olds));
    const desired = this.kind.desired(config);
    this.refuseUnsupported(desired, s.version);
    if (news.replaceStrategy === "migrate" && this.kind.holdsData) {
      const migration = await this.migrateIfNeeded(s, id, withOwner(desired, ownerOf(news), s.version));
      if (migration.migrated) {
        const migrated = await this.kind.observe(s.api, id);
        if (!migrated)
          throw new Error(`${this.kind.typeName} ${id} vanished after its migration; run pulumi up again`);
        return { outs: this.outputs(news, migrated), migration };
      }
      // A rerun after a migration whose end the engine did not record: nothing left to send.
      const current = await this.kind.observe(s.api, id);
      if (current && this.differing(current, desired).length === 0)
        return { outs: this.outputs(news, current) };
    }
    const changed = this.kind.rows
      .filter((r) => !deepEqual(before[r.wire], desired[r.wire]))
      .map((r) => r.wire);
    const owner = ownerOf(news);
    if (owner && recordsOwner(s.version) && owner !== ownerOf(olds) && !changed.includes("metadata"))
      changed.push("metadata");
    const observed = changed.length
      ? await this.kind
          .update(s.api, withOwner(desired, owner, s.version), changed, s.version)
          .catch((err) => {
            throw this.explain(err);
          })
      : await this.kind.observe(s.api, id);
    if (!observed) throw new Error(`${this.kind.typeName} ${id} no longer exists; run pulumi refresh`);
    return { outs: this.outputs(news, observed) };
  }

  /**
   * Migrates the asset when the server's copy cannot be updated in place to
   * `desired` (or a migration is half done); `migrated: false` when an
   * in-place update is enough.
   */
  private async migrateIfNeeded(s: Session, id: string, desired: Json): Promise<MigrationResult> {
    const request = Object.fromEntries(
      Object.entries(desired).filter(([k, v]) => !k.startsWith("_") && v !== undefined),
    );
    return migrate({
      api: s.api,
      version: s.version,
      label: `${this.kind.typeName} ${id}`,
      desired: request,
      stallMs: Math.max(s.api.options.readyDeadlineMs, 30_000),
      reasons: async () => {
        const observed = await this.kind.observe(s.api, id);
        if (!observed) return [];
        const blocking = this.differing(observed, desired)
          .map((r) => ({ r, f: decide(r, observed.config[r.wire], desired[r.wire], s.version) }))
          .filter(({ f }) => f.kind === "replace");
        const blocked = blocking.filter(({ r }) => !isMigratable(r.wire));
        if (blocked.length) {
          throw new Error(`cannot migrate (${describeChanges(blocked.map(({ f }) => f))})`);
        }
        return blocking.map(
          ({ r }) => `${r.key} ${show(observed.config[r.wire], r)} -> ${show(desired[r.wire], r)}`,
        );
      },
    });
  }

  /** Deletes the asset; refuses while it holds data unless allowDataLoss was set. Idempotent. */
  async delete(id: string, props: Props): Promise<void> {
    const s = await this.session(props);
    const agreed = this.agreedReplacements.delete(id);
    const carry = this.carryOver.delete(id);
    // The asset changed hands (a renamed resource's create took it over):
    // it is the new owner's now, and this resource's delete removes nothing.
    if (recordsOwner(s.version)) {
      const current = await this.kind.observe(s.api, id);
      if (current && !mayDelete(current.owner, ownerOf(props))) return;
    }
    if (carry && this.kind.replacement) {
      // Read right before the delete: the new asset resumes from here.
      const state = await this.kind.replacement.capture(s.api, id);
      if (state !== undefined) this.captured.set(id, state);
    }
    const slash = id.indexOf("/");
    // A consumer removed from the program. Not a replacement's delete (its
    // diff counted it, see plannedLosses), nor a consumer replaced with its
    // stream (replaceWith) whose replacement was agreed to.
    const streamGoes = cores.stream.agreedReplacements.has(id.slice(0, slash));
    if (this.kind.typeName === "Consumer" && !props.allowDataLoss && !agreed && !carry && !streamGoes) {
      const loss = describeConsumerLoss(
        await consumerRemovalLoss(s.api, id.slice(0, slash), id.slice(slash + 1)),
      );
      if (loss)
        throw new DataLossError(
          `Consumer ${id}: deleting it would destroy messages: ${loss}. To accept the loss, set allowDataLoss: true ` +
            "on this resource and run `pulumi up` first, then remove it. To keep them, keep the consumer " +
            "(or add another consumer that reads them first).",
        );
    }
    if (this.kind.holdsData && !props.allowDataLoss && !agreed) {
      // A delete runs with the inputs recorded at the last update, so the
      // agreement has to be applied before the resource is removed.
      await this.refuseDataLoss(
        id,
        props,
        "deleting it",
        "To accept the loss, set allowDataLoss: true on this resource and run `pulumi up` first, then remove it " +
          "(or destroy the stack). To keep the data, keep the resource, or remove it from the state only " +
          "with `pulumi state delete`.",
      );
    }
    await this.kind.remove(s.api, id);
  }

  // ---- helpers --------------------------------------------------------------

  session(props: Props): Promise<Session> {
    return session(connectionOf(props));
  }

  private describeId(props: Props): string {
    try {
      return this.kind.id(this.config(props));
    } catch {
      return "";
    }
  }

  private outputs(news: Props, observed: Observed): Props {
    const outs: Props = { ...news, info: observed.info, [SIZE_UNITS_KEY]: SIZE_UNITS };
    for (const key of PLAN_KEYS) delete outs[key];
    return outs;
  }

  private async refuseDataLoss(id: string, props: Props, action: string, remedy: string): Promise<void> {
    const s = await this.session(props);
    const observed = await this.kind.observe(s.api, id);
    if (!observed || observed.messages === 0) return;
    throw new DataLossError(
      `${this.kind.typeName} ${id} holds ${observed.messages} ${this.kind.dataNoun}; ${action} would destroy them. ${remedy}`,
    );
  }

  /** Refuses fields the connected server does not know: it would silently drop them. */
  private refuseUnsupported(desired: Json, version: Version): void {
    const problems = this.kind.rows
      .filter((r) => r.since && !atLeast(version, r.since))
      .filter((r) => desired[r.wire] !== undefined && !deepEqual(desired[r.wire], r.wireDefault))
      .map((r) => ({
        property: r.key,
        reason: `needs nats-server ${r.since} or later; this server is ${formatVersion(version)}`,
      }));
    if (problems.length) throw new InputError(`${this.kind.typeName} ${this.kind.id(desired)}`, problems);
  }

  /** Takes over an existing asset: allowed when only updatable fields differ. */
  private async adopt(
    s: Session,
    id: string,
    desired: Json,
    owner: string | undefined,
    previousOwner?: string,
  ): Promise<Observed> {
    const existing = await this.kind.observe(s.api, id);
    if (!existing)
      throw new Error(`${this.kind.typeName} ${id} vanished while being adopted; run pulumi up again`);
    const differing = this.differing(existing, desired);
    const blocking = differing
      .map((r) => decide(r, existing.config[r.wire], desired[r.wire], s.version))
      .filter((f) => f.kind === "replace");
    if (blocking.length) {
      throw new Error(
        `${this.kind.typeName} ${id} exists, but adopting it would need a replacement (${describeChanges(blocking)}). ` +
          "Match these fields to the existing asset, or delete it first.",
      );
    }
    const newOwner = owner !== undefined && recordsOwner(s.version) && existing.owner !== owner;
    if (!differing.length && !newOwner) return existing;
    const changed = differing.map((r) => r.wire);
    if (newOwner && !changed.includes("metadata")) changed.push("metadata");
    return this.kind.update(s.api, withOwner(desired, owner, s.version, previousOwner), changed, s.version);
  }

  /** The rows whose server value differs from the desired one (create-only rows are not reported back). */
  private differing(existing: Observed, desired: Json): Field[] {
    return this.kind.rows.filter(
      (r) => !r.createOnly && !deepEqual(existing.config[r.wire], desired[r.wire]),
    );
  }

  /** Adds the field the user should look at to server errors that have one (errors.ts: SERVER_ERROR_FIELDS). */
  private explain(err: unknown): unknown {
    return explainServerError(err, this.kind.label);
  }
}

function decide(row: Field, old: unknown, next: unknown, version: Version | undefined): FieldChange {
  const rule = row.change;
  if (rule === "update" || rule === "replace") return { property: row.key, kind: rule };
  if (rule === "oneWay") {
    return old === true && next !== true
      ? { property: row.key, kind: "replace", why: "the server can turn it on but never off" }
      : { property: row.key, kind: "update" };
  }
  const { kind, why } = rule({ old, next, version });
  return why ? { property: row.key, kind, why } : { property: row.key, kind };
}

/** A wire value as the user wrote it, for messages ("file", "7d"). */
function show(value: unknown, row: Field): string {
  if (value === undefined) return "unset";
  try {
    const v = row.codec.decode(value);
    return typeof v === "string" ? v : JSON.stringify(v);
  } catch {
    return JSON.stringify(value);
  }
}

function describeChanges(fields: FieldChange[]): string {
  return fields
    .filter((f) => f.kind === "replace")
    .map((f) => (f.why ? `${f.property}: ${f.why}` : `${f.property} cannot change in place`))
    .join("; ");
}

/** The URN of the resource an operation is for (the `owner` input), if the caller gave one. */
function ownerOf(props: Props | undefined): string | undefined {
  const owner = props?.[OWNER_INPUT];
  return typeof owner === "string" && owner !== "" ? owner : undefined;
}

/** Metadata keys the package keeps for itself (the owner) cannot be set by the user. */
function reservedMetadataProblems(config: Props): InputProblem[] {
  const metadata = config.metadata;
  if (!metadata || typeof metadata !== "object") return [];
  return Object.keys(metadata)
    .filter((k) => k.startsWith(RESERVED_METADATA_PREFIX))
    .map((k) => ({
      property: `metadata.${k}`,
      reason: `keys beginning with "${RESERVED_METADATA_PREFIX}" belong to pulumi-nats (it records the asset's owner there)`,
    }));
}

/** The full connection: public settings plus the secret credentials. */
export function connectionOf(props: Props): ResolvedConnection {
  const conn = (props.connection ?? {}) as ResolvedConnection;
  // `servers` too, when their URLs carry credentials or the program marked them secret (dynamic.ts).
  const creds = (props.credentials ?? {}) as Credentials & { servers?: string | string[] };
  const { tlsKey, ...secrets } = creds;
  const tls = conn.tls || tlsKey ? { ...conn.tls, ...(tlsKey ? { key: tlsKey } : {}) } : undefined;
  return JSON.parse(JSON.stringify({ ...conn, ...secrets, tls }));
}

export const cores = {
  stream: new AssetCore(streamKind),
  consumer: new AssetCore(consumerKind),
  keyValue: new AssetCore(keyValueKind),
  objectStore: new AssetCore(objectStoreKind),
};
export type CoreName = keyof typeof cores;
