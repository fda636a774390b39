// A port-forward opened by the program itself: a TCP listener on
// 127.0.0.1:<localPort> whose every connection is tunnelled (Kubernetes
// port-forward over WebSocket, @kubernetes/client-node) to port 4222 of a
// ready NATS pod, picked afresh per connection. The JetStream resources'
// provider, which runs on the same machine, connects to that URL. The cluster
// does not advertise pod addresses to clients (the chart's `noAdvertise`), so
// the client stays on the forwarded address.
import * as net from "node:net";

export interface PortForwardOptions {
  /** Kubeconfig contents; undefined = the ambient kubeconfig. */
  kubeconfig: string | undefined;
  namespace: string;
  /** Label selector of the NATS pods. */
  labelSelector: string;
  remotePort: number;
  localPort: number;
}

// One listener per local port per process: a second plan with the same port
// (e.g. the same program run twice in one process) reuses it.
const open = new Map<number, Promise<net.Server>>();

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

/** Opens (once) the listener and resolves when it accepts connections. */
export function ensurePortForward(o: PortForwardOptions): Promise<net.Server> {
  const existing = open.get(o.localPort);
  if (existing) return existing;
  const started = start(o);
  open.set(o.localPort, started);
  started.catch(() => open.delete(o.localPort));
  return started;
}

async function start(o: PortForwardOptions): Promise<net.Server> {
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

  const server = net.createServer((socket) => {
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
            ? `port-forward: 127.0.0.1:${o.localPort} is in use; set access.localPort to a free port`
            : `port-forward: cannot listen on 127.0.0.1:${o.localPort}: ${err.message}`,
        ),
      ),
    );
    server.listen(o.localPort, "127.0.0.1", () => resolve());
  });
  // Do not keep the program alive for the listener; pending resource operations do that.
  server.unref();
  // Fail early, with a clear message, if no pod can be reached at all.
  try {
    await pickPod();
  } catch (err) {
    server.close();
    throw new Error(`port-forward to ${o.namespace}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return server;
}
