// Three real nats-server processes running the nats.conf the real chart
// rendered (tests/cluster/rendered/chart-aws.yaml.txt, see
// rendered-chart.test.ts), with only ports, paths and route hosts rewritten
// for 127.0.0.1, and the auth and routes includes the credentials Secret
// holds. `rewriteAuth` + `reload` do what the chart's config reloader does
// when the Secret changes: the mounted include is replaced, then every server
// gets the reload signal (`nats-server --signal reload=<pid>`), no restart.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { binaries, freePort, waitFor } from "../harness";

const RENDERED = path.join(__dirname, "../../../tests/cluster/rendered");

export interface RenderedServers {
  clientUrls: string[];
  monitorPorts: number[];
  pids: number[];
  /** Replaces every server's mounted auth.conf. */
  rewriteAuth(authInclude: string): void;
  /** Sends each server the reload signal and waits until each has reloaded its config. */
  reload(): Promise<void>;
  stop(): void;
}

function renderedConf(): string {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(RENDERED, "chart-aws.yaml.txt"), "utf8"))
    .map((d) => d.toJS() as { kind: string; data?: Record<string, string> })
    .filter((d) => d != null);
  const cm = docs.find((d) => d.kind === "ConfigMap");
  assert.ok(cm?.data?.["nats.conf"], "no rendered ConfigMap");
  return cm.data["nats.conf"];
}

async function json(url: string): Promise<Record<string, unknown>> {
  return (await fetch(url)).json() as Promise<Record<string, unknown>>;
}

/** Starts the three servers with `authInclude` and `routesInclude(hosts)`; resolves with a meta leader. */
export async function startRenderedServers(
  authInclude: string,
  routesInclude: (hosts: string[]) => string,
): Promise<RenderedServers> {
  const server = binaries().server;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nats-tenancy-render-"));
  const conf = renderedConf();
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  const monitorPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
    monitorPorts.push(await freePort());
  }
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = path.join(tmp, `n${i}`);
    dirs.push(dir);
    for (const d of ["etc/nats-config", "etc/nats-auth", "etc/nats-zone"])
      fs.mkdirSync(path.join(dir, d), { recursive: true });
    let c = conf;
    const swap = (from: string, to: string) => {
      assert.ok(c.includes(from), `rendered config lacks ${from}`);
      c = c.split(from).join(to);
    };
    swap('"port": 4222', `"port": ${clientPorts[i]}`);
    swap('"port": 6222', `"port": ${routePorts[i]}`);
    swap('"http_port": 8222', `"http_port": ${monitorPorts[i]}`);
    swap('"store_dir": "/data"', `"store_dir": ${JSON.stringify(path.join(dir, "data"))}`);
    swap('"pid_file": "/var/run/nats/nats.pid"', `"pid_file": ${JSON.stringify(path.join(dir, "nats.pid"))}`);
    for (let j = 0; j < 3; j++)
      swap(`nats://events-${j}.events-headless:6222`, `nats://127.0.0.1:${routePorts[j]}`);
    fs.writeFileSync(path.join(dir, "etc/nats-config/nats.conf"), c);
    fs.writeFileSync(path.join(dir, "etc/nats-auth/auth.conf"), authInclude);
    fs.writeFileSync(
      path.join(dir, "etc/nats-auth/routes.conf"),
      routesInclude(routePorts.map((port) => `127.0.0.1:${port}`)),
    );
    // What the zone-discovery init container writes (its script is tested in rendered-chart.test.ts).
    fs.writeFileSync(path.join(dir, "etc/nats-zone/zone.conf"), `server_tags: ["az:zone-${i}"]\n`);
    procs.push(
      spawn(server, ["-c", path.join(dir, "etc/nats-config/nats.conf")], {
        env: { ...process.env, SERVER_NAME: `events-${i}` },
        stdio: ["ignore", "ignore", "ignore"],
      }),
    );
  }
  const stop = () => {
    for (const p of procs) p.kill("SIGKILL");
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    for (const port of monitorPorts)
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/healthz?js-enabled-only=true`)).ok || undefined,
        {
          timeoutMs: 30_000,
          what: "healthz",
        },
      );
    await waitFor(
      async () =>
        (
          (await json(`http://127.0.0.1:${monitorPorts[0]}/jsz`)).meta_cluster as
            { leader?: string } | undefined
        )?.leader || undefined,
      { timeoutMs: 30_000, what: "a meta leader" },
    );
  } catch (e) {
    stop();
    throw e;
  }
  return {
    clientUrls: clientPorts.map((p) => `nats://127.0.0.1:${p}`),
    monitorPorts,
    pids: procs.map((p) => p.pid!),
    rewriteAuth(include: string) {
      for (const dir of dirs) fs.writeFileSync(path.join(dir, "etc/nats-auth/auth.conf"), include);
    },
    async reload() {
      for (const [i, pid] of procs.map((p) => p.pid!).entries()) {
        const before = String((await json(`http://127.0.0.1:${monitorPorts[i]}/varz`)).config_load_time);
        const r = spawnSync(server, ["--signal", `reload=${pid}`], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        await waitFor(
          async () =>
            String((await json(`http://127.0.0.1:${monitorPorts[i]}/varz`)).config_load_time) !== before ||
            undefined,
          { timeoutMs: 15_000, what: `events-${i} to reload its config` },
        );
      }
    },
    stop,
  };
}
