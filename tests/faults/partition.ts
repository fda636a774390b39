// A 3-node cluster whose routes all pass through TCP proxies in the test
// process, one proxy per direction of each pair of nodes, so a test can cut
// one node off from the other two (a network partition) and heal it again.
//
// Why not network namespaces: `ip netns add` works on this machine, but the
// harness starts nodes as plain child processes listening on 127.0.0.1, so a
// node in its own namespace would need its own launcher, veth pairs and
// addresses. Proxies on loopback give the same fault (routes cut, clients
// still reach every node) in a few milliseconds, with the harness unchanged.
//
// Each node's `cluster {}` block is replaced through extraConfig (the config
// parser keeps the last definition of a key): its routes name the proxies,
// and it advertises an address nobody listens on, so no node learns a peer's
// real route port from gossip and connects around the proxies.
import net from "node:net";
import path from "node:path";
import { freePorts, makeTempDir, NatsCluster, NatsServer } from "../harness";
import type { NodeSpec } from "../harness/config";

/** Forwards TCP connections from a loopback port to `target`, until cut. */
export class Proxy {
  private readonly sockets = new Set<net.Socket>();
  private cutOff = false;
  private readonly server: net.Server;

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      if (this.cutOff) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target, "127.0.0.1");
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        this.sockets.add(a);
        a.on("error", () => b.destroy());
        a.on("close", () => {
          this.sockets.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  /** Drops every connection through this proxy and refuses new ones. */
  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  heal(): void {
    this.cutOff = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface PartitionableCluster {
  cluster: NatsCluster;
  /** Cuts every route between node `index` and the others. */
  isolate(index: number): void;
  /** Restores every route. */
  heal(): void;
  destroy(): Promise<void>;
}

/**
 * Starts 3 fresh nodes routed through proxies and waits for a meta leader;
 * with `waitForLeader: false`, returns as soon as the nodes listen (a cluster
 * started just before a deploy).
 */
export async function startPartitionableCluster(
  opts: { waitForLeader?: boolean } = {},
): Promise<PartitionableCluster> {
  const size = 3;
  const name = "partition";
  const dir = makeTempDir(`cluster-${name}`);
  const ports = await freePorts(3 * size);
  const clusterPort = (i: number): number => ports[3 * i + 2];
  // proxies[from][to]: the route `from` dials to reach `to`.
  const proxies: Proxy[][] = [];
  const proxyPort: number[][] = [];
  for (let from = 0; from < size; from++) {
    proxies[from] = [];
    proxyPort[from] = [];
    for (let to = 0; to < size; to++) {
      if (from === to) continue;
      proxies[from][to] = new Proxy(clusterPort(to));
      proxyPort[from][to] = await proxies[from][to].listen();
    }
  }
  const all = (): Proxy[] => proxies.flatMap((row) => row.filter(Boolean));
  const servers = Array.from({ length: size }, (_, i) => {
    const nodeName = `n${i + 1}`;
    const nodeDir = path.join(dir, nodeName);
    const routes = proxyPort[i].filter((p) => p !== undefined);
    const spec: NodeSpec = {
      name: nodeName,
      ports: { client: ports[3 * i], monitor: ports[3 * i + 1], cluster: clusterPort(i) },
      pidFile: path.join(nodeDir, "server.pid"),
      storeDir: path.join(nodeDir, "store"),
      jetstream: true,
      maxMemoryStore: "256MB",
      maxFileStore: "1GB",
      tags: [],
      cluster: { name, routePorts: routes },
      debug: false,
      trace: false,
      extraConfig: [
        "cluster {",
        `  name: ${JSON.stringify(name)}`,
        `  listen: "127.0.0.1:${clusterPort(i)}"`,
        `  routes: [${routes.map((p) => `"nats-route://127.0.0.1:${p}"`).join(", ")}]`,
        // Port 1 is closed: gossiped (implicit) routes fail and are dropped.
        '  advertise: "127.0.0.1:1"',
        "}",
      ].join("\n"),
    };
    return new NatsServer({
      dir: nodeDir,
      ownsDir: false,
      spec,
      logLines: 500,
      startTimeoutMs: 30_000,
      readiness: "healthy",
    });
  });
  const cluster = new NatsCluster({
    dir,
    name,
    servers,
    auth: undefined,
    tls: undefined,
    namePrefix: "",
    startTimeoutMs: 30_000,
  });
  try {
    await Promise.all(servers.map((s) => s.start({ readiness: "listening" })));
    if (opts.waitForLeader ?? true) await cluster.waitForMetaLeader();
  } catch (err) {
    await cluster.destroy();
    await Promise.all(all().map((p) => p.close()));
    throw err;
  }
  return {
    cluster,
    isolate(index: number) {
      for (let other = 0; other < size; other++) {
        if (other === index) continue;
        proxies[index][other].cut();
        proxies[other][index].cut();
      }
    },
    heal() {
      for (const p of all()) p.heal();
    },
    async destroy() {
      await cluster.destroy();
      await Promise.all(all().map((p) => p.close()));
    },
  };
}
