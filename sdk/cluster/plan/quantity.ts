// Kubernetes quantities (sizes like "20Gi", CPU like "250m"), parsed and
// formatted in one place. The chart writes sizes unquoted into nats.conf
// (`max_file_store: << 18Gi >>`), and nats-server 2.14 reads the binary
// suffixes Ki/Mi/Gi/Ti as powers of 1024 (checked here with `nats-server`:
// 18Gi -> 19327352832 bytes), so one format serves Kubernetes and NATS.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const SIZE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
const CPU = /^(\d+(?:\.\d+)?)(m)?$/;

/**
 * Sizes nats-server 2.14 itself parses, as the chart writes them unquoted into
 * nats.conf: a whole number, optionally with one of these suffixes (checked
 * with `nats-server -t` in tests/cluster/quantity.test.ts: "1.5Gi" is a parse
 * error, and every suffix here means the same bytes to the server as to
 * Kubernetes: k/M/G/T/P are powers of 1000, Ki..Pi powers of 1024).
 */
export const NATS_SIZE_UNITS = ["", "k", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "Pi"] as const;
const NATS_SIZE = /^\d+(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** Whether nats-server reads `value` as written (a whole number of units); see NATS_SIZE_UNITS. */
export function isNatsSize(value: unknown): value is string {
  return typeof value === "string" && NATS_SIZE.test(value) && parseBytes(value) !== undefined;
}

/** Bytes of a size such as "20Gi", "512Mi", "1G" or "1073741824"; undefined when malformed. */
export function parseBytes(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const unit = m[2] ?? "";
  const factor = unit === "" ? 1 : (BINARY[unit] ?? DECIMAL[unit]);
  const bytes = Number(m[1]) * factor;
  return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : undefined;
}

/** Millicores of a CPU quantity such as "250m", "1" or "0.5"; undefined when malformed. */
export function parseMilliCpu(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const m = CPU.exec(String(value).trim());
  if (!m) return undefined;
  const milli = m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
  return Number.isFinite(milli) && milli > 0 ? Math.round(milli) : undefined;
}

/**
 * Formats bytes as the largest binary unit that divides it exactly, rounding
 * down to whole MiB first ("18Gi", "23040Mi"). Used for limits derived from a
 * size, where a little less is always safe.
 */
export function formatBytesFloorMi(bytes: number): string {
  const mi = Math.floor(bytes / BINARY.Mi);
  if (mi >= 1024 * 1024 && mi % (1024 * 1024) === 0) return `${mi / (1024 * 1024)}Ti`;
  if (mi >= 1024 && mi % 1024 === 0) return `${mi / 1024}Gi`;
  return `${mi}Mi`;
}

/** A Go `GOMEMLIMIT` value ("1638MiB") for a fraction of a byte count. */
export function goMemLimit(bytes: number, fraction: number): string {
  return `${Math.floor((bytes * fraction) / BINARY.Mi)}MiB`;
}
