// Nothing the harness starts outlives the run: destroy() removes process and
// dir, and forgotten servers are cleaned up by the mocha root hook, on
// process exit, on SIGINT, and (after a SIGKILLed runner) by the stale sweep.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isProcessAlive, repoRoot, startCluster, startServer, sweepStaleTempDirs, waitFor } from "./index";

const gone = (pid: number): Promise<true> =>
  waitFor(async () => (isProcessAlive(pid) ? undefined : true), {
    timeoutMs: 5000,
    what: `pid ${pid} to exit`,
  });

interface Started {
  pid: number;
  dir: string;
}

/** The environment of child runs: no option to keep temp dirs. */
const childEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.PULUMI_NATS_TEST_KEEP;
  return env;
};

/**
 * Run `node -e <script>` where `harness` is the compiled harness; resolves
 * with the child and the {pid, dir} it printed after starting a server.
 */
function childStartingAServer(
  script: string,
): Promise<{ child: ReturnType<typeof spawn>; started: Started }> {
  const harness = JSON.stringify(path.join(__dirname, "index.js"));
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const harness = require(${harness});
       harness.startServer({ serverName: "child" }).then(async (s) => {
         console.log("STARTED " + JSON.stringify({ pid: s.pid, dir: s.dir }));
         ${script}
       });`,
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: childEnv() },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /STARTED (\{.*\})/.exec(out);
      if (m) resolve({ child, started: JSON.parse(m[1]) as Started });
    });
    child.once("exit", (code) =>
      reject(new Error(`child exited (${code}) before starting a server: ${out}`)),
    );
  });
}

const exited = (child: ReturnType<typeof spawn>): Promise<void> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );

describe("harness: cleanup", function () {
  this.timeout(30_000);

  it("destroy() ends the server process and removes its temp dir", async () => {
    const server = await startServer();
    const pid = server.pid;
    assert.ok(pid && isProcessAlive(pid));
    assert.ok(fs.existsSync(path.join(server.storeDir, "jetstream")));
    await server.destroy();
    assert.equal(server.isRunning, false);
    assert.equal(isProcessAlive(pid), false);
    assert.equal(fs.existsSync(server.dir), false);
    await assert.rejects(server.start(), /destroyed/);
  });

  it("a cluster's destroy() ends every node and removes the cluster dir", async () => {
    const cluster = await startCluster({ size: 3 });
    const pids = cluster.servers.map((s) => s.pid);
    assert.ok(pids.every((p) => p && isProcessAlive(p)));
    await cluster.destroy();
    assert.ok(pids.every((p) => p && !isProcessAlive(p)));
    assert.equal(fs.existsSync(cluster.dir), false);
  });

  it("kills forgotten servers and removes their dirs when the process exits", async () => {
    const { child, started } = await childStartingAServer("process.exit(0);");
    await exited(child);
    await gone(started.pid);
    assert.equal(fs.existsSync(started.dir), false);
  });

  it("kills forgotten servers and removes their dirs on SIGINT", async () => {
    const { child, started } = await childStartingAServer("setInterval(() => {}, 1000);");
    assert.ok(isProcessAlive(started.pid));
    child.kill("SIGINT");
    await exited(child);
    assert.equal(child.exitCode, 130);
    await gone(started.pid);
    assert.equal(fs.existsSync(started.dir), false);
  });

  it("sweeps the servers and dirs of a runner that was SIGKILLed", async () => {
    const { child, started } = await childStartingAServer("setInterval(() => {}, 1000);");
    child.kill("SIGKILL");
    await exited(child);
    // Nothing could clean up: the server is orphaned, its dir still there.
    assert.ok(isProcessAlive(started.pid));
    assert.ok(fs.existsSync(started.dir));
    const swept = sweepStaleTempDirs();
    assert.ok(swept.includes(started.dir), `swept ${swept.join(", ")}`);
    await gone(started.pid);
    assert.equal(fs.existsSync(started.dir), false);
  });

  it("the mocha root hook registered in .mocharc.json kills what a test forgot", async () => {
    const rc = JSON.parse(fs.readFileSync(path.join(repoRoot(), ".mocharc.json"), "utf8")) as {
      require?: string[];
    };
    assert.ok(
      rc.require?.includes("bin/tests/support/cleanup.js"),
      ".mocharc.json requires the cleanup hook",
    );
    const fixture = path.join(__dirname, "fixtures", "forgets-a-server.fixture.js");
    const mocha = path.join(repoRoot(), "node_modules", "mocha", "bin", "mocha.js");
    // The same "require" as .mocharc.json, without its spec (which would run every test).
    const requires = (rc.require ?? []).flatMap((r) => ["--require", r]);
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [mocha, "--no-config", ...requires, "--reporter", "dot", "--timeout", "20000", fixture],
        { cwd: repoRoot(), env: childEnv() },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout + stderr),
      ),
    );
    const m = /FIXTURE (\{.*\})/.exec(output);
    assert.ok(m, output);
    const started = JSON.parse(m[1]) as Started;
    assert.match(output, /harness: killed 1 nats-server process\(es\) still running at the end/);
    assert.match(output, /nats-server forgotten/);
    await gone(started.pid);
    assert.equal(fs.existsSync(started.dir), false);
  });
});
