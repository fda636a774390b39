// The program's own port-forward against a fake Kubernetes API server that
// speaks the real protocol (pod list over HTTP; port-forward over WebSocket,
// channel.k8s.io framing: one byte of channel, the first frame of each channel
// carrying the port) and relays to a real nats-server on 127.0.0.1. Verifies
// the listener, pod choice (ready pods only), the tunnel, and a JetStream
// request through it; and the forward's identity (one stack, one API server,
// one release), what it reaches, its kubeconfig and its environment. No real
// cluster was available to test against.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePortForward } from "../../sdk/port-forward/port-forward";
import { forwarderEnvironment } from "../../sdk/port-forward/environment";
import { readIdentity } from "../../sdk/port-forward/identity";
import { plan } from "../../sdk/cluster/plan/plan";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { awsArgs } from "./fixtures";
import { waitFor } from "../harness";

const ROOT = path.join(__dirname, "../../..");

// `ws` (a dependency of @kubernetes/client-node) ships no types here: the little used is typed below.
interface Ws {
  send(data: Buffer): void;
  close(): void;
  on(event: "message", f: (data: Buffer) => void): void;
  on(event: "close", f: () => void): void;
}
interface WsServer {
  handleUpgrade(req: http.IncomingMessage, socket: unknown, head: Buffer, f: (ws: Ws) => void): void;
  close(): void;
}
const { WebSocketServer } = require("ws") as {
  WebSocketServer: new (o: {
    noServer: true;
    handleProtocols: (p: Set<string>) => string | false;
  }) => WsServer;
};

function natsServerBinary(): string | undefined {
  const local = path.join(ROOT, ".cache/bin/nats-server");
  if (fs.existsSync(local)) return local;
  return spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" }).stdout.trim() || undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface FakeApi {
  port: number;
  forwarded: string[];
  listed: string[];
  close(): void;
}

/**
 * A fake API server. In each namespace of `upstreams`: pods aaa-0 (ready, but
 * owned by another StatefulSet), events-0 (not ready) and events-1 (ready),
 * both owned by StatefulSet events; forwards go to that namespace's nats-server.
 */
async function fakeApi(upstreams: Record<string, number>): Promise<FakeApi> {
  const forwarded: string[] = [];
  const listed: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/api/v1/namespaces/empty/pods") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: [] }));
      return;
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (req.method === "GET" && m && upstreams[m[1]] !== undefined) {
      listed.push(url.searchParams.get("labelSelector") ?? "");
      const pod = (name: string, ready: boolean, owner: string) => ({
        metadata: {
          name,
          namespace: m[1],
          ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: owner, controller: true }],
        },
        status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "PodList",
          apiVersion: "v1",
          metadata: {},
          items: [
            pod("aaa-0", true, "aaa"),
            pod("events-0", false, "events"),
            pod("events-1", true, "events"),
          ],
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("v4.channel.k8s.io") ? "v4.channel.k8s.io" : false),
  });
  server.on("upgrade", (req, socket, head) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\?ports=(\d+)$/.exec(req.url ?? "");
    if (!m || upstreams[m[1]] === undefined) return socket.destroy();
    const natsPort = upstreams[m[1]];
    forwarded.push(`${m[2]}:${m[3]}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const port = Number(m[3]);
      const portBytes = Buffer.from([port & 0xff, port >> 8]);
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      const upstream = net.connect(natsPort, "127.0.0.1");
      upstream.on("data", (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
      upstream.on("close", () => ws.close());
      upstream.on("error", () => ws.close());
      ws.on("message", (data: Buffer) => {
        if (data[0] === 0 && data.length > 1) upstream.write(data.subarray(1));
      });
      ws.on("close", () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    forwarded,
    listed,
    close: () => {
      wss.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Starts a nats-server named `name` on a free loopback port; resolves once it accepts connections. */
async function startNats(
  binary: string,
  name: string,
  dir: string,
): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(binary, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir, "-n", name], {
    stdio: "ignore",
  });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) =>
      net
        .connect(port, "127.0.0.1")
        .on("connect", function (this: net.Socket) {
          this.destroy();
          r(true);
        })
        .on("error", () => r(false)),
    );
    if (up) return { port, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server ${name} did not start`);
}

function kubeconfigFor(server: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    // Plain HTTP needs this flag in @kubernetes/client-node.
    clusters: [{ name: "fake", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "fake", user: { token: "t" } }],
    contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
    "current-context": "fake",
  });
}

/** Pids of running port-forward daemons of this checkout (Linux /proc). */
function daemonPids(): number[] {
  const daemon = path.join(ROOT, "bin/sdk/port-forward/daemon.js");
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").includes(daemon);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("port-forward access (against a fake API server and a real nats-server)", function () {
  this.timeout(30000);
  const binary = natsServerBinary();
  const servers: ChildProcess[] = [];
  let api: FakeApi | undefined;
  let tmp = "";
  let kubeconfig = "";
  let apiUrl = "";

  before(async function () {
    if (!binary) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nats-pf-"));
    // Namespace nats: the release's server events-1. Namespace wrong: pods that claim to be
    // the release's, behind which a server of another release answers.
    const events = await startNats(binary!, "events-1", path.join(tmp, "events"));
    const intruder = await startNats(binary!, "billing-0", path.join(tmp, "billing"));
    servers.push(events.proc, intruder.proc);
    api = await fakeApi({ nats: events.port, wrong: intruder.port });
    apiUrl = `http://127.0.0.1:${api.port}`;
    kubeconfig = kubeconfigFor(apiUrl);
  });

  after(() => {
    api?.close();
    for (const s of servers) s.kill("SIGKILL");
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const selector =
    "app.kubernetes.io/name=nats,app.kubernetes.io/instance=events,app.kubernetes.io/component=nats";
  const options = (localPort: number, extra: Record<string, unknown> = {}) => ({
    kubeconfig,
    namespace: "nats",
    labelSelector: selector,
    remotePort: 4222,
    localPort,
    release: "events",
    stack: "shop/dev",
    ...extra,
  });

  async function listening(port: number): Promise<boolean> {
    return new Promise((r) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), r(true)));
      s.once("error", () => r(false));
    });
  }

  async function waitUntil(cond: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A fresh copy of the module, as a new program run (or the provider's process) has. */
  async function freshModule(): Promise<typeof import("../../sdk/port-forward/port-forward")> {
    delete require.cache[require.resolve("../../sdk/port-forward/port-forward")];
    return (await import("../../sdk/port-forward/port-forward")) as typeof import("../../sdk/port-forward/port-forward");
  }

  it("starts a detached daemon on 127.0.0.1:<localPort> that tunnels to a ready pod of the release; JetStream answers through it", async () => {
    const localPort = await freePort();
    await ensurePortForward(options(localPort), undefined, { idleMs: 1500, maxMs: 60_000 });
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({ servers: [`nats://127.0.0.1:${localPort}`], reconnect: false });
    try {
      const jsm = await jetstreamManager(nc);
      const si = await jsm.streams.add({ name: "PF", subjects: ["pf.>"] });
      assert.equal(si.config.name, "PF");
    } finally {
      await nc.close();
    }
    assert.ok(api!.listed.every((s) => s === selector));
    assert.ok(api!.forwarded.length >= 1);
    assert.ok(
      api!.forwarded.every((f) => f === "events-1:4222"),
      `forwarded to ${api!.forwarded.join(", ")} (events-0 is not ready, aaa-0 is another StatefulSet's)`,
    );
    // The daemon outlives this call (the engine deletes after the program exits), then exits when idle.
    assert.equal(await listening(localPort), true);
    // Idle for 1.5 s, it exits: wait for that (a loaded machine is slower), bounded. Each
    // probe is a connection, which restarts the idle time: probe less often than that.
    await waitFor(async () => ((await listening(localPort)) ? undefined : true), {
      timeoutMs: 20_000,
      intervalMs: 2500,
      what: "the port-forward daemon to exit after its idle time",
    });
  });

  it("is opened by the JetStream provider itself from connection.portForward (refresh and destroy do not run the program)", async () => {
    const { cores } = await import("../../sdk/jetstream/core");
    const { closeAll } = await import("../../sdk/jetstream/connection");
    const localPort = await freePort();
    assert.equal(await listening(localPort), false);
    const props = {
      name: "VIA_FORWARD",
      subjects: ["forward.>"],
      storage: "memory",
      connection: {
        servers: [`nats://127.0.0.1:${localPort}`],
        readyTimeout: "20s",
        // No release or stack (a connection recorded before they existed): the release comes from the selector.
        portForward: { namespace: "nats", labelSelector: selector, remotePort: 4222, localPort },
      },
      credentials: { kubeconfig },
    };
    try {
      const { id, outs } = await cores.stream.create(props);
      assert.equal(id, "VIA_FORWARD");
      await closeAll();
      // A later run (a refresh, say) reaches the stream through a forward the provider reopens.
      const read = await cores.stream.read(id, outs);
      assert.equal(read?.id, "VIA_FORWARD");
      await cores.stream.delete(id, outs);
      assert.equal(await cores.stream.read(id, outs), undefined);
    } finally {
      await closeAll();
    }
  });

  it("reuses a forward of the same stack, API server and release that is still listening", async () => {
    const localPort = await freePort();
    await ensurePortForward(options(localPort), undefined, { idleMs: 2000, maxMs: 60_000 });
    const held = await readIdentity(localPort);
    assert.deepEqual(
      { ...held, pid: undefined },
      { stack: "shop/dev", apiServer: apiUrl, namespace: "nats", release: "events", pid: undefined },
    );
    const before = api!.forwarded.length;
    const fresh = await freshModule();
    await fresh.ensurePortForward(options(localPort), undefined, { idleMs: 2000, maxMs: 60_000 });
    assert.equal(api!.forwarded.length, before + 1, "the check went through the existing tunnel");
    assert.equal((await readIdentity(localPort))?.pid, held!.pid, "a second daemon was started");
  });

  it("never reuses the forward of another stack or another API server, though it reaches the same release", async () => {
    const localPort = await freePort();
    await ensurePortForward(options(localPort), undefined, { idleMs: 2000, maxMs: 60_000 });
    const fresh = await freshModule();
    await assert.rejects(
      fresh.ensurePortForward(options(localPort, { stack: "shop/prod" }), undefined),
      new RegExp(
        `^Error: port-forward: 127\\.0\\.0\\.1:${localPort} is held by the port-forward of stack shop/dev, release nats/events at http://127\\.0\\.0\\.1:\\d+ \\(process \\d+\\), not of stack shop/prod, release nats/events at .*; set access\\.localPort to a free port`,
      ),
    );
    const other = await freshModule();
    await assert.rejects(
      other.ensurePortForward(
        options(localPort, { kubeconfig: kubeconfigFor(`http://localhost:${api!.port}`) }),
        undefined,
      ),
      /is held by the port-forward of stack shop\/dev, release nats\/events at http:\/\/127\.0\.0\.1:\d+ .*not of stack shop\/dev, release nats\/events at http:\/\/localhost:\d+/,
    );
  });

  it("refuses a local port held by anything but a pulumi-nats forward, even a NATS server of the same name", async () => {
    const busy = net.createServer((s) => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const other = net.createServer((s) => s.write('INFO {"server_id":"X","cluster":"billing"}\r\n'));
    // What a single server (replicas: 1, no cluster name) of some other stack looks like.
    const bare = net.createServer((s) => s.write('INFO {"server_id":"Y","server_name":"events-0"}\r\n'));
    const same = net.createServer((s) =>
      s.write('INFO {"server_id":"Z","server_name":"events-0","cluster":"events"}\r\n'),
    );
    const all = [busy, other, bare, same];
    for (const srv of all) await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv: net.Server) => (srv.address() as net.AddressInfo).port;
    try {
      for (const srv of all)
        for (const cluster of ["events", undefined])
          await assert.rejects(
            (await freshModule()).ensurePortForward(options(port(srv)), cluster),
            /127\.0\.0\.1:\d+ is in use by something other than a pulumi-nats port-forward; set access\.localPort/,
          );
    } finally {
      for (const srv of all) srv.close();
    }
  });

  it("tunnels only to the release's pods, and refuses a forward that reaches another release's server", async () => {
    const localPort = await freePort();
    await assert.rejects(
      ensurePortForward(options(localPort, { namespace: "wrong" }), undefined, {
        idleMs: 1000,
        maxMs: 60_000,
      }),
      new RegExp(
        `^Error: port-forward: 127\\.0\\.0\\.1:${localPort} reaches NATS server billing-0, not a server of release wrong/events$`,
      ),
    );
    // The daemon it started is stopped, not left for the next run.
    await waitUntil(async () => !(await listening(localPort)), "the wrong forward to stop");
    const released = await freshModule();
    await assert.rejects(
      released.ensurePortForward(options(await freePort(), { release: "billing" }), undefined),
      /no ready NATS pod of StatefulSet billing in namespace nats/,
    );
  });

  it("never uses the ambient kubeconfig or the current kubectl context", async () => {
    const localPort = await freePort();
    const file = path.join(tmp, "ambient-kubeconfig");
    fs.writeFileSync(file, kubeconfig);
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      await assert.rejects(
        ensurePortForward(options(localPort, { kubeconfig: undefined }), undefined),
        /^Error: port-forward: no kubeconfig was given, and the forward never uses the ambient kubeconfig or the current kubectl context/,
      );
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    assert.equal(await listening(localPort), false);
  });

  it("runs the detached daemon without pulumi's environment (decrypted config, tokens, cloud credentials)", async function () {
    if (process.platform !== "linux") this.skip(); // reads /proc
    const marker = `secret-${process.pid}-${Date.now()}`;
    const planted = {
      PULUMI_CONFIG: JSON.stringify({ "shop:dbPassword": marker }),
      PULUMI_ACCESS_TOKEN: marker,
      AWS_SECRET_ACCESS_KEY: marker,
      GOOGLE_APPLICATION_CREDENTIALS: marker,
    };
    Object.assign(process.env, planted);
    const localPort = await freePort();
    try {
      await ensurePortForward(options(localPort), undefined, { idleMs: 1500, maxMs: 60_000 });
    } finally {
      for (const k of Object.keys(planted)) delete process.env[k];
    }
    const pid = (await readIdentity(localPort))?.pid;
    assert.ok(pid !== undefined && daemonPids().includes(pid), "the daemon's identity names its process");
    const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    assert.equal(env.filter((e) => e.includes(marker)).length, 0, `the daemon has: ${env.join(" ")}`);
    assert.ok(env.some((e) => e.startsWith("PATH=")));
  });

  it("fails with a clear error when no pod is ready, and leaves no listener behind", async () => {
    const localPort = await freePort();
    await assert.rejects(
      ensurePortForward(options(localPort, { namespace: "empty" }), undefined),
      /^Error: port-forward: to namespace empty: no ready NATS pod of StatefulSet events in namespace empty matching app\.kubernetes\.io\/name=nats/,
    );
    assert.equal(await listening(localPort), false);
  });
});

describe("port-forward environment", () => {
  const env = {
    PATH: "/usr/bin",
    HOME: "/home/u",
    PULUMI_CONFIG: "{}",
    PULUMI_ACCESS_TOKEN: "t",
    AWS_PROFILE: "prod",
    AWS_SECRET_ACCESS_KEY: "s",
    GOOGLE_APPLICATION_CREDENTIALS: "/k.json",
    CLOUDSDK_CONFIG: "/c",
    GITHUB_TOKEN: "g",
  };

  it("keeps only what a process needs, plus the variables of the kubeconfig's exec plugin", () => {
    assert.deepEqual(forwarderEnvironment(env, []), { PATH: "/usr/bin", HOME: "/home/u" });
    assert.deepEqual(forwarderEnvironment(env, ["/usr/local/bin/aws"]), {
      PATH: "/usr/bin",
      HOME: "/home/u",
      AWS_PROFILE: "prod",
      AWS_SECRET_ACCESS_KEY: "s",
    });
    assert.deepEqual(forwarderEnvironment(env, ["gke-gcloud-auth-plugin"]), {
      PATH: "/usr/bin",
      HOME: "/home/u",
      GOOGLE_APPLICATION_CREDENTIALS: "/k.json",
      CLOUDSDK_CONFIG: "/c",
    });
  });
});

describe("port-forward identity in the plan", () => {
  it("gives two stacks of one program different default local ports", () => {
    const dev = plan("events", awsArgs(), "shop/dev").access.localPort;
    const prod = plan("events", awsArgs(), "shop/prod").access.localPort;
    assert.notEqual(dev, prod);
    assert.ok(dev >= 14222 && dev < 15222 && prod >= 14222 && prod < 15222);
  });

  it("refuses port-forward access on an existing cluster without a kubeconfig, before anything is created", () => {
    assert.throws(
      () => plan("events", awsArgs({ platform: { kubernetes: {} } }), "shop/dev"),
      (err: unknown) =>
        err instanceof NatsClusterArgsError &&
        /platform\.kubernetes\.kubeconfig: is required with port-forward access: the forward never uses the ambient kubeconfig or the current kubectl context/.test(
          err.message,
        ),
    );
    // With access through a URL, the ambient kubeconfig of the Kubernetes provider is fine.
    assert.equal(
      plan(
        "events",
        awsArgs({ platform: { kubernetes: {} }, access: { mode: "url", url: "nats://events.nats:4222" } }),
      ).access.mode,
      "url",
    );
  });
});
