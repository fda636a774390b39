// Durations and sizes: the one place where human strings ("7d", "250ms",
// "10GiB", "10GB" read as NATS reads it: 10×1024³) and numbers become the server's units (nanoseconds, bytes) and back.
//
// Numbers given for durations are milliseconds (the JavaScript convention);
// numbers given for sizes are bytes. Parsing goes through BigInt so that
// "1.000000001s" keeps its last nanosecond; a result that a JSON number cannot
// carry exactly is refused rather than silently rounded.

const NS_PER: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/**
 * Size units as NATS reads them: nats-server's configuration parser
 * (conf/parse.go: "KB", "Ki", "KiB" = 1024) and the NATS CLI
 * (internal/util ParseStringAsBytes: "KB", "KiB" = 1024) agree that every
 * unit ending in B, i or iB is binary. Case-insensitive, like both parsers.
 */
const BYTES_PER: Record<string, bigint> = { "": 1n, b: 1n };
const PREFIXES = ["k", "m", "g", "t", "p", "e"] as const;
PREFIXES.forEach((prefix, i) => {
  const bytes = 1024n ** BigInt(i + 1);
  for (const suffix of ["b", "i", "ib"]) BYTES_PER[prefix + suffix] = bytes;
});

/**
 * A bare prefix ("10G") means 1000^n to the server's configuration parser
 * and 1024^n to the NATS CLI: refused, so that neither reading is a surprise.
 */
const AMBIGUOUS = new Set<string>(PREFIXES);

/**
 * How versions before NATS units read a size unit: "K"/"KB" as 1000^n
 * (SI), "Ki"/"KiB" as 1024^n. Only for states those versions recorded.
 */
const LEGACY_BYTES_PER: Record<string, bigint> = { "": 1n, b: 1n };
PREFIXES.slice(0, 5).forEach((prefix, i) => {
  LEGACY_BYTES_PER[prefix] = LEGACY_BYTES_PER[prefix + "b"] = 1000n ** BigInt(i + 1);
  LEGACY_BYTES_PER[prefix + "i"] = LEGACY_BYTES_PER[prefix + "ib"] = 1024n ** BigInt(i + 1);
});

/** A value the user may write as a number or a human string. */
export type DurationInput = string | number;
export type SizeInput = string | number;

/** Thrown for a malformed duration or size; the caller adds the field name. */
export class UnitError extends Error {}

/** Multiplies a decimal string ("1.5") by a bigint unit exactly, or fails. */
function scaleDecimal(text: string, unit: bigint, what: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new UnitError(`${what}: "${text}" is not a number`);
  const [, whole, fraction = ""] = match;
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(whole + fraction) * unit) / scale;
  if ((BigInt(whole + fraction) * unit) % scale !== 0n) {
    throw new UnitError(`${what}: "${text}" is finer than the smallest unit`);
  }
  return scaled;
}

/** The server keeps durations and sizes as Go int64. */
const INT64_MAX = 2n ** 63n - 1n;

function toSafeNumber(value: bigint, original: string, unit: string): number {
  // Beyond int64 the server cannot decode the number (and JSON.stringify
  // writes 1e21 and above with an exponent): refuse rather than send it.
  if (value > INT64_MAX) {
    throw new UnitError(`"${original}" is too large: the server's limit is ${INT64_MAX} ${unit}`);
  }
  const n = Number(value);
  if (BigInt(n) !== value) {
    throw new UnitError(`"${original}" cannot be represented exactly in ${unit}; round it`);
  }
  return n;
}

/**
 * Parses a duration into nanoseconds. Accepts Go-style strings with days and
 * weeks ("1h30m", "7d", "250ms", "1.5s", "100ns", "0"), or a number of
 * milliseconds (fractions allowed: 0.5 is 500µs).
 */
export function parseDuration(input: DurationInput): number {
  if (typeof input === "number") {
    if (input < 0) throw new UnitError(`${input} is negative: a duration is 0 or more milliseconds`);
    if (!Number.isFinite(input)) {
      throw new UnitError(`${input} is not a duration: give a non-negative number of milliseconds`);
    }
    return toSafeNumber(scaleDecimal(numberText(input), NS_PER.ms, "duration"), String(input), "nanoseconds");
  }
  const text = input.trim();
  if (text === "0") return 0;
  if (/^-\s*\d/.test(text)) throw new UnitError(`"${input}" is negative: a duration is "0" or more`);
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += scaleDecimal(m[1], NS_PER[m[2]], "duration");
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new UnitError(
      `"${input}" is not a duration: use forms like "30s", "250ms", "1h30m", "7d" or a number of milliseconds`,
    );
  }
  return toSafeNumber(total, input, "nanoseconds");
}

/** Formats nanoseconds as the shortest exact human duration ("7d", "1h30m", "1.5s"). */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  let rest = BigInt(ns);
  let out = "";
  for (const unit of ["d", "h", "m"] as const) {
    const size = NS_PER[unit];
    if (rest >= size) {
      out += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  if (rest === 0n) return out;
  for (const unit of ["s", "ms", "us", "ns"] as const) {
    const size = NS_PER[unit];
    if (rest >= size || unit === "ns") {
      const whole = rest / size;
      const frac = rest % size;
      const fracText =
        frac === 0n
          ? ""
          : "." +
            frac
              .toString()
              .padStart(size.toString().length - 1, "0")
              .replace(/0+$/, "");
      return `${out}${whole}${fracText}${unit}`;
    }
  }
  return out;
}

/**
 * Parses a size into bytes, as NATS reads it: a number of bytes, or a string
 * with a unit ("10GiB" = "10GB" = "10Gi" = 10×1024³, "512MB", "100B").
 * "-1" means unlimited where a field allows it. A bare prefix ("10G") is
 * refused: nats-server's configuration and the NATS CLI read it differently.
 */
export function parseSize(input: SizeInput): number {
  return sizeWith(BYTES_PER, input);
}

/**
 * A size as versions before NATS units read it ("10GB" = 10×1000³), for
 * states they recorded; undefined when the text is not a size to them.
 */
export function parseLegacySize(input: SizeInput): number | undefined {
  try {
    return sizeWith(LEGACY_BYTES_PER, input);
  } catch {
    return undefined;
  }
}

function sizeWith(units: Record<string, bigint>, input: SizeInput): number {
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input)) throw new UnitError(`${input} is not a whole number of bytes`);
    return input;
  }
  const text = input.trim();
  if (text === "-1") return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text);
  const name = m ? m[2].toLowerCase() : "";
  if (m && units === BYTES_PER && AMBIGUOUS.has(name)) {
    const exact = (u: bigint) => {
      try {
        return String(scaleDecimal(m[1], u, "size"));
      } catch {
        return "not whole";
      }
    };
    const n = PREFIXES.indexOf(name as (typeof PREFIXES)[number]) + 1;
    throw new UnitError(
      `"${input}" is ambiguous: nats-server's configuration reads "${m[2]}" as 1000^${n} ` +
        `(${exact(1000n ** BigInt(n))} bytes), the NATS CLI as 1024^${n} (${exact(1024n ** BigInt(n))} bytes); ` +
        `write "${m[1]}${m[2].toUpperCase()}iB" for the binary size, or the number of bytes`,
    );
  }
  const unit = m ? units[name] : undefined;
  if (!m || unit === undefined) {
    throw new UnitError(
      `"${input}" is not a size: use forms like "512MiB", "10GiB" (or "10GB": NATS reads GB as 1024³) or a number of bytes`,
    );
  }
  return toSafeNumber(scaleDecimal(m[1], unit, "size"), input, "bytes");
}

/** Formats bytes with the largest binary unit that divides them ("10GiB", "1536B"). */
export function formatSize(bytes: number): string {
  if (bytes < 0) return String(bytes);
  // The unit spelt "iB", which every NATS tool reads the same way.
  for (const unit of ["EiB", "PiB", "TiB", "GiB", "MiB", "KiB"] as const) {
    const size = BYTES_PER[unit.toLowerCase()];
    if (bytes > 0 && BigInt(bytes) % size === 0n) return `${BigInt(bytes) / size}${unit}`;
  }
  return `${bytes}B`;
}

/** A number's plain decimal text (no exponent), for exact scaling. */
function numberText(n: number): string {
  const text = n.toString();
  if (!/e/i.test(text)) return text;
  return n.toFixed(20).replace(/\.?0+$/, "");
}
