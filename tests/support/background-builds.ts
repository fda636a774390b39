// The builds scripts/test.sh runs in the background while the suite starts
// (scripts/background-builds.sh). Each writes .cache/builds/<name>.status:
// "pending", "building", "ok" or "failed: <why>". The gates in tests/gates/
// wait here, at the point of the suite that first needs a build's output.
// Outside test.sh (no .cache/builds/pid) there is nothing to wait for.
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";

export type BackgroundBuild =
  "pulumi" | "pulumi-yaml" | "kube-plane" | "monitoring" | "go-checks" | "kube-provider" | "sdks";

/** Where scripts/test.sh has the builds write their statuses. */
export const BUILDS_DIR = (): string => path.join(repoRoot(), ".cache", "builds");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The builds' process, when test.sh started one that is still running. */
function orchestrator(dir: string): number | undefined {
  const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function statusOf(dir: string, name: BackgroundBuild): string {
  try {
    return fs.readFileSync(path.join(dir, `${name}.status`), "utf8").trim();
  } catch {
    return "missing";
  }
}

const POLL_MS = 500;
const REPORT_EVERY_MS = 60_000;

/**
 * Resolves when every named build is done; throws naming the first that
 * failed (its log is in .cache/builds/builds.log). Waits on the status files,
 * checking that the builds' process is still alive, never on a fixed time.
 */
export async function awaitBuilds(names: readonly BackgroundBuild[], dir = BUILDS_DIR()): Promise<void> {
  if (!fs.existsSync(path.join(dir, "pid"))) return;
  const pid = orchestrator(dir);
  const began = Date.now();
  let reported = began;
  for (;;) {
    const states = names.map((name) => ({ name, status: statusOf(dir, name) }));
    const failed = states.find((s) => s.status.startsWith("failed"));
    if (failed) throw new Error(`the background build "${failed.name}" ${failed.status}`);
    const waiting = states.filter((s) => s.status !== "ok");
    if (waiting.length === 0) return;
    if (pid === undefined || !alive(pid)) {
      // Read once more: the process may have finished between the two reads.
      if (names.every((name) => statusOf(dir, name) === "ok")) return;
      throw new Error(
        `the background builds stopped before ${waiting.map((s) => s.name).join(", ")} finished ` +
          `(${waiting.map((s) => `${s.name}: ${s.status}`).join("; ")}); see ${path.join(dir, "builds.log")}`,
      );
    }
    if (Date.now() - reported >= REPORT_EVERY_MS) {
      reported = Date.now();
      const minutes = Math.round((reported - began) / 60_000);
      console.log(
        `      still waiting after ${minutes} min: ${waiting.map((s) => `${s.name} ${s.status}`).join(", ")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
