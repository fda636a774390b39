// One NATS connection per process and per target, shared by every operation
// (the engine applies resources in parallel; a connection per operation costs
// 1.3 to 8 times the whole run). Opening it waits, within `readyTimeout`, until
// JetStream answers: right after a cluster starts it may have no meta leader
// and answer "temporarily unavailable" (10008), or not answer at all.
import { createHash } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import { NotReadyError } from "./errors";
import { parseDuration } from "./units";
import { parseVersion } from "./version";
import type { Version } from "./version";
import type { AccountLimits } from "./account-limits";
import { JetStreamApi } from "./api";
import { userinfoOf, withoutUserinfo } from "./server-urls";

/** A connection's settings with every Input resolved (what the provider receives). */
export interface ResolvedConnection {
  servers: string | string[];
  user?: string;
  password?: string;
  token?: string;
  nkeySeed?: string;
  creds?: string;
  tls?: { ca?: string; cert?: string; key?: string };
  domain?: string;
  apiPrefix?: string;
  portForward?: {
    namespace: string;
    labelSelector: string;
    remotePort?: number;
    localPort: number;
    cluster?: string;
    release?: string;
    stack?: string;
  };
  kubeconfig?: string;
  requestTimeout?: string | number;
  readyTimeout?: string | number;
  /** What the account allows, checked at preview (account-limits.ts); not used to connect. */
  account?: AccountLimits;
}

export interface Session {
  nc: NatsConnection;
  api: JetStreamApi;
  version: Version;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const DEFAULT_READY_TIMEOUT_MS = 120_000;
/** How long refused credentials are retried (a new one on its way to the servers). */
const CREDENTIAL_PROPAGATION_MS = 90_000;

const sessions = new Map<string, Promise<Session>>();
let opened = 0;

/** How many connections this process has opened (for benchmarks and tests). */
export function connectionsOpened(): number {
  return opened;
}

/** The shared session for these settings, opened and made ready on first use. */
export function session(conn: ResolvedConnection): Promise<Session> {
  const key = createHash("sha256").update(JSON.stringify(conn)).digest("hex");
  let s = sessions.get(key);
  if (!s) {
    s = open(conn);
    sessions.set(key, s);
    // A failed open must not poison later attempts.
    s.catch(() => sessions.delete(key));
  }
  return s;
}

/** Closes every shared connection (tests, and the end of a plugin's life). */
export async function closeAll(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.nc.close()));
}

function ms(value: string | number | undefined, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value) / 1e6;
}

async function open(conn: ResolvedConnection): Promise<Session> {
  const { connect } = await import("@nats-io/transport-node");
  const { credsAuthenticator, nkeyAuthenticator } = await import("@nats-io/nats-core");
  const readyMs = ms(conn.readyTimeout, DEFAULT_READY_TIMEOUT_MS);
  const requestMs = ms(conn.requestTimeout, DEFAULT_REQUEST_TIMEOUT_MS);
  const began = Date.now();
  const deadline = began + readyMs;
  const authDeadline = began + Math.min(readyMs, CREDENTIAL_PROPAGATION_MS);
  const given = Array.isArray(conn.servers) ? conn.servers : conn.servers.split(",").map((s) => s.trim());
  // The client ignores user info in a URL: take it as the credentials, connect
  // to the bare URLs, and never print the credentials in a message.
  const fromUrl = userinfoOf(given);
  const servers = withoutUserinfo(given);
  const authenticator = conn.creds
    ? credsAuthenticator(new TextEncoder().encode(conn.creds))
    : conn.nkeySeed
      ? nkeyAuthenticator(new TextEncoder().encode(conn.nkeySeed))
      : undefined;

  if (conn.portForward) await openPortForward(conn);

  let nc: NatsConnection | undefined;
  let lastError: unknown;
  while (!nc && Date.now() < deadline) {
    try {
      opened++;
      nc = await connect({
        servers,
        name: "pulumi-nats",
        user: conn.user ?? fromUrl.user,
        pass: conn.password ?? fromUrl.pass,
        token: conn.token ?? fromUrl.token,
        authenticator,
        tls: conn.tls && (conn.tls.ca || conn.tls.cert) ? { ...conn.tls } : undefined,
        timeout: Math.min(requestMs, Math.max(deadline - Date.now(), 100)),
        // Keep the session alive across server restarts during a long run.
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        // A port-forward or load balancer address is the only reachable one:
        // do not learn pod addresses the cluster advertises.
        ignoreClusterUpdates: true,
      });
    } catch (err) {
      lastError = err;
      // Refused credentials may be new: on Kubernetes a new user or a rotated
      // password reaches the servers through the kubelet's Secret sync (up to
      // about a minute) and the config reloader, while this run already uses
      // it. Retried (within readyTimeout and CREDENTIAL_PROPAGATION_MS), then final.
      if (isAuthError(err) && Date.now() >= authDeadline) {
        throw new Error(
          `cannot connect to NATS at ${servers.join(", ")}: ${(err as Error).message} for ${Math.round((Date.now() - began) / 1000)}s; check the credentials (a new or rotated one reaches the servers within about a minute)`,
          { cause: err },
        );
      }
      await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
    }
  }
  if (!nc && isAuthError(lastError))
    throw new Error(
      `cannot connect to NATS at ${servers.join(", ")}: ${describe(lastError)} for ${Math.round((Date.now() - began) / 1000)}s; check the credentials`,
      { cause: lastError },
    );
  if (!nc) {
    throw new NotReadyError(
      `cannot connect to NATS at ${servers.join(", ")} within ${readyMs / 1000}s (readyTimeout): ${describe(lastError)}`,
      { cause: lastError },
    );
  }
  const api = new JetStreamApi(nc, {
    prefix: conn.apiPrefix ?? (conn.domain ? `$JS.${conn.domain}.API` : "$JS.API"),
    timeoutMs: requestMs,
    readyDeadlineMs: readyMs,
  });
  try {
    await api.waitUntilReady(deadline);
  } catch (err) {
    await nc.close();
    throw err;
  }
  return { nc, api, version: parseVersion(nc.info?.version ?? "0.0.0") };
}

/** Opens (or reuses) the port-forward the servers' URL points at (also for the cluster's operations). */
export async function openPortForward(conn: ResolvedConnection): Promise<void> {
  const pf = conn.portForward!;
  // Loaded only here: the Kubernetes client is not needed for plain URLs.
  const { ensurePortForward } = await import("../port-forward/port-forward");
  await ensurePortForward(
    {
      kubeconfig: conn.kubeconfig,
      namespace: pf.namespace,
      labelSelector: pf.labelSelector,
      remotePort: pf.remotePort ?? 4222,
      localPort: pf.localPort,
      release: pf.release ?? /(?:^|,)app\.kubernetes\.io\/instance=([^,]+)/.exec(pf.labelSelector)?.[1] ?? "",
      stack: pf.stack ?? "",
    },
    pf.cluster,
  );
}

function isAuthError(err: unknown): boolean {
  const text = String((err as Error)?.message ?? err).toLowerCase();
  return text.includes("authorization") || text.includes("authentication");
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(msecs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msecs));
}
