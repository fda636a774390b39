// Lowering `replicas` without weakening the cluster. The StatefulSet removes
// the highest ordinals; their servers stay in the JetStream meta group as
// offline peers (5 -> 3 leaves a group of 5 with 2 gone: one more failure and
// there is no leader). So:
// - before the chart changes anything, refuse a lowering that the streams
//   cannot live with (a stream with more replicas than servers left, a stream
//   held only by departing servers) or that leaves no majority of the current
//   meta group to remove the others (`scaleDownProblems`, shown at preview);
// - after the departing pods are gone, remove their servers from the meta
//   group with the server's peer-remove API (`trimMetaGroup`), so the group
//   is the new size and tolerates as many failures as it should.
import type { NatsConnection } from "@nats-io/nats-core";
import {
  answeringServers,
  hostedStreams,
  metaGroup,
  removePeer,
  type HostedStream,
  type MetaPeer,
} from "./meta-group";

/** The ordinal of a server of this cluster from its name, or undefined for another server. */
export type OrdinalOf = (serverName: string) => number | undefined;

/** The chart names servers after their pods: `<statefulSet>-<ordinal>`. */
export function podOrdinal(statefulSet: string): OrdinalOf {
  return (name) => {
    if (!name.startsWith(`${statefulSet}-`)) return undefined;
    const rest = name.slice(statefulSet.length + 1);
    return /^\d+$/.test(rest) ? Number(rest) : undefined;
  };
}

/**
 * Why lowering from `from` to `to` servers is unsafe, one line each; empty
 * when it is safe. Pure: the caller lists the streams.
 */
export function scaleDownProblems(
  from: number,
  to: number,
  streams: readonly HostedStream[],
  ordinalOf: OrdinalOf,
): string[] {
  if (to >= from) return [];
  const problems: string[] = [];
  const majority = Math.floor(from / 2) + 1;
  if (to < majority)
    problems.push(
      `${from} -> ${to} leaves fewer than a majority (${majority}) of the current ${from} servers, so no meta leader could remove the departed ones; lower it in steps that keep a majority (e.g. ${from} -> ${Math.max(majority, from - 2)}).`,
    );
  const name = (s: HostedStream) => (s.account ? `${s.name} (account ${s.account})` : s.name);
  const tooMany = streams.filter((s) => s.replicas > to);
  if (tooMany.length > 0)
    problems.push(
      `stream(s) ${tooMany.map((s) => `${name(s)}: ${s.replicas} replicas`).join(", ")} need more than ${to} servers; lower their replicas first (in an earlier \`pulumi up\`).`,
    );
  const departing = (host: string) => {
    const o = ordinalOf(host);
    return o !== undefined && o >= to;
  };
  const stranded = streams.filter((s) => s.replicas <= to && s.hosts.length > 0 && s.hosts.every(departing));
  if (stranded.length > 0)
    problems.push(
      `stream(s) ${stranded.map((s) => `${name(s)} on ${s.hosts.join(", ")}`).join("; ")} live only on departing servers and would lose their messages; raise their replicas or move them first.`,
    );
  return problems;
}

/** Lists the streams and checks a lowering against them (see scaleDownProblems). */
export async function checkScaleDown(
  nc: NatsConnection,
  from: number,
  to: number,
  ordinalOf: OrdinalOf,
): Promise<string[]> {
  if (to >= from) return [];
  return scaleDownProblems(from, to, await hostedStreams(nc), ordinalOf);
}

export interface TrimOptions {
  /** The cluster's size now. */
  replicas: number;
  ordinalOf: OrdinalOf;
  /** Give up waiting for departing servers to go offline, and for a meta leader, after this long. */
  timeoutMs: number;
  /** Poll interval. @default 250 */
  intervalMs?: number;
}

/**
 * Removes from the meta group every server of this cluster whose ordinal is
 * `replicas` or more, once it is gone (its pod deleted); waits, within
 * `timeoutMs`, for departing servers that still run. Resolves to the names
 * removed. Idempotent: a rerun removes what is left.
 */
export async function trimMetaGroup(nc: NatsConnection, o: TrimOptions): Promise<string[]> {
  const deadline = Date.now() + o.timeoutMs;
  const departing = (p: MetaPeer) => {
    const n = o.ordinalOf(p.name);
    return n !== undefined && n >= o.replicas;
  };
  const removed = new Set<string>();
  for (;;) {
    const group = await metaGroup(nc);
    const left = group?.peers.filter(departing) ?? [];
    if (group && left.length === 0) return [...removed];
    // Gone = no longer current for the leader and silent to a ping (a stopped server
    // is marked offline late, if at all). A departing server still running is waited for.
    const answering = left.length > 0 ? await answeringServers(nc) : new Set<string>();
    const ready = left.filter(
      (p) => p.name !== group?.leader && (p.offline || !p.current) && !answering.has(p.name),
    );
    for (const p of ready) {
      await removePeer(nc, p.name);
      removed.add(p.name);
    }
    if (Date.now() > deadline) {
      const why = !group
        ? "there is no JetStream meta leader"
        : `${left.map((p) => p.name).join(", ")} still ${left.length > 1 ? "run" : "runs"} (not offline)`;
      throw new Error(
        `cannot remove the departed servers from the JetStream meta group within ${o.timeoutMs / 1000}s: ${why}`,
      );
    }
    if (ready.length === 0) await new Promise((r) => setTimeout(r, o.intervalMs ?? 250));
  }
}
