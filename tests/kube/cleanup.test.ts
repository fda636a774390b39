// The control plane never outlives its test run: a runner stopped by SIGTERM
// kills every process of its plane by pid, and one stopped by SIGKILL (which
// cleans nothing) leaves orphans that the next run's sweep kills.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isProcessAlive, sweepStaleTempDirs, waitFor } from "../harness";

const FIXTURE = path.join(__dirname, "fixtures", "start-plane.js");

async function startRunner(): Promise<{ child: ChildProcess; pids: number[]; dir: string }> {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    child.once("exit", (code) =>
      reject(new Error(`the runner exited ${code} before its plane started: ${err}`)),
    );
  });
  const { pids, dir } = JSON.parse(line) as { pids: number[]; dir: string };
  return { child, pids, dir };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));

describe("kube harness: cleanup of the control plane", function () {
  this.timeout(240_000);

  it("SIGTERM to the runner kills every control-plane process by pid and removes its dir", async () => {
    const { child, pids, dir } = await startRunner();
    assert.equal(pids.length, 5);
    assert.ok(pids.every(isProcessAlive));
    child.kill("SIGTERM");
    await exited(child);
    await waitFor(async () => (pids.some(isProcessAlive) ? undefined : true), {
      timeoutMs: 10_000,
      what: "the plane's processes to be gone",
    });
    assert.equal(fs.existsSync(dir), false);
  });

  it("after a SIGKILLed runner, the next run's sweep kills the orphaned processes and removes the dir", async () => {
    const { child, pids, dir } = await startRunner();
    child.kill("SIGKILL");
    await exited(child);
    assert.ok(pids.every(isProcessAlive), "orphans survive a SIGKILLed runner");
    const swept = sweepStaleTempDirs();
    assert.ok(swept.includes(dir), `swept ${swept.join(", ")}`);
    await waitFor(async () => (pids.some(isProcessAlive) ? undefined : true), {
      timeoutMs: 10_000,
      what: "the orphans to be gone",
    });
    assert.equal(fs.existsSync(dir), false);
  });
});
