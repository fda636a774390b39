// A port-forward opened by the program: a TCP listener on
// 127.0.0.1:<localPort> whose every connection is tunnelled (Kubernetes
// port-forward over WebSocket, @kubernetes/client-node) to port 4222 of a
// ready NATS pod, picked afresh per connection. The JetStream resources'
// provider, which runs on the same machine, connects to that URL. The cluster
// does not advertise pod addresses to clients (the chart's `noAdvertise`), so
// the client stays on the forwarded address.
//
// The listener runs in a small detached process (daemon.ts), not
// in the program: the engine deletes resources that left the program (a
// removed Stream) after the program has exited, and those deletes need the
// tunnel too. The daemon exits once no connection has been open for
// `idleMs` (default 2 minutes), and after `maxMs` (default 2 hours) at most.
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

export interface PortForwardOptions {
  /** Kubeconfig contents; undefined = the ambient kubeconfig. */
  kubeconfig: string | undefined;
  namespace: string;
  /** Label selector of the NATS pods. */
  labelSelector: string;
  remotePort: number;
  localPort: number;
}

export interface Lifetime {
  /** Exit after this long without any open connection. @default 120000 */
  idleMs: number;
  /** Exit after this long in any case. @default 7200000 */
  maxMs: number;
}

const DEFAULT_LIFETIME: Lifetime = { idleMs: 120_000, maxMs: 7_200_000 };

// One daemon per local port per program run.
const started = new Map<number, Promise<void>>();

/** What listens on a local port: nothing, a NATS server (its INFO's cluster name), or something else. */
function probe(port: number): Promise<{ listening: boolean; nats: boolean; cluster?: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let data = "";
    const done = (r: { listening: boolean; nats: boolean; cluster?: string }) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ listening: true, nats: false }), 5000);
    s.once("error", () => done({ listening: false, nats: false }));
    s.on("data", (d: Buffer) => {
      data += d.toString();
      const nl = data.indexOf("\r\n");
      if (nl < 0) return;
      const line = data.slice(0, nl);
      if (!line.startsWith("INFO ")) return done({ listening: true, nats: false });
      try {
        done({
          listening: true,
          nats: true,
          cluster: (JSON.parse(line.slice(5)) as { cluster?: string }).cluster,
        });
      } catch {
        done({ listening: true, nats: false });
      }
    });
  });
}

/**
 * Makes sure a port-forward listens on 127.0.0.1:<localPort>: reuses one that
 * already serves this NATS cluster (a daemon of an earlier run, still within
 * its idle time), or starts a daemon and resolves once it listens and has
 * found a ready pod. `cluster` is the NATS cluster name (the StatefulSet's),
 * checked against the INFO of whatever already listens on the port.
 */
export function ensurePortForward(
  o: PortForwardOptions,
  cluster: string | undefined,
  lifetime: Lifetime = DEFAULT_LIFETIME,
): Promise<void> {
  const existing = started.get(o.localPort);
  if (existing) return existing;
  const p = (async () => {
    const found = await probe(o.localPort);
    if (!found.listening) return spawnDaemon(o, lifetime);
    if (found.nats && (cluster === undefined || found.cluster === undefined || found.cluster === cluster))
      return;
    throw new Error(
      `port-forward: 127.0.0.1:${o.localPort} is in use by something other than NATS cluster ${cluster ?? ""}; set access.localPort to a free port`,
    );
  })();
  started.set(o.localPort, p);
  p.catch(() => started.delete(o.localPort));
  return p;
}

function spawnDaemon(o: PortForwardOptions, lifetime: Lifetime): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "daemon.js")], {
      detached: true,
      stdio: ["pipe", "pipe", "ignore"],
    });
    let out = "";
    const timer = setTimeout(() => finish("error: the port-forward did not start within 60s"), 60_000);
    const finish = (line: string) => {
      clearTimeout(timer);
      child.stdout!.removeAllListeners();
      child.stdout!.destroy();
      child.unref();
      if (line === "listening") resolve();
      else reject(new Error(`port-forward: ${line.replace(/^error: /, "")}`));
    };
    child.once("error", (err) => finish(`error: ${err.message}`));
    child.once("exit", (code) => finish(out.trim() || `error: the port-forward process exited (${code})`));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.removeAllListeners("exit");
        finish(out.slice(0, nl));
      }
    });
    // The kubeconfig goes through a pipe: never on disk or in the process list.
    child.stdin!.end(JSON.stringify({ ...o, ...lifetime }));
  });
}

interface PodLike {
  metadata?: { name?: string; deletionTimestamp?: unknown };
  status?: { conditions?: { type: string; status: string }[] };
}

function isReady(p: PodLike): boolean {
  return (
    !p.metadata?.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

/**
 * The listener itself (run inside the daemon). `onDone` is called when the
 * lifetime is over; the server is closed by then.
 */
export async function startListener(
  o: PortForwardOptions,
  lifetime: Lifetime,
  onDone: () => void,
): Promise<net.Server> {
  // Loaded lazily: only programs that port-forward pay for the client (ESM, loaded through require(esm) on Node >= 20.19).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kc8s: any = require("@kubernetes/client-node");
  const kc = new kc8s.KubeConfig();
  if (o.kubeconfig) kc.loadFromString(o.kubeconfig);
  else kc.loadFromDefault();
  const core = kc.makeApiClient(kc8s.CoreV1Api);
  const forward = new kc8s.PortForward(kc);
  let next = 0;

  const pickPod = async (): Promise<string> => {
    const list = await core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.labelSelector });
    const ready = ((list.items ?? []) as PodLike[])
      .filter(isReady)
      .map((p) => p.metadata!.name!)
      .sort();
    if (ready.length === 0)
      throw new Error(`no ready NATS pod in namespace ${o.namespace} matching ${o.labelSelector}`);
    return ready[next++ % ready.length];
  };

  let active = 0;
  let lastActivity = Date.now();
  const server = net.createServer((socket) => {
    active++;
    socket.on("close", () => {
      active--;
      lastActivity = Date.now();
    });
    socket.on("error", () => socket.destroy());
    pickPod()
      .then((pod) => forward.portForward(o.namespace, pod, [o.remotePort], socket, null, socket))
      .then((ws: { on(event: "close", f: () => void): void }) => {
        // The pod went away or the API server dropped the stream: close the client's
        // socket too, so the client reconnects (to another ready pod) at once.
        ws.on("close", () => socket.destroy());
      })
      .catch((err: unknown) => {
        process.stderr.write(
          `pulumi-nats port-forward: ${err instanceof Error ? err.message : String(err)}\n`,
        );
        socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `127.0.0.1:${o.localPort} is in use; set access.localPort to a free port`
            : `cannot listen on 127.0.0.1:${o.localPort}: ${err.message}`,
        ),
      ),
    );
    server.listen(o.localPort, "127.0.0.1", () => resolve());
  });
  // Fail early, with a clear message, if no pod can be reached at all.
  try {
    await pickPod();
  } catch (err) {
    server.close();
    throw new Error(`to namespace ${o.namespace}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const began = Date.now();
  const check = setInterval(
    () => {
      const now = Date.now();
      if ((active === 0 && now - lastActivity >= lifetime.idleMs) || now - began >= lifetime.maxMs) {
        clearInterval(check);
        server.close();
        onDone();
      }
    },
    Math.min(1000, lifetime.idleMs),
  );
  return server;
}
