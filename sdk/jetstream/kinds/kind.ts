// What the provider core needs to know about one kind of JetStream asset.
// A kind maps validated inputs to the canonical server configuration (the
// exact JSON the server keeps, defaults included), maps the server's copy to
// the same canonical form, and performs the API calls. Comparing two
// canonical forms field by field is how diff and drift detection work.
import type { Field } from "../fields";
import type { InputProblem } from "../errors";
import type { JetStreamApi, Json } from "../api";
import type { Version } from "../version";
import type { PlannedLoss } from "../loss";

/** The server's view of one asset: its configuration and what it holds. */
export interface Observed {
  /** The configuration in canonical form. */
  config: Json;
  /** Messages stored (streams and buckets); the data-loss guard reads it. */
  messages: number;
  /** Read-only facts published as outputs. */
  info: Json;
  /** The URN of the resource that owns the asset, from its metadata (see ownership.ts). */
  owner?: string;
}

export interface Kind {
  /** Human label, e.g. "stream", "KV bucket". */
  label: string;
  /** Resource type name, e.g. "Stream". */
  typeName: string;
  rows: readonly Field[];
  /** The id of the asset the inputs describe (stable across updates). */
  id(config: Record<string, unknown>): string;
  /** Canonical server configuration for validated inputs (throws UnitError on bad values). */
  desired(config: Record<string, unknown>): Json;
  /** Cross-field and name rules, checked locally before any server call. */
  validate(config: Record<string, unknown>, desired: Json): InputProblem[];
  /** Reads the asset; undefined when it does not exist. */
  observe(api: JetStreamApi, id: string): Promise<Observed | undefined>;
  create(api: JetStreamApi, desired: Json, version: Version): Promise<Observed>;
  /** Updates in place; `changed` lists the wire names that differ. */
  update(api: JetStreamApi, desired: Json, changed: string[], version: Version): Promise<Observed>;
  remove(api: JetStreamApi, id: string): Promise<void>;
  /** Whether replacing or deleting the asset can destroy stored data (the data-loss guard). */
  holdsData: boolean;
  /** What the stored data is called in messages ("messages", "values"). */
  dataNoun: string;
  /**
   * Messages an in-place update from `before` to `after` (canonical wire
   * configurations) would remove, counted on the server (lowered limits).
   * `api` is asked for only when a count is needed: most updates lose nothing.
   */
  updateLosses?(
    api: () => Promise<JetStreamApi>,
    id: string,
    before: Json,
    after: Json,
  ): Promise<PlannedLoss[]>;
  /** How a replacement (delete, then create) can carry state over, e.g. a consumer's position. */
  replacement?: ReplacementHooks;
}

/** What replacing an asset does beyond deleting and creating it. */
export interface ReplacementHooks {
  /**
   * Counted before anything changes: the messages the replacement would
   * lose, and whether the asset's state (position) is carried over.
   * `action` describes the replacement for messages ("replacing it (...)").
   */
  assess(
    api: JetStreamApi,
    version: Version,
    id: string,
    before: Json,
    after: Json,
    action: string,
    /** The inputs whose change forces the replacement. */
    properties: string[],
  ): Promise<{ losses: PlannedLoss[]; carriesOver: boolean }>;
  /** Right before the old asset is deleted: the state to carry over (undefined: nothing to carry). */
  capture(api: JetStreamApi, id: string): Promise<number | undefined>;
  /** Creates the new asset with the captured state. */
  recreate(api: JetStreamApi, desired: Json, version: Version, captured: number): Promise<Observed>;
}
