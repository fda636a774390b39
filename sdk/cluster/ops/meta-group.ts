// The JetStream meta group and stream placement as the servers report them,
// through the system account: every server answers the JSZ ping with the
// streams it hosts, and the meta leader with the group's peers. Also the
// server's peer-remove API ($JS.API.SERVER.REMOVE), which the system account
// alone may call. Plain NATS requests, no JetStream context: the system
// account has no JetStream of its own.
import type { NatsConnection } from "@nats-io/nats-core";

/** One stream, wherever it lives (any account). */
export interface HostedStream {
  account: string;
  name: string;
  replicas: number;
  /** Server names holding a copy (leader first). */
  hosts: string[];
  /** Its configured maxBytes (-1: unbounded) and storage, when the servers report them. */
  maxBytes?: number;
  storage?: "file" | "memory";
}

export interface MetaPeer {
  name: string;
  /** Known offline to the leader (set late, if at all, for a killed server). */
  offline: boolean;
  /** Caught up with the leader; false some seconds after a server stops. */
  current: boolean;
}

export interface MetaGroup {
  leader: string;
  /** Every peer, the leader included. */
  peers: MetaPeer[];
}

interface JszReplica {
  name: string;
  current?: boolean;
  offline?: boolean;
}
interface JszData {
  meta_cluster?: { leader?: string; cluster_size?: number; replicas?: JszReplica[] };
  account_details?: {
    name: string;
    stream_detail?: {
      name: string;
      config?: { num_replicas?: number; max_bytes?: number; storage?: "file" | "memory" };
      cluster?: { leader?: string; replicas?: JszReplica[] };
    }[];
  }[];
}
interface PingReply {
  server: { name: string };
  data?: JszData;
  error?: { description?: string };
}

/** Asks every server for its JSZ report; collects the answers that arrive within `waitMs`. */
async function pingJsz(nc: NatsConnection, query: object, waitMs: number): Promise<PingReply[]> {
  const replies: PingReply[] = [];
  const it = await nc.requestMany("$SYS.REQ.SERVER.PING.JSZ", JSON.stringify(query), {
    strategy: "timer",
    maxWait: waitMs,
  });
  for await (const m of it) replies.push(m.json<PingReply>());
  return replies;
}

/** The names of the servers that answer a ping now (a server whose pod is gone does not). */
export async function answeringServers(nc: NatsConnection, waitMs = 1500): Promise<Set<string>> {
  const it = await nc.requestMany("$SYS.REQ.SERVER.PING", "", { strategy: "timer", maxWait: waitMs });
  const names = new Set<string>();
  for await (const m of it) names.add(m.json<{ server: { name: string } }>().server.name);
  return names;
}

/** Every stream of every account, with the servers that hold it. */
export async function hostedStreams(nc: NatsConnection, waitMs = 2000): Promise<HostedStream[]> {
  const replies = await pingJsz(nc, { accounts: true, streams: true, config: true }, waitMs);
  const byKey = new Map<string, HostedStream>();
  for (const r of replies)
    for (const acc of r.data?.account_details ?? [])
      for (const s of acc.stream_detail ?? []) {
        const key = `${acc.name}\u0000${s.name}`;
        const hosts = [
          ...(s.cluster?.leader ? [s.cluster.leader] : []),
          ...(s.cluster?.replicas ?? []).map((x) => x.name),
        ];
        const known = byKey.get(key);
        // A server's own report lists itself as leader or replica; merge what each one knows.
        const merged = [...new Set([...(known?.hosts ?? []), ...(hosts.length ? hosts : [r.server.name])])];
        byKey.set(key, {
          account: acc.name,
          name: s.name,
          replicas: s.config?.num_replicas ?? known?.replicas ?? 1,
          hosts: merged,
          ...(s.config?.max_bytes !== undefined ? { maxBytes: s.config.max_bytes } : {}),
          ...(s.config?.storage !== undefined ? { storage: s.config.storage } : {}),
        });
      }
  return [...byKey.values()].sort((a, b) => (a.account + a.name).localeCompare(b.account + b.name));
}

/** The meta group as its leader sees it; undefined while there is no leader. */
export async function metaGroup(nc: NatsConnection, waitMs = 2000): Promise<MetaGroup | undefined> {
  const replies = await pingJsz(nc, { leader_only: true }, waitMs);
  for (const r of replies) {
    const m = r.data?.meta_cluster;
    if (!m?.leader || m.leader !== r.server.name) continue;
    return {
      leader: m.leader,
      peers: [
        { name: m.leader, offline: false, current: true },
        ...(m.replicas ?? []).map((x) => ({
          name: x.name,
          offline: x.offline === true,
          current: x.current === true,
        })),
      ],
    };
  }
  return undefined;
}

/**
 * Removes a server from the meta group ($JS.API.SERVER.REMOVE). A server
 * that is no longer a peer counts as removed (a rerun after a partial
 * failure).
 */
export async function removePeer(nc: NatsConnection, server: string, timeoutMs = 5000): Promise<void> {
  const reply = await nc.request("$JS.API.SERVER.REMOVE", JSON.stringify({ peer: server }), {
    timeout: timeoutMs,
  });
  const r = reply.json<{
    success?: boolean;
    error?: { code?: number; err_code?: number; description?: string };
  }>();
  if (r.success) return;
  const description = r.error?.description ?? JSON.stringify(r);
  // 10034: "peer not a member" (already removed).
  if (r.error?.err_code === 10034 || /not a member/i.test(description)) return;
  throw new Error(`the meta leader refused to remove ${server}: ${description}`);
}
