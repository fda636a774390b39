// One nats-server process on 127.0.0.1, started from a config file in its
// own temp dir, with its logs captured and its lifecycle under test control.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { connect, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { NatsConnection } from "./nats-types";
import { authCliArgs, authConnectOptions, resolveAuth, type Auth, type AuthOptions } from "./auth";
import { binaries } from "./binaries";
import { natsCli, type CliOptions, type CliTarget } from "./cli";
import { renderConfig, type NodeSpec, type Size, type TlsSettings } from "./config";
import { freePorts } from "./ports";
import {
  makeTempDir,
  removeTempDir,
  trackClosable,
  trackProcess,
  untrackClosable,
  untrackProcess,
} from "./registry";
import { sharedTls, type TlsMaterial } from "./tls";
import { getJson, sleep, waitFor, type HttpAnswer } from "./wait";

/**
 * When a start counts as done:
 * - "healthy": `/healthz` is ok: JetStream enabled, in contact with the meta
 *   leader, its streams and consumers current (after a restart: caught up);
 * - "jetstream": `/healthz?js-enabled-only=true` is ok (JetStream is on, maybe
 *   not yet current);
 * - "listening": the monitoring port answers `/varz`.
 * Servers without JetStream use `/healthz` for the first two.
 */
export type Readiness = "healthy" | "jetstream" | "listening";

/** TLS for client connections. */
export interface TlsOptions {
  /** Require and verify client certificates (mutual TLS). @default false */
  verify?: boolean;
  /** Certificates to use. @default sharedTls(): one CA and certs per test process */
  material?: TlsMaterial;
}

/** Options shared by single servers and cluster nodes. */
export interface CommonServerOptions {
  /** Enable JetStream. @default true */
  jetstream?: boolean;
  /** Client authentication; secrets not given are generated. @default none */
  auth?: AuthOptions;
  /** TLS for clients: `true` uses the process's shared certificates. @default off */
  tls?: boolean | TlsOptions;
  /** JetStream domain. @default none */
  jetstreamDomain?: string;
  /** JetStream memory limit, bytes or "256MB". @default "256MB" */
  maxMemoryStore?: Size;
  /** JetStream file store limit, bytes or "1GB". @default "1GB" */
  maxFileStore?: Size;
  /** Server debug (-D) and trace (-V) logging. @default false */
  debug?: boolean;
  trace?: boolean;
  /** How many log lines to keep in memory (all go to the log file). @default 500 */
  logLines?: number;
  /** Give up on a start after this long. @default 20000 */
  startTimeoutMs?: number;
  /** When a start counts as done. @default "healthy" */
  readiness?: Readiness;
}

/** Options of startServer(). */
export interface ServerOptions extends CommonServerOptions {
  /** server_name. @default "s1" */
  serverName?: string;
  /** server_tags, e.g. ["az:a"]. @default none */
  tags?: string[];
  /** Raw config text appended to the generated config. */
  extraConfig?: string;
}

/** The ports one server listens on, all on 127.0.0.1. */
export interface ServerPorts {
  client: number;
  monitor: number;
  cluster?: number;
}

/** Thrown when a start failed because a port was taken in the meantime. */
export class PortInUseError extends Error {}

const DEFAULT_START_TIMEOUT = 20_000;

/** Settings a server is built from (internal; use startServer / startCluster). */
export interface ServerInit {
  dir: string;
  ownsDir: boolean;
  spec: NodeSpec;
  logLines: number;
  startTimeoutMs: number;
  readiness: Readiness;
}

/**
 * A nats-server process. `stop()`/`kill()` end the process and keep its dir,
 * so `start()` brings it back with the same ports, name and store;
 * `destroy()` also removes the dir.
 */
export class NatsServer implements CliTarget {
  /** server_name. */
  readonly name: string;
  /** The temp dir holding config, log, pid file and store. */
  readonly dir: string;
  readonly configFile: string;
  /** All server output of every run goes here (appended). */
  readonly logFile: string;
  /** The configured store_dir (the server keeps its data in `<storeDir>/jetstream`). */
  readonly storeDir: string;
  /** Credentials clients must present, if any. */
  readonly auth: Auth | undefined;
  /** TLS settings, if TLS is on. */
  readonly tls: TlsSettings | undefined;

  private readonly spec: NodeSpec;
  private readonly ownsDir: boolean;
  private readonly logLimit: number;
  private readonly startTimeoutMs: number;
  private readonly readiness: Readiness;
  private child: ChildProcess | undefined;
  private running = false;
  private closed: Promise<void> = Promise.resolve();
  private lines: string[] = [];
  private runs = 0;
  private destroyed = false;
  private lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(init: ServerInit) {
    this.spec = init.spec;
    this.name = init.spec.name;
    this.dir = init.dir;
    this.ownsDir = init.ownsDir;
    this.configFile = path.join(init.dir, "server.conf");
    this.logFile = path.join(init.dir, "server.log");
    this.storeDir = init.spec.storeDir;
    this.auth = init.spec.auth;
    this.tls = init.spec.tls;
    this.logLimit = init.logLines;
    this.startTimeoutMs = init.startTimeoutMs;
    this.readiness = init.readiness;
  }

  /** Client, monitoring and (for cluster nodes) route ports. */
  get ports(): Readonly<ServerPorts> {
    return { ...this.spec.ports };
  }
  /** nats://127.0.0.1:<client port> */
  get url(): string {
    return `nats://127.0.0.1:${this.spec.ports.client}`;
  }
  /** http://127.0.0.1:<monitor port> */
  get monitorUrl(): string {
    return `http://127.0.0.1:${this.spec.ports.monitor}`;
  }
  /** nats-route://127.0.0.1:<cluster port>, for cluster nodes. */
  get routeUrl(): string | undefined {
    return this.spec.ports.cluster === undefined
      ? undefined
      : `nats-route://127.0.0.1:${this.spec.ports.cluster}`;
  }
  get isRunning(): boolean {
    return this.running;
  }
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }
  /** How the last run ended, if it did. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.lastExit;
  }
  get description(): string {
    return `nats-server ${this.name} (pid ${this.child?.pid ?? "-"}, ${this.dir})`;
  }

  /** The last `n` captured log lines (default: all kept). */
  logs(n?: number): string[] {
    return n === undefined ? [...this.lines] : this.lines.slice(-n);
  }
  /** The last `n` log lines as one string, for error messages. */
  logTail(n = 40): string {
    return this.logs(n).join("\n");
  }

  /** Replace the ports before a (re)start; used by clusters retrying port collisions. */
  setPorts(ports: ServerPorts, routePorts?: number[]): void {
    if (this.running) throw new Error(`harness: cannot change the ports of running server ${this.name}`);
    this.spec.ports = { ...ports };
    if (routePorts && this.spec.cluster) this.spec.cluster.routePorts = [...routePorts];
  }

  /**
   * Start the process (again) with the same config, ports and store, and wait
   * until it is ready. A port still held by someone else is retried until the
   * timeout; pass `portInUse: "throw"` to get a PortInUseError at once.
   */
  async start(
    opts: { readiness?: Readiness; timeoutMs?: number; portInUse?: "wait" | "throw" } = {},
  ): Promise<void> {
    if (this.destroyed) throw new Error(`harness: server ${this.name} was destroyed`);
    if (this.running)
      throw new Error(`harness: server ${this.name} is already running (pid ${this.child?.pid})`);
    const timeoutMs = opts.timeoutMs ?? this.startTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.startOnce(opts.readiness ?? this.readiness, Math.max(1, deadline - Date.now()));
        return;
      } catch (err) {
        if (!(err instanceof PortInUseError) || opts.portInUse === "throw" || Date.now() > deadline - 300)
          throw err;
        await sleep(250);
      }
    }
  }

  private async startOnce(readiness: Readiness, timeoutMs: number): Promise<void> {
    fs.mkdirSync(this.storeDir, { recursive: true });
    fs.writeFileSync(this.configFile, renderConfig(this.spec));
    this.runs++;
    this.pushLine(`--- harness: start #${this.runs} of ${this.name} (${this.url}) ---`);
    const log = fs.createWriteStream(this.logFile, { flags: "a" });
    const child = spawn(binaries().server, ["-c", this.configFile], {
      cwd: this.dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env },
    });
    this.child = child;
    this.running = true;
    this.lastExit = undefined;
    let spawnError: Error | undefined;
    let portConflict = false;
    const exited = new Promise<void>((resolve) => {
      child.once("error", (err) => {
        spawnError = err;
        this.running = false;
        resolve();
      });
      child.once("exit", (code, signal) => {
        this.running = false;
        this.lastExit = { code, signal };
        this.pushLine(`--- harness: ${this.name} exited (code ${code}, signal ${signal}) ---`);
      });
      child.once("close", () => {
        log.end();
        untrackProcess(this);
        resolve();
      });
    });
    this.closed = exited;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = "";
      stream?.on("data", (chunk: Buffer) => {
        log.write(chunk);
        const text = partial + chunk.toString("utf8");
        const parts = text.split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) {
          if (line.includes("address already in use")) portConflict = true;
          this.pushLine(line);
        }
      });
      stream?.on("end", () => {
        if (partial) this.pushLine(partial);
      });
    }
    trackProcess(this);

    const failure = (): string | undefined => (this.running ? undefined : "the server exited");
    try {
      await waitFor(() => this.probe(readiness), {
        timeoutMs,
        what: `${this.name} to be ${readiness} at ${this.monitorUrl}`,
        abort: failure,
      });
      await this.checkIdentity();
    } catch (err) {
      if (this.running) await this.kill();
      else await exited;
      if (spawnError) throw new Error(`harness: could not run ${binaries().server}: ${spawnError.message}`);
      if (err instanceof PortInUseError) throw err;
      if (portConflict) {
        throw new PortInUseError(
          `harness: a port of ${this.name} is in use: ${JSON.stringify(this.spec.ports)}`,
        );
      }
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${message}\nconfig: ${this.configFile}\nlast log lines:\n${this.logTail()}`);
    }
  }

  /**
   * The monitoring port answered: make sure it was this process, not another
   * server that took the port between the free-port check and our bind.
   */
  private async checkIdentity(): Promise<void> {
    const varz = await this.varz<{
      server_name?: string;
      port?: number;
      cluster?: { cluster_port?: number };
    }>();
    const ours =
      varz.server_name === this.name &&
      varz.port === this.spec.ports.client &&
      (this.spec.ports.cluster === undefined || varz.cluster?.cluster_port === this.spec.ports.cluster);
    if (!ours || !this.running) {
      throw new PortInUseError(
        `harness: ${this.monitorUrl} is served by another server (${varz.server_name}, port ${varz.port})`,
      );
    }
  }

  private async probe(readiness: Readiness): Promise<true | undefined> {
    if (readiness === "listening") {
      const answer = await getJson(`${this.monitorUrl}/varz`, 1000);
      return answer.status === 200 ? true : undefined;
    }
    const query = this.spec.jetstream && readiness === "jetstream" ? "?js-enabled-only=true" : "";
    const answer = await getJson<{ status?: string }>(`${this.monitorUrl}/healthz${query}`, 1000);
    return answer.status === 200 && answer.body.status === "ok" ? true : undefined;
  }

  private pushLine(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.logLimit) this.lines.splice(0, this.lines.length - this.logLimit);
  }

  /** SIGTERM, wait for the exit (SIGKILL after `timeoutMs`, default 10 s). No-op when stopped. */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.running || !this.child) return this.closed;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.killSync(), opts.timeoutMs ?? 10_000);
    try {
      await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL (a crash: no clean shutdown) and wait for the exit. No-op when stopped. */
  async kill(): Promise<void> {
    if (this.running) this.killSync();
    await this.closed;
  }

  /** SIGKILL without waiting. */
  killSync(): void {
    if (this.running && this.child) this.child.kill("SIGKILL");
  }

  /** Stop (or with `kill: true`, SIGKILL) and start again with the same ports and store. */
  async restart(opts: { kill?: boolean; readiness?: Readiness; timeoutMs?: number } = {}): Promise<void> {
    await (opts.kill ? this.kill() : this.stop());
    await this.start(opts);
  }

  /** Stop the process and remove its temp dir (when it owns one); final. */
  async destroy(): Promise<void> {
    await this.stop();
    this.destroyed = true;
    untrackProcess(this);
    if (this.ownsDir) removeTempDir(this.dir);
  }

  /** GET /healthz (with optional query such as "js-enabled-only=true"). */
  healthz(query = ""): Promise<HttpAnswer<{ status?: string; error?: string }>> {
    return getJson(`${this.monitorUrl}/healthz${query ? "?" + query : ""}`);
  }
  /** GET /jsz (with optional query such as "streams=true"); the JSON body. */
  async jsz<T = JszInfo>(query = ""): Promise<T> {
    return (await getJson<T>(`${this.monitorUrl}/jsz${query ? "?" + query : ""}`)).body;
  }
  /** GET /varz; the JSON body. */
  async varz<T = Record<string, unknown>>(): Promise<T> {
    return (await getJson<T>(`${this.monitorUrl}/varz`)).body;
  }

  /**
   * Options for `connect()` of @nats-io/transport-node that reach this server
   * as an authorized client (credentials, CA and, with verify, client cert as
   * PEM). `extra` is merged last, so it can override or remove any of them.
   */
  connectOptions(extra: Partial<NodeConnectionOptions> = {}): NodeConnectionOptions {
    return buildConnectOptions([this.url], this.auth, this.tls, extra);
  }

  /** connect() with connectOptions(extra); the connection is closed at cleanup if still open. */
  connect(extra: Partial<NodeConnectionOptions> = {}): Promise<NatsConnection> {
    return trackedConnect(this.connectOptions(extra));
  }

  /** NATS CLI flags that reach this server as an authorized client. */
  cliConnectionArgs(): string[] {
    return cliArgsFor(this.url, this.auth, this.tls);
  }

  /** Run the NATS CLI against this server (see natsCli). */
  cli(args: string[], opts?: Omit<CliOptions, "server">): Promise<string>;
  cli<T = unknown>(args: string[], opts: Omit<CliOptions, "server"> & { json: true }): Promise<T>;
  cli(args: string[], opts: Omit<CliOptions, "server"> = {}): Promise<unknown> {
    return natsCli(args, { ...opts, server: this });
  }
}

/** The parts of /jsz the harness reads. */
export interface JszInfo {
  server_id?: string;
  disabled?: boolean;
  config?: { store_dir?: string; max_memory?: number; max_storage?: number; domain?: string };
  streams?: number;
  messages?: number;
  meta_cluster?: {
    name?: string;
    leader?: string;
    peer?: string;
    cluster_size?: number;
    /** On the leader: the other peers, as it has heard from them. */
    replicas?: { name?: string; current?: boolean; offline?: boolean }[];
  };
  [key: string]: unknown;
}

/** connect() options for these servers and credentials. */
export function buildConnectOptions(
  servers: string[],
  auth: Auth | undefined,
  tls: TlsSettings | undefined,
  extra: Partial<NodeConnectionOptions>,
): NodeConnectionOptions {
  const base: NodeConnectionOptions = {
    servers,
    name: "pulumi-nats-test",
    // Fault tests kill nodes: come back quickly to another one.
    reconnectTimeWait: 250,
    ...authConnectOptions(auth),
  };
  if (tls) {
    base.tls = tls.verify
      ? { ca: tls.material.ca.certPem, cert: tls.material.client.certPem, key: tls.material.client.keyPem }
      : { ca: tls.material.ca.certPem };
  }
  return { ...base, ...extra };
}

/** connect() that registers the connection for cleanup. */
export async function trackedConnect(opts: NodeConnectionOptions): Promise<NatsConnection> {
  const nc = await connect(opts);
  const entry = { close: () => (nc.isClosed() ? Promise.resolve() : nc.close()) };
  trackClosable(entry);
  void nc.closed().then(() => untrackClosable(entry));
  return nc;
}

/** NATS CLI connection flags. */
export function cliArgsFor(servers: string, auth: Auth | undefined, tls: TlsSettings | undefined): string[] {
  const args = [`--server=${servers}`, ...authCliArgs(auth)];
  if (tls) {
    args.push(`--tlsca=${tls.material.ca.certFile}`);
    if (tls.verify)
      args.push(`--tlscert=${tls.material.client.certFile}`, `--tlskey=${tls.material.client.keyFile}`);
  }
  return args;
}

/** Resolve the TLS option into settings (generating the shared material on first use). */
export async function resolveTls(tls: boolean | TlsOptions | undefined): Promise<TlsSettings | undefined> {
  if (!tls) return undefined;
  const o = tls === true ? {} : tls;
  return { material: o.material ?? (await sharedTls()), verify: o.verify ?? false };
}

/** Defaults of the JetStream limits: small, so a runaway test fails fast. */
export const DEFAULT_MAX_MEMORY_STORE = "256MB";
export const DEFAULT_MAX_FILE_STORE = "1GB";

/**
 * Start one server (JetStream on by default) on free 127.0.0.1 ports, in a
 * fresh temp dir, and wait until it is ready (default: /healthz ok).
 */
export async function startServer(opts: ServerOptions = {}): Promise<NatsServer> {
  const name = opts.serverName ?? "s1";
  const dir = makeTempDir(name);
  try {
    const spec: NodeSpec = {
      name,
      ports: { client: 0, monitor: 0 },
      pidFile: path.join(dir, "server.pid"),
      storeDir: path.join(dir, "store"),
      jetstream: opts.jetstream ?? true,
      jetstreamDomain: opts.jetstreamDomain,
      maxMemoryStore: opts.maxMemoryStore ?? DEFAULT_MAX_MEMORY_STORE,
      maxFileStore: opts.maxFileStore ?? DEFAULT_MAX_FILE_STORE,
      tags: opts.tags ?? [],
      auth: opts.auth ? resolveAuth(opts.auth, path.join(dir, "auth")) : undefined,
      tls: await resolveTls(opts.tls),
      debug: opts.debug ?? false,
      trace: opts.trace ?? false,
      extraConfig: opts.extraConfig,
    };
    const server = new NatsServer({
      dir,
      ownsDir: true,
      spec,
      logLines: opts.logLines ?? 500,
      startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT,
      readiness: opts.readiness ?? "healthy",
    });
    for (let attempt = 1; ; attempt++) {
      const [client, monitor] = await freePorts(2);
      server.setPorts({ client, monitor });
      try {
        await server.start({ portInUse: "throw" });
        return server;
      } catch (err) {
        if (!(err instanceof PortInUseError) || attempt >= 5) throw err;
      }
    }
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}
