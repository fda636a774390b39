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
//
// A forward belongs to one stack, one API server and one release
// (identity.ts): a later run reuses it only when all three match, tunnels
// only to ready pods owned by the release's StatefulSet, checks that the
// server reached is `<release>-<n>`, needs an explicit kubeconfig, and runs
// with a minimal environment (environment.ts).
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { forwarderEnvironment } from "./environment";
import {
  describeIdentity,
  readIdentity,
  sameIdentity,
  serveIdentity,
  type ForwardIdentity,
} from "./identity";

export interface PortForwardOptions {
  /**
   * Kubeconfig contents. Required: the forward never falls back to the
   * ambient kubeconfig or the current kubectl context, which may point at
   * another cluster by the time of a refresh or destroy.
   */
  kubeconfig: string | undefined;
  namespace: string;
  /** Label selector of the NATS pods. */
  labelSelector: string;
  remotePort: number;
  localPort: number;
  /** The NatsCluster's release (its StatefulSet's name): pods must belong to it. */
  release: string;
  /** `<project>/<stack>` of the program: a forward serves one stack only. */
  stack: string;
}

/** What the daemon receives on stdin: the options, resolved identity and lifetime. */
export interface DaemonInput extends PortForwardOptions, Lifetime {
  identity: ForwardIdentity;
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

interface Probe {
  listening: boolean;
  nats: boolean;
  cluster?: string;
  serverName?: string;
}

/** What listens on a local port: nothing, a NATS server (its INFO's cluster and server name), or something else. */
function probe(port: number): Promise<Probe> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let data = "";
    const done = (r: Probe) => {
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
        const info = JSON.parse(line.slice(5)) as { cluster?: string; server_name?: string };
        done({ listening: true, nats: true, cluster: info.cluster, serverName: info.server_name });
      } catch {
        done({ listening: true, nats: false });
      }
    });
  });
}

/** The API server URL of the kubeconfig's current context, and the exec plugins it runs. */
export function kubeTarget(kubeconfig: string): { apiServer: string; execCommands: string[] } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kc8s: any = require("@kubernetes/client-node");
  const kc = new kc8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  const server = kc.getCurrentCluster()?.server as string | undefined;
  if (!server) throw new Error("the kubeconfig's current context names no cluster with a server URL");
  const command = kc.getCurrentUser()?.exec?.command as string | undefined;
  return { apiServer: server, execCommands: command ? [command] : [] };
}

/**
 * Makes sure a port-forward of THIS stack, API server and release listens on
 * 127.0.0.1:<localPort>: reuses the daemon of an earlier run when its
 * identity matches exactly, or starts one. Either way it then checks what the
 * port reaches: a NATS server named `<release>-<n>` (the chart's pod names),
 * in NATS cluster `cluster` when given. Anything else on the port is refused.
 */
export function ensurePortForward(
  o: PortForwardOptions,
  cluster: string | undefined,
  lifetime: Lifetime = DEFAULT_LIFETIME,
): Promise<void> {
  const existing = started.get(o.localPort);
  if (existing) return existing;
  const p = (async () => {
    if (!o.kubeconfig)
      throw new Error(
        'port-forward: no kubeconfig was given, and the forward never uses the ambient kubeconfig or the current kubectl context (it may point at another cluster): pass the kubeconfig (platform.kubernetes.kubeconfig), or use access.mode "url"',
      );
    let target: { apiServer: string; execCommands: string[] };
    try {
      target = kubeTarget(o.kubeconfig);
    } catch (err) {
      throw new Error(`port-forward: ${err instanceof Error ? err.message : String(err)}`);
    }
    const identity: ForwardIdentity = {
      stack: o.stack,
      apiServer: target.apiServer,
      namespace: o.namespace,
      release: o.release,
    };
    let found = await probe(o.localPort);
    let spawned: number | undefined;
    if (!found.listening) {
      spawned = await spawnDaemon(o, identity, target.execCommands, lifetime);
      found = await probe(o.localPort);
    } else {
      const held = await readIdentity(o.localPort);
      if (!held)
        throw new Error(
          `port-forward: 127.0.0.1:${o.localPort} is in use by something other than a pulumi-nats port-forward; set access.localPort to a free port`,
        );
      if (!sameIdentity(held, identity))
        throw new Error(
          `port-forward: 127.0.0.1:${o.localPort} is held by the port-forward of ${describeIdentity(held)} (process ${held.pid}), not of ${describeIdentity(identity)}; set access.localPort to a free port, or wait until that forward exits (${lifetime.idleMs / 1000}s after its last use)`,
        );
    }
    // Pods the API server reports ready can still refuse a tunnelled connection for a
    // moment (a pod restarted by a rolling update, a server still starting): wait for
    // a NATS server to answer before judging what the forward reaches.
    found = await untilNatsAnswers(o.localPort, found, NATS_ANSWER_WAIT_MS);
    try {
      verifyReached(o, cluster, found);
    } catch (err) {
      // A forward that reaches the wrong servers must not stay up for the next run.
      if (spawned !== undefined) process.kill(spawned, "SIGTERM");
      throw err;
    }
  })();
  started.set(o.localPort, p);
  p.catch(() => started.delete(o.localPort));
  return p;
}

/** How long a listening forward may take to reach a NATS server before it is judged. */
const NATS_ANSWER_WAIT_MS = 60_000;

async function untilNatsAnswers(port: number, first: Probe, waitMs: number): Promise<Probe> {
  const deadline = Date.now() + waitMs;
  let found = first;
  while (found.listening && !found.nats && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    found = await probe(port);
  }
  return found;
}

/** The server behind the forward must be one of the release's: `<release>-<n>`, in `cluster` when given. */
function verifyReached(o: PortForwardOptions, cluster: string | undefined, found: Probe): void {
  const ordinal = found.serverName?.startsWith(`${o.release}-`)
    ? found.serverName.slice(o.release.length + 1)
    : "";
  const ok = found.nats && /^\d+$/.test(ordinal) && (cluster === undefined || found.cluster === cluster);
  if (!ok)
    throw new Error(
      `port-forward: 127.0.0.1:${o.localPort} reaches ${
        found.nats
          ? `NATS server ${found.serverName ?? "(no name)"}${found.cluster ? ` of cluster ${found.cluster}` : ""}`
          : "no NATS server"
      }, not a server of release ${o.namespace}/${o.release}${cluster ? ` (cluster ${cluster})` : ""}`,
    );
}

function spawnDaemon(
  o: PortForwardOptions,
  identity: ForwardIdentity,
  execCommands: string[],
  lifetime: Lifetime,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "daemon.js")], {
      detached: true,
      stdio: ["pipe", "pipe", "ignore"],
      // The daemon outlives pulumi: it keeps nothing of pulumi's environment it does not need.
      env: forwarderEnvironment(process.env, execCommands),
    });
    let out = "";
    const timer = setTimeout(() => finish("error: the port-forward did not start within 60s"), 60_000);
    const finish = (line: string) => {
      clearTimeout(timer);
      child.stdout!.removeAllListeners();
      child.stdout!.destroy();
      child.unref();
      if (line === "listening") resolve(child.pid!);
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
    const input: DaemonInput = { ...o, ...lifetime, identity };
    child.stdin!.end(JSON.stringify(input));
  });
}

interface PodLike {
  metadata?: {
    name?: string;
    deletionTimestamp?: unknown;
    ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
  };
  status?: { conditions?: { type: string; status: string }[] };
}

function isReady(p: PodLike): boolean {
  return (
    !p.metadata?.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

/** A pod of the release's StatefulSet (the label selector alone can be matched by any pod). */
function ownedBy(p: PodLike, release: string): boolean {
  return (p.metadata?.ownerReferences ?? []).some(
    (r) => r.controller === true && r.kind === "StatefulSet" && r.name === release,
  );
}

/**
 * The listener itself (run inside the daemon). `onDone` is called when the
 * lifetime is over; the server is closed by then.
 */
export async function startListener(
  o: DaemonInput,
  lifetime: Lifetime,
  onDone: () => void,
): Promise<net.Server> {
  // Loaded lazily: only programs that port-forward pay for the client (ESM, loaded through require(esm) on Node >= 20.19).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kc8s: any = require("@kubernetes/client-node");
  const kc = new kc8s.KubeConfig();
  if (!o.kubeconfig) throw new Error("no kubeconfig given");
  kc.loadFromString(o.kubeconfig);
  const core = kc.makeApiClient(kc8s.CoreV1Api);
  const forward = new kc8s.PortForward(kc);
  let next = 0;

  const pickPod = async (): Promise<string> => {
    const list = await core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.labelSelector });
    const ready = ((list.items ?? []) as PodLike[])
      .filter((p) => isReady(p) && ownedBy(p, o.release))
      .map((p) => p.metadata!.name!)
      .sort();
    if (ready.length === 0)
      throw new Error(
        `no ready NATS pod of StatefulSet ${o.release} in namespace ${o.namespace} matching ${o.labelSelector}`,
      );
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
  // Who this forward serves, for a later run that finds the port taken.
  let control: net.Server;
  try {
    control = await serveIdentity(o.localPort, { ...o.identity, pid: process.pid });
  } catch (err) {
    server.close();
    throw new Error(`cannot serve its identity: ${err instanceof Error ? err.message : String(err)}`);
  }
  const began = Date.now();
  const check = setInterval(
    () => {
      const now = Date.now();
      if ((active === 0 && now - lastActivity >= lifetime.idleMs) || now - began >= lifetime.maxMs) {
        clearInterval(check);
        server.close();
        control.close();
        onDone();
      }
    },
    Math.min(1000, lifetime.idleMs),
  );
  return server;
}
