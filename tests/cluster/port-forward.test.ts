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
import { ensurePortForward } from "../../sdk/cluster/port-forward";

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

  it("listens on 127.0.0.1:<localPort>, tunnels to a ready pod, and JetStream answers through it", async () => {
    const localPort = await freePort();
    const selector =
      "app.kubernetes.io/name=nats,app.kubernetes.io/instance=events,app.kubernetes.io/component=nats";
    const opts = { kubeconfig, namespace: "nats", labelSelector: selector, remotePort: 4222, localPort };
    const server = await ensurePortForward(opts);
    assert.equal(await ensurePortForward(opts), server, "a second call reuses the listener");
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
    server.close();
  });

  it("reports a local port in use with the setting to change", async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const localPort = (busy.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        ensurePortForward({ kubeconfig, namespace: "nats", labelSelector: "x", remotePort: 4222, localPort }),
        /127\.0\.0\.1:\d+ is in use; set access\.localPort/,
      );
    } finally {
      busy.close();
    }
  });
});
