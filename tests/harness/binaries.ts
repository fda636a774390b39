// Where the nats-server and NATS CLI binaries are: the repository's
// .cache/bin (filled by scripts/install-nats.sh), else the PATH.
import fs from "node:fs";
import path from "node:path";

/** Absolute paths of the two NATS binaries the harness runs. */
export interface NatsBinaries {
  /** The nats-server binary. */
  server: string;
  /** The NATS CLI (`nats`), used as an independent client for cross-checks. */
  cli: string;
}

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest directory above this file whose
 * package.json is named "pulumi-nats". Works from tests/harness (ts-node)
 * and from bin/tests/harness (compiled), whatever the working directory.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "pulumi-nats") {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`harness: no pulumi-nats package.json above ${__dirname}`);
    dir = parent;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function find(name: string, what: string): string {
  const cached = path.join(repoRoot(), ".cache", "bin", name);
  if (isExecutable(cached)) return cached;
  const found = onPath(name);
  if (found) return found;
  throw new Error(
    `harness: ${what} (${name}) not found in ${path.dirname(cached)} nor on PATH. ` +
      `Run \`bash scripts/install-nats.sh\` from ${repoRoot()} to build the pinned version.`,
  );
}

let cachedBinaries: NatsBinaries | undefined;

/**
 * Paths of nats-server and the NATS CLI, from .cache/bin first, then PATH.
 * Throws an error that says to run scripts/install-nats.sh when one is missing.
 */
export function binaries(): NatsBinaries {
  cachedBinaries ??= { server: find("nats-server", "nats-server"), cli: find("nats", "the NATS CLI") };
  return cachedBinaries;
}
