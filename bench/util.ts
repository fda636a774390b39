// Small helpers for the benchmark: a bounded-concurrency runner (the engine
// applies resources in parallel), medians, process memory and formatting.
import fs from "node:fs";

/** Runs `fn(0..n-1)` with at most `inFlight` calls pending at once; rejects on the first failure. */
export async function inParallel(
  n: number,
  inFlight: number,
  fn: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
}

/** Milliseconds taken by `fn`. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Peak and current resident memory of a process, in MiB, from /proc/<pid>/status (Linux). */
export function procMemory(pid: number): { peakMiB: number; rssMiB: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { peakMiB: kb("VmHWM") / 1024, rssMiB: kb("VmRSS") / 1024 };
  } catch {
    return undefined;
  }
}

/** This process's peak resident memory in MiB (maxRSS is in KiB on Linux). */
export function ownPeakMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  return value.toFixed(digits);
}

/** A plain-text table: the first row is the header; numbers align right. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) =>
        c > 0 && /^[-\d.×x/%+ ]+$/.test(cell) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]),
      )
      .join("  ")
      .trimEnd();
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}
