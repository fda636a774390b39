// What the provider core needs to know about one kind of JetStream asset.
// A kind maps validated inputs to the canonical server configuration (the
// exact JSON the server keeps, defaults included), maps the server's copy to
// the same canonical form, and performs the API calls. Comparing two
// canonical forms field by field is how diff and drift detection work.
import type { Field } from "../fields";
import type { InputProblem } from "../errors";
import type { JetStreamApi, Json } from "../api";
import type { Version } from "../version";

/** The server's view of one asset: its configuration and what it holds. */
export interface Observed {
  /** The configuration in canonical form. */
  config: Json;
  /** Messages stored (streams and buckets); the data-loss guard reads it. */
  messages: number;
  /** Read-only facts published as outputs. */
  info: Json;
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
}
