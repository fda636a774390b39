// Everything the harness starts is recorded here so that nothing outlives the
// test run: servers are SIGKILLed and temp dirs removed by cleanupAll() (the
// mocha root hook in tests/support/cleanup.ts calls it), and synchronously on
// process exit, SIGINT and SIGTERM as a last resort.
//
// Set PULUMI_NATS_TEST_KEEP=1 to keep the temp dirs (configs, logs, stores)
// for debugging; their paths are printed at the end.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Prefix of every temp dir the harness creates under os.tmpdir(). */
export const TEMP_PREFIX = "pulumi-nats-test-";

/** Something that runs a process the harness must end. */
export interface Killable {
  /** A short description for leftover reports, e.g. "nats-server n1 (pid 123)". */
  readonly description: string;
  /** Whether its process is still running. */
  readonly isRunning: boolean;
  /** SIGKILL the process and wait for it to exit. */
  kill(): Promise<void>;
  /** SIGKILL the process without waiting (usable in an 'exit' handler). */
  killSync(): void;
}

/** Something that holds resources, like a client connection. */
export interface Closable {
  close(): Promise<void>;
}

const processes = new Set<Killable>();
const dirs = new Set<string>();
const closables = new Set<Closable>();

export const keepTempDirs = (): boolean => /^(1|true|yes)$/i.test(process.env.PULUMI_NATS_TEST_KEEP ?? "");

export function trackProcess(p: Killable): void {
  processes.add(p);
  installExitHandlers();
}
export function untrackProcess(p: Killable): void {
  processes.delete(p);
}
export function trackClosable(c: Closable): void {
  closables.add(c);
}
export function untrackClosable(c: Closable): void {
  closables.delete(c);
}

/**
 * A fresh temp dir (mkdtemp under os.tmpdir(), prefix "pulumi-nats-test-"),
 * removed at cleanup. It holds an owner file naming this process, so that
 * sweepStaleTempDirs() of a later run can clean up after a runner that was
 * SIGKILLed.
 */
export function makeTempDir(label = ""): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]/g, "_");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${safe ? safe + "-" : ""}`));
  fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid }));
  dirs.add(dir);
  installExitHandlers();
  return dir;
}

/** Remove a temp dir now (unless PULUMI_NATS_TEST_KEEP is set) and forget it. */
export function removeTempDir(dir: string): void {
  dirs.delete(dir);
  if (keepTempDirs()) {
    console.log(`harness: kept ${dir}`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** What cleanupAll() found still alive: processes a test forgot to stop. */
export interface CleanupReport {
  leftoverProcesses: string[];
  removedDirs: string[];
  closedConnections: number;
}

/**
 * Close tracked connections, SIGKILL every process still running and remove
 * every temp dir. Safe to call more than once.
 */
export async function cleanupAll(): Promise<CleanupReport> {
  const conns = [...closables];
  closables.clear();
  await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
  const leftovers = [...processes].filter((p) => p.isRunning);
  await Promise.all(leftovers.map((p) => p.kill().catch(() => p.killSync())));
  processes.clear();
  const removed = [...dirs];
  for (const dir of removed) removeTempDir(dir);
  return {
    leftoverProcesses: leftovers.map((p) => p.description),
    removedDirs: removed,
    closedConnections: conns.length,
  };
}

/** Synchronous last-resort cleanup for 'exit' and signal handlers. */
export function cleanupAllSync(): void {
  for (const p of processes) {
    try {
      if (p.isRunning) p.killSync();
    } catch {
      // already gone
    }
  }
  processes.clear();
  for (const dir of [...dirs]) {
    try {
      removeTempDir(dir);
    } catch {
      // best effort
    }
  }
}

/** Numbers of things currently tracked (for tests of the harness itself). */
export function trackedCounts(): {
  processes: number;
  runningProcesses: number;
  dirs: number;
  closables: number;
} {
  return {
    processes: processes.size,
    runningProcesses: [...processes].filter((p) => p.isRunning).length,
    dirs: dirs.size,
    closables: closables.size,
  };
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", cleanupAllSync);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.once(signal, () => {
      cleanupAllSync();
      process.exit(code);
    });
  }
}

const OWNER_FILE = "harness-owner.json";

/**
 * Whether process `pid` runs. A zombie (exited, not yet reaped by its
 * parent; orphans wait for this machine's init to reap them) counts as gone.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ...", S the state letter.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: trust kill(pid, 0)
  }
}

function pidFilesUnder(dir: string, depth = 2): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(".pid")) found.push(full);
    else if (entry.isDirectory() && depth > 0 && entry.name !== "store")
      found.push(...pidFilesUnder(full, depth - 1));
  }
  return found;
}

/**
 * Clean up after earlier runs that died without cleaning (e.g. SIGKILLed):
 * for each harness temp dir whose owner process is gone, SIGKILL the
 * nats-server processes recorded in its pid files, but only when the
 * process's command line names that very dir, then remove the dir. Dirs of
 * live runs (other engineers' included) are left alone. Returns the removed dirs.
 */
export function sweepStaleTempDirs(): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(TEMP_PREFIX));
  } catch {
    return removed;
  }
  for (const name of entries) {
    const dir = path.join(os.tmpdir(), name);
    try {
      const owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), "utf8")) as { pid?: number };
      if (typeof owner.pid !== "number" || owner.pid === process.pid || isProcessAlive(owner.pid)) continue;
      for (const pidFile of pidFilesUnder(dir)) {
        const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
        if (!Number.isInteger(pid) || pid <= 1) continue;
        let cmdline = "";
        try {
          cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          continue; // not running
        }
        if (cmdline.includes(dir)) process.kill(pid, "SIGKILL");
      }
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // no owner file, unreadable, or not ours: leave it
    }
  }
  return removed;
}
