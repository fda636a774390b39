// The program's own port-forward against a fake Kubernetes API server that
// speaks the real protocol (pod list over HTTP; port-forward over WebSocket,
// channel.k8s.io framing: one byte of channel, the first frame of each channel
// carrying the port) and relays to a real nats-server on 127.0.0.1. Verifies
// the listener, pod choice (ready pods only), the tunnel, and a JetStream
// request through it. No real cluster was available to test against.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePortForward } from "../../sdk/port-forward/port-forward";

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

/** A fake API server: pods events-0 (not ready) and events-1 (ready); forwards to `natsPort`. */
async function fakeApi(natsPort: number): Promise<FakeApi> {
  const forwarded: string[] = [];
  const listed: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/api/v1/namespaces/empty/pods") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: [] }));
      return;
    }
    if (req.method === "GET" && url.pathname === "/api/v1/namespaces/nats/pods") {
      listed.push(url.searchParams.get("labelSelector") ?? "");
      const pod = (name: string, ready: boolean) => ({
        metadata: { name, namespace: "nats" },
        status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "PodList",
          apiVersion: "v1",
          metadata: {},
          items: [pod("events-0", false), pod("events-1", true)],
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
    const m = /^\/api\/v1\/namespaces\/nats\/pods\/([^/]+)\/portforward\?ports=(\d+)$/.exec(req.url ?? "");
    if (!m) return socket.destroy();
    forwarded.push(`${m[1]}:${m[2]}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const port = Number(m[2]);
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

describe("port-forward access (against a fake API server and a real nats-server)", function () {
  this.timeout(30000);
  const binary = natsServerBinary();
  let nats: ChildProcess | undefined;
  let api: FakeApi | undefined;
  let tmp = "";
  let natsPort = 0;
  let kubeconfig = "";

  before(async function () {
    if (!binary) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nats-pf-"));
    natsPort = await freePort();
    nats = spawn(binary!, ["-js", "-a", "127.0.0.1", "-p", String(natsPort), "-sd", tmp], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((r) =>
        net
          .connect(natsPort, "127.0.0.1")
          .on("connect", function (this: net.Socket) {
            this.destroy();
            r(true);
          })
          .on("error", () => r(false)),
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    api = await fakeApi(natsPort);
    kubeconfig = JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      // Plain HTTP needs this flag in @kubernetes/client-node.
      clusters: [
        {
          name: "fake",
          cluster: { server: `http://127.0.0.1:${api.port}`, "insecure-skip-tls-verify": true },
        },
      ],
      users: [{ name: "fake", user: { token: "t" } }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
      "current-context": "fake",
    });
  });

  after(() => {
    api?.close();
    nats?.kill("SIGKILL");
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const selector =
    "app.kubernetes.io/name=nats,app.kubernetes.io/instance=events,app.kubernetes.io/component=nats";

  async function listening(port: number): Promise<boolean> {
    return new Promise((r) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), r(true)));
      s.once("error", () => r(false));
    });
  }

  it("starts a detached daemon on 127.0.0.1:<localPort> that tunnels to a ready pod; JetStream answers through it", async () => {
    const localPort = await freePort();
    const opts = { kubeconfig, namespace: "nats", labelSelector: selector, remotePort: 4222, localPort };
    await ensurePortForward(opts, undefined, { idleMs: 1500, maxMs: 60_000 });
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
      `forwarded to ${api!.forwarded.join(", ")} (events-0 is not ready)`,
    );
    // The daemon outlives this call (the engine deletes after the program exits), then exits when idle.
    assert.equal(await listening(localPort), true);
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal(await listening(localPort), false, "the daemon did not exit after its idle time");
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

  it("reuses a forward to the same NATS cluster that is still listening", async () => {
    const localPort = await freePort();
    const opts = { kubeconfig, namespace: "nats", labelSelector: selector, remotePort: 4222, localPort };
    await ensurePortForward(opts, undefined, { idleMs: 2000, maxMs: 60_000 });
    const before = api!.forwarded.length;
    // A new program run (a fresh module state) finds it through the NATS INFO on the port.
    delete require.cache[require.resolve("../../sdk/port-forward/port-forward")];
    const fresh =
      (await import("../../sdk/port-forward/port-forward")) as typeof import("../../sdk/port-forward/port-forward");
    await fresh.ensurePortForward(opts, undefined, { idleMs: 2000, maxMs: 60_000 });
    assert.equal(api!.forwarded.length, before + 1, "the probe went through the existing tunnel");
  });

  it("refuses a local port held by something that is not this NATS cluster, naming the setting to change", async () => {
    const busy = net.createServer((s) => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const other = net.createServer((s) => s.write('INFO {"server_id":"X","cluster":"billing"}\r\n'));
    for (const srv of [busy, other]) await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv: net.Server) => (srv.address() as net.AddressInfo).port;
    const base = { kubeconfig, namespace: "nats", labelSelector: "x", remotePort: 4222 };
    try {
      for (const srv of [busy, other])
        await assert.rejects(
          ensurePortForward({ ...base, localPort: port(srv) }, "events"),
          /127\.0\.0\.1:\d+ is in use by something other than NATS cluster events; set access\.localPort/,
        );
    } finally {
      busy.close();
      other.close();
    }
  });

  it("fails with a clear error when no pod is ready, and leaves no listener behind", async () => {
    const localPort = await freePort();
    await assert.rejects(
      ensurePortForward(
        { kubeconfig, namespace: "empty", labelSelector: selector, remotePort: 4222, localPort },
        undefined,
      ),
      /^Error: port-forward: to namespace empty: no ready NATS pod in namespace empty matching app\.kubernetes\.io\/name=nats/,
    );
    assert.equal(await listening(localPort), false);
  });
});
