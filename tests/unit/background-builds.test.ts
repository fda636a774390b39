// The gates' wait on the background builds of scripts/test.sh
// (tests/support/background-builds.ts), against status files in a temp dir and
// a real process standing in for the builds.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { makeTempDir } from "../harness";
import { awaitBuilds } from "../support/background-builds";

describe("gates: waiting on the background builds", () => {
  let dir: string;
  let builds: ChildProcess | undefined;
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), `${text}\n`);
  /** A process that stays up until killed, in the role of scripts/background-builds.sh. */
  const startBuilds = (): ChildProcess => {
    builds = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    write("pid", String(builds.pid));
    return builds;
  };

  beforeEach(() => {
    dir = makeTempDir("background-builds-");
  });
  afterEach(() => {
    builds?.kill();
    builds = undefined;
  });

  it("does not wait when no test.sh run started builds", async () => {
    await awaitBuilds(["kube-plane"], dir);
  });

  it("waits until every named build is ok, however long it takes", async () => {
    startBuilds();
    write("pulumi.status", "building");
    write("pulumi-yaml.status", "pending");
    let done = false;
    const waiting = awaitBuilds(["pulumi", "pulumi-yaml"], dir).then(() => (done = true));
    write("pulumi.status", "ok");
    // Still waiting for pulumi-yaml: observed through two status reads of the waiter.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.equal(done, false);
    write("pulumi-yaml.status", "ok");
    await waiting;
    assert.equal(done, true);
  });

  it("fails naming the build that failed", async () => {
    startBuilds();
    write("kube-plane.status", "failed: exit 1 after 12s; see builds.log");
    await assert.rejects(
      awaitBuilds(["kube-plane", "monitoring"], dir),
      /background build "kube-plane" failed: exit 1/,
    );
  });

  it("fails instead of waiting for ever when the builds' process is gone", async () => {
    const process = startBuilds();
    write("monitoring.status", "building");
    const exited = new Promise((resolve) => process.once("exit", resolve));
    process.kill();
    await exited;
    await assert.rejects(
      awaitBuilds(["monitoring"], dir),
      /stopped before monitoring finished \(monitoring: building\)/,
    );
  });
});
