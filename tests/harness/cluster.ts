// A JetStream cluster of nats-server processes routed to each other on
// 127.0.0.1, with per-node fault control (stop, kill, restart).
import path from "node:path";
import type { NodeConnectionOptions } from "@nats-io/transport-node";
import type { NatsConnection } from "./nats-types";
import { resolveAuth, type Auth } from "./auth";
import { natsCli, type CliOptions, type CliTarget } from "./cli";
import type { NodeSpec, TlsSettings } from "./config";
import type { TlsMaterial } from "./tls";
import { freePorts } from "./ports";
import { makeTempDir, removeTempDir } from "./registry";
import {
  buildConnectOptions,
  cliArgsFor,
  DEFAULT_MAX_FILE_STORE,
  DEFAULT_MAX_MEMORY_STORE,
  NatsServer,
  PortInUseError,
  resolveTls,
  trackedConnect,
  type CommonServerOptions,
  type Readiness,
} from "./server";
import { waitFor } from "./wait";

/** Options of startCluster(). */
export interface ClusterOptions extends CommonServerOptions {
  /** Number of nodes. @default 3 */
  size?: number;
  /** Cluster name. @default "harness" */
  clusterName?: string;
  /** Server names are `${namePrefix}n1` ... `${namePrefix}n<size>`. @default "" */
  namePrefix?: string;
  /**
   * server_tags per node: an array indexed by node (index 0 is n1) or a
   * function of the node index. E.g. `(i) => [\`az:${"abc"[i]}\`]`.
   */
  tags?: string[][] | ((index: number) => string[]);
  /** JetStream unique_tag (e.g. "az"): replicas go to nodes with distinct values of that tag. */
  uniqueTag?: string;
  /** Raw config appended to every node's config, or per node. */
  extraConfig?: string | ((index: number) => string);
  /** Give up waiting for the nodes and the meta leader after this long. @default 30000 */
  startTimeoutMs?: number;
  /**
   * Make the cluster a member of a super-cluster: every node gets a gateway
   * block. The ports are chosen by the caller (e.g. `freePorts`) so that the
   * other clusters can list them before this one starts. The JetStream meta
   * group then spans the super-cluster, so startCluster does not wait for a
   * meta leader among this cluster's nodes (see `waitForSuperCluster`).
   */
  gateway?: {
    /** Gateway name. @default clusterName */
    name?: string;
    /** One gateway port per node. */
    ports: number[];
    /** The other clusters' gateways (`gatewayUrls` of their handles, or URLs). */
    remotes: { name: string; urls: string[] }[];
    /** Mutual TLS on gateways: `true` = the shared test certificates. @default off */
    tls?: boolean | TlsMaterial;
    /** @default true */
    rejectUnknownCluster?: boolean;
  };
}

/** The gateway URLs for ports on 127.0.0.1 (what another cluster lists in its remotes). */
export function gatewayUrlsFor(ports: number[]): string[] {
  return ports.map((p) => `nats://127.0.0.1:${p}`);
}

/** A running JetStream cluster. */
export class NatsCluster implements CliTarget {
  /** The temp dir holding one subdir per node. */
  readonly dir: string;
  /** Cluster name. */
  readonly name: string;
  /** The nodes, n1 first. */
  readonly servers: readonly NatsServer[];
  /** Credentials clients must present, if any. */
  readonly auth: Auth | undefined;
  /** TLS settings, if TLS is on. */
  readonly tls: TlsSettings | undefined;
  /** Prefix of the node names. */
  readonly namePrefix: string;
  private readonly startTimeoutMs: number;

  constructor(init: {
    dir: string;
    name: string;
    servers: NatsServer[];
    auth: Auth | undefined;
    tls: TlsSettings | undefined;
    namePrefix: string;
    startTimeoutMs: number;
  }) {
    this.namePrefix = init.namePrefix;
    this.dir = init.dir;
    this.name = init.name;
    this.servers = init.servers;
    this.auth = init.auth;
    this.tls = init.tls;
    this.startTimeoutMs = init.startTimeoutMs;
  }

  /** Gateway URLs of all nodes (empty unless started with `gateway`). */
  get gatewayUrls(): string[] {
    return this.gatewayPorts ? gatewayUrlsFor(this.gatewayPorts) : [];
  }
  /** Gateway ports, when the cluster has a gateway. */
  gatewayPorts: number[] | undefined;

  /** Client URLs of all nodes. */
  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }
  /** Client URLs of all nodes, comma-joined (the form the NATS CLI and NATS_URL take). */
  get url(): string {
    return this.urls.join(",");
  }
  /** The nodes whose process runs. */
  get running(): NatsServer[] {
    return this.servers.filter((s) => s.isRunning);
  }

  /** A node by server name ("n2" or the full prefixed name) or by 0-based index. */
  node(nameOrIndex: string | number): NatsServer {
    const found =
      typeof nameOrIndex === "number"
        ? this.servers[nameOrIndex]
        : this.servers.find((s) => s.name === nameOrIndex || s.name === this.namePrefix + nameOrIndex);
    if (!found) {
      throw new Error(
        `harness: cluster ${this.name} has no node ${JSON.stringify(nameOrIndex)} (nodes: ${this.servers.map((s) => s.name).join(", ")})`,
      );
    }
    return found;
  }

  /**
   * The current JetStream meta leader, if the running nodes agree on one that
   * is itself running; undefined otherwise (e.g. during an election).
   */
  async metaLeader(): Promise<NatsServer | undefined> {
    const running = this.running;
    if (running.length === 0) return undefined;
    const leaders = await Promise.all(
      running.map((s) =>
        s.jsz().then(
          (j) => j.meta_cluster?.leader,
          () => undefined,
        ),
      ),
    );
    const first = leaders[0];
    if (!first || leaders.some((l) => l !== first)) return undefined;
    const leader = this.servers.find((s) => s.name === first);
    return leader?.isRunning ? leader : undefined;
  }

  /**
   * Wait until the running nodes agree on a running meta leader (other than
   * `notName`, when given: to wait for a new leader after the old one stopped).
   */
  waitForMetaLeader(opts: { timeoutMs?: number; notName?: string } = {}): Promise<NatsServer> {
    return waitFor(
      async () => {
        const leader = await this.metaLeader();
        return leader && leader.name !== opts.notName ? leader : undefined;
      },
      {
        timeoutMs: opts.timeoutMs ?? this.startTimeoutMs,
        intervalMs: 50,
        what: `a JetStream meta leader in cluster ${this.name}`,
        describe: () => this.describeNodes(),
      },
    );
  }

  /**
   * Wait until the meta leader has heard from every other node: before that
   * it refuses an R3 stream with "no suitable peers for placement, peer
   * offline" (seen in CI right after a start, on a loaded machine).
   */
  async waitForMetaPeers(): Promise<void> {
    const others = this.servers.length - 1;
    await waitFor(
      async () => {
        const leader = await this.metaLeader();
        const peers = leader ? ((await leader.jsz()).meta_cluster?.replicas ?? []) : [];
        return peers.length === others && peers.every((p) => p.current && !p.offline) ? true : undefined;
      },
      {
        timeoutMs: this.startTimeoutMs,
        intervalMs: 50,
        what: `every meta group peer current in cluster ${this.name}`,
        describe: () => this.describeNodes(),
      },
    );
  }

  /**
   * Start every stopped node (same ports and stores), then wait until every
   * node is ready and a meta leader is elected.
   */
  async start(opts: { readiness?: Readiness } = {}): Promise<void> {
    await Promise.all(
      this.servers.filter((s) => !s.isRunning).map((s) => s.start({ readiness: opts.readiness })),
    );
    await this.waitForMetaLeader();
  }

  /** Stop every node (SIGTERM); the dirs stay, so start() brings the cluster back. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  /** SIGKILL every node. */
  async kill(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill()));
  }

  /** Stop every node and remove the cluster's temp dir; final. */
  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.destroy()));
    removeTempDir(this.dir);
  }

  /** connect() options reaching the whole cluster as an authorized client (see NatsServer.connectOptions). */
  connectOptions(extra: Partial<NodeConnectionOptions> = {}): NodeConnectionOptions {
    return buildConnectOptions(this.urls, this.auth, this.tls, extra);
  }

  /** connect() to the cluster; closed at cleanup if still open. */
  connect(extra: Partial<NodeConnectionOptions> = {}): Promise<NatsConnection> {
    return trackedConnect(this.connectOptions(extra));
  }

  /** NATS CLI flags reaching the whole cluster. */
  cliConnectionArgs(): string[] {
    return cliArgsFor(this.url, this.auth, this.tls);
  }

  /** Run the NATS CLI against the cluster (see natsCli). */
  cli(args: string[], opts?: Omit<CliOptions, "server">): Promise<string>;
  cli<T = unknown>(args: string[], opts: Omit<CliOptions, "server"> & { json: true }): Promise<T>;
  cli(args: string[], opts: Omit<CliOptions, "server"> = {}): Promise<unknown> {
    return natsCli(args, { ...opts, server: this });
  }

  /** One line per node: name, state, ports, last log line; for error messages. */
  describeNodes(): string {
    return this.servers
      .map(
        (s) =>
          `${s.name}: ${s.isRunning ? `running (pid ${s.pid})` : "stopped"} ${s.url} monitor ${s.monitorUrl}\n` +
          s
            .logs(5)
            .map((l) => `    ${l}`)
            .join("\n"),
      )
      .join("\n");
  }
}

/**
 * Start a JetStream cluster (3 nodes by default) routed on 127.0.0.1, in one
 * temp dir with a subdir per node, and wait until every node's /healthz is
 * ok and the nodes agree on a meta leader.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`harness: cluster size must be a positive integer, got ${size}`);
  const name = opts.clusterName ?? "harness";
  const dir = makeTempDir(`cluster-${name}`);
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  let servers: NatsServer[] = [];
  try {
    const auth = opts.auth ? resolveAuth(opts.auth, path.join(dir, "auth")) : undefined;
    const tls = await resolveTls(opts.tls);
    const tagsOf = (i: number): string[] =>
      typeof opts.tags === "function" ? opts.tags(i) : (opts.tags?.[i] ?? []);
    const g = opts.gateway;
    if (g && g.ports.length !== size)
      throw new Error(`harness: gateway.ports needs ${size} ports (one per node), got ${g.ports.length}`);
    const gatewayTls: TlsSettings | undefined =
      g?.tls === undefined || g.tls === false
        ? undefined
        : {
            material: (await resolveTls(g.tls === true ? true : { material: g.tls }))!.material,
            verify: true,
          };
    const extraOf = (i: number): string | undefined =>
      typeof opts.extraConfig === "function" ? opts.extraConfig(i) : opts.extraConfig;
    servers = Array.from({ length: size }, (_, i) => {
      const nodeName = `${opts.namePrefix ?? ""}n${i + 1}`;
      const nodeDir = path.join(dir, nodeName);
      const spec: NodeSpec = {
        name: nodeName,
        ports: { client: 0, monitor: 0, cluster: 0 },
        pidFile: path.join(nodeDir, "server.pid"),
        storeDir: path.join(nodeDir, "store"),
        jetstream: opts.jetstream ?? true,
        jetstreamDomain: opts.jetstreamDomain,
        maxMemoryStore: opts.maxMemoryStore ?? DEFAULT_MAX_MEMORY_STORE,
        maxFileStore: opts.maxFileStore ?? DEFAULT_MAX_FILE_STORE,
        uniqueTag: opts.uniqueTag,
        tags: tagsOf(i),
        auth,
        tls,
        cluster: { name, routePorts: [] },
        gateway: g && {
          name: g.name ?? name,
          port: g.ports[i],
          remotes: g.remotes,
          tls: gatewayTls,
          rejectUnknownCluster: g.rejectUnknownCluster ?? true,
        },
        debug: opts.debug ?? false,
        trace: opts.trace ?? false,
        extraConfig: extraOf(i),
      };
      return new NatsServer({
        dir: nodeDir,
        ownsDir: false,
        spec,
        logLines: opts.logLines ?? 500,
        startTimeoutMs,
        readiness: opts.readiness ?? "healthy",
      });
    });
    const cluster = new NatsCluster({
      dir,
      name,
      servers,
      auth,
      tls,
      namePrefix: opts.namePrefix ?? "",
      startTimeoutMs,
    });
    cluster.gatewayPorts = g ? [...g.ports] : undefined;
    for (let attempt = 1; ; attempt++) {
      const ports = await freePorts(3 * size);
      const routePorts = servers.map((_, i) => ports[3 * i + 2]);
      servers.forEach((s, i) =>
        s.setPorts(
          { client: ports[3 * i], monitor: ports[3 * i + 1], cluster: ports[3 * i + 2] },
          routePorts,
        ),
      );
      const results = await Promise.allSettled(servers.map((s) => s.start({ portInUse: "throw" })));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed.length === 0) break;
      await cluster.kill();
      if (!failed.every((f) => f.reason instanceof PortInUseError) || attempt >= 5) throw failed[0].reason;
    }
    // A super-cluster member's meta leader may be in another cluster.
    if (!g) {
      await cluster.waitForMetaLeader();
      await cluster.waitForMetaPeers();
    }
    return cluster;
  } catch (err) {
    await Promise.all(servers.map((s) => s.destroy().catch(() => undefined)));
    removeTempDir(dir);
    throw err;
  }
}

/**
 * Wait until the running nodes of every cluster of a super-cluster agree on
 * one JetStream meta leader, and every node is a peer of the meta group.
 * Resolves to the leader's server name.
 */
export function waitForSuperCluster(
  clusters: NatsCluster[],
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const running = () => clusters.flatMap((c) => c.running);
  const size = clusters.reduce((n, c) => n + c.servers.length, 0);
  return waitFor(
    async () => {
      const views = await Promise.all(
        running().map((s) =>
          s.jsz().then(
            (j) => j.meta_cluster,
            () => undefined,
          ),
        ),
      );
      const leader = views[0]?.leader;
      if (!leader || views.some((v) => v?.leader !== leader)) return undefined;
      return views.every((v) => (v as { cluster_size?: number }).cluster_size === size) ? leader : undefined;
    },
    {
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: 100,
      what: `one meta leader across ${clusters.map((c) => c.name).join(", ")}`,
      describe: () => clusters.map((c) => c.describeNodes()).join("\n"),
    },
  );
}
