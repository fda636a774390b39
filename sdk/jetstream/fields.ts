// The field-table machinery. Each JetStream kind (stream, consumer, KV bucket,
// object store) is described by one table of rows: our input name, the
// server's name, a codec between the two, the value the server stores when the
// field is unset, the server's rule for changing it, the minimum server
// version and the documentation. Validation, wire mapping both ways, diff,
// drift detection, schema.json and the reference docs all read these rows.
import { parseDuration, formatDuration, parseSize, formatSize, UnitError } from "./units";
import { closest } from "./edit-distance";
import type { DurationInput, SizeInput } from "./units";
import type { Version } from "./version";

/** Converts one input value to the server's form and back. `encode` throws UnitError for bad input. */
export interface Codec<I> {
  encode(value: I): unknown;
  decode(wire: unknown): I;
  /** JSON-schema-like type, for schema.json and docs. */
  schema: SchemaType;
}

export type SchemaType =
  | { type: "string"; enum?: readonly string[] }
  | { type: "integer" | "number" | "boolean" }
  | { type: "array"; items: SchemaType }
  | { type: "object"; additionalProperties: SchemaType }
  | { type: "ref"; name: string }
  | { type: "oneOf"; oneOf: SchemaType[] };

/** What the server does when a field changes between two configurations. */
export type ChangeKind = "update" | "replace";
export interface ChangeContext {
  old: unknown;
  next: unknown;
  /** The connected server's version, when known. */
  version?: Version;
}
export type ChangeRule =
  | ChangeKind
  /** A flag the server lets turn on but never off (sealed, deny_delete). */
  | "oneWay"
  | ((ctx: ChangeContext) => { kind: ChangeKind; why?: string });

export interface Field<K extends string = string, I = unknown> {
  key: K;
  /** The server's JSON name. */
  wire: string;
  codec: Codec<I>;
  /** What the server stores when the field is unset; sent explicitly so pedantic mode accepts it. */
  wireDefault?: unknown;
  change: ChangeRule;
  /** Minimum server version that knows the field ("2.10.0"). */
  since?: string;
  doc: string;
  /** The default, as documentation ("30s", "file", "unlimited"). */
  defaultDoc?: string;
  /** Sent only when creating: the server ignores it on update. */
  createOnly?: boolean;
}

/** Declares a row, inferring the input type from the codec. */
export function field<K extends string, I>(row: Field<K, I>): Field<K, I> {
  return row;
}

/** The inputs a table accepts: every key optional, typed by its codec. */
export type InputsOf<T extends readonly Field[]> = {
  [F in T[number] as F["key"]]?: F extends Field<string, infer I> ? I : never;
};

// ---- codecs ---------------------------------------------------------------

const identity = <I>(schema: SchemaType, check: (v: unknown) => string | undefined): Codec<I> => ({
  schema,
  encode(value) {
    const problem = check(value);
    if (problem) throw new UnitError(problem);
    return value;
  },
  decode: (wire) => wire as I,
});

export const str = identity<string>({ type: "string" }, (v) =>
  typeof v === "string" ? undefined : `expected a string, got ${JSON.stringify(v)}`,
);

export const bool = identity<boolean>({ type: "boolean" }, (v) =>
  typeof v === "boolean" ? undefined : `expected true or false, got ${JSON.stringify(v)}`,
);

/** A whole number in [min, max]; -1 often means unlimited and is allowed when min is -1. */
export function int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Codec<number> {
  return identity<number>({ type: "integer" }, (v) =>
    typeof v !== "number" || !Number.isInteger(v)
      ? `expected a whole number, got ${JSON.stringify(v)}`
      : v < min || v > max
        ? `${v} is out of range: use ${min} to ${max}`
        : undefined,
  );
}

export function oneOf<const V extends string>(values: readonly V[]): Codec<V> {
  return identity<V>({ type: "string", enum: values }, (v) =>
    typeof v === "string" && (values as readonly string[]).includes(v)
      ? undefined
      : `${JSON.stringify(v)} is not one of ${values.map((x) => `"${x}"`).join(", ")}`,
  );
}

export const strings = identity<string[]>({ type: "array", items: { type: "string" } }, (v) =>
  Array.isArray(v) && v.every((s) => typeof s === "string") ? undefined : `expected a list of strings`,
);

export const stringMap = identity<Record<string, string>>(
  { type: "object", additionalProperties: { type: "string" } },
  (v) =>
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.values(v).every((s) => typeof s === "string")
      ? undefined
      : `expected a map of strings to strings`,
);

/** A duration: "30s", "7d", "250ms" or milliseconds; nanoseconds on the wire. */
export const duration: Codec<DurationInput> = {
  schema: { type: "oneOf", oneOf: [{ type: "string" }, { type: "number" }] },
  encode: (value) => parseDuration(value),
  decode: (wire) => formatDuration(Number(wire ?? 0)),
};

/** A size: "10GiB", "1GB" or bytes; bytes on the wire; -1 is unlimited. */
export const size: Codec<SizeInput> = {
  schema: { type: "oneOf", oneOf: [{ type: "string" }, { type: "integer" }] },
  encode(value) {
    const bytes = parseSize(value);
    if (bytes < -1) throw new UnitError(`${bytes} is not a size: use -1 for unlimited or a positive size`);
    return bytes;
  },
  decode: (wire) => (typeof wire === "number" && wire >= 0 ? formatSize(wire) : Number(wire ?? -1)),
};

/** A list of durations ("backoff"). */
export const durations: Codec<DurationInput[]> = {
  schema: { type: "array", items: duration.schema },
  encode(value) {
    if (!Array.isArray(value)) throw new UnitError("expected a list of durations");
    return value.map((d) => parseDuration(d));
  },
  decode: (wire) => ((wire as number[] | undefined) ?? []).map((ns) => formatDuration(ns)),
};

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An RFC 3339 time ("2026-01-01T00:00:00Z"), sent in UTC exactly as the server
 * writes it back (Go's RFC3339Nano: no trailing zeros in the fraction, none
 * at all for whole seconds). Going through Date would drop nanoseconds and
 * write ".000Z", which the server returns as "Z": a refresh then saw drift.
 */
export const time: Codec<string> = {
  schema: { type: "string" },
  encode(value) {
    const m = typeof value === "string" ? RFC3339.exec(value.trim()) : null;
    const seconds = m ? Date.parse(`${m[1]}${m[3].toUpperCase()}`) : NaN;
    if (!m || Number.isNaN(seconds)) {
      throw new UnitError(
        `${JSON.stringify(value)} is not a time: use RFC 3339, e.g. "2026-01-01T00:00:00Z" or "2026-01-01T02:00:00.5+02:00"`,
      );
    }
    const fraction = (m[2] ?? "").replace(/0+$/, "");
    return `${new Date(seconds).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ""}Z`;
  },
  decode: (wire) => String(wire),
};

/** A nested object with its own small table of rows. */
export function object<T extends readonly Field[]>(name: string, rows: T): Codec<InputsOf<T>> & { rows: T } {
  return {
    rows,
    schema: { type: "ref", name },
    encode(value) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new UnitError(`expected an object (${name})`);
      }
      const { wire, problems } = encodeAll(rows, value as Record<string, unknown>);
      if (problems.length) throw new UnitError(problems.map((p) => `${p.property}: ${p.reason}`).join("; "));
      return wire;
    },
    decode(wire) {
      return decodeRows(rows, (wire ?? {}) as Record<string, unknown>) as InputsOf<T>;
    },
  };
}

export function listOf<I>(item: Codec<I>): Codec<I[]> {
  return {
    schema: { type: "array", items: item.schema },
    encode(value) {
      if (!Array.isArray(value)) throw new UnitError("expected a list");
      return value.map((v, i) => {
        try {
          return item.encode(v);
        } catch (err) {
          throw new UnitError(`[${i}] ${(err as Error).message}`);
        }
      });
    },
    decode: (wire) => ((wire as unknown[] | undefined) ?? []).map((w) => item.decode(w)),
  };
}

// ---- encoding and decoding whole tables ------------------------------------

export function decodeRows(rows: readonly Field[], wire: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const row of rows) {
    const value = wire[row.wire];
    if (value === undefined || deepEqual(value, row.wireDefault)) continue;
    inputs[row.key] = row.codec.decode(value);
  }
  return inputs;
}

/** Structural equality for JSON-like values, treating absent and empty lists/maps alike. */
export function deepEqual(a: unknown, b: unknown): boolean {
  a = emptyToUndefined(a);
  b = emptyToUndefined(b);
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((v, i) => deepEqual(v, y[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].every((k) => deepEqual(x[k], y[k]));
}

function emptyToUndefined(v: unknown): unknown {
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const entries = Object.entries(v).filter(([, x]) => emptyToUndefined(x) !== undefined);
    return entries.length === 0 ? undefined : v;
  }
  return v === "" ? undefined : v;
}

/**
 * Encodes every row, collecting one problem per bad field instead of stopping
 * at the first, and refusing keys the table does not know.
 */
export function encodeAll(
  rows: readonly Field[],
  inputs: Record<string, unknown>,
): { wire: Record<string, unknown>; problems: { property: string; reason: string }[] } {
  const problems: { property: string; reason: string }[] = [];
  const known = new Set(rows.map((r) => r.key));
  for (const key of Object.keys(inputs)) {
    if (!known.has(key) && inputs[key] !== undefined) {
      problems.push({ property: key, reason: `unknown field; did you mean "${closest(key, [...known])}"?` });
    }
  }
  const wire: Record<string, unknown> = {};
  for (const row of rows) {
    const value = inputs[row.key];
    if (value === undefined || value === null) {
      if (row.wireDefault !== undefined) wire[row.wire] = row.wireDefault;
      continue;
    }
    try {
      wire[row.wire] = row.codec.encode(value);
    } catch (err) {
      problems.push({ property: row.key, reason: (err as Error).message });
    }
  }
  return { wire, problems };
}
