// A tenant account's JetStream limits against the streams it already holds
// (pure; the scale-down guard lists the streams through the system account,
// see handlers.ts). A stream reserves maxBytes on each of its replicas, so an
// account whose maxFile (or maxMemory) falls below the sum of its streams'
// reservations, or whose maxStreams falls below its count of streams, would
// be accepted by the servers' reload and then refuse those streams' growth.
import { formatSize } from "../../jetstream/units";
import type { HostedStream } from "./meta-group";

export interface AccountLimitSpec {
  maxFile?: number;
  maxMemory?: number;
  maxStreams?: number;
}

/** The accounts whose limits are lower than before (or newly set): the ones to check. */
export function loweredAccounts(
  olds: Record<string, AccountLimitSpec>,
  news: Record<string, AccountLimitSpec>,
): string[] {
  return Object.keys(news).filter((a) =>
    (["maxFile", "maxMemory", "maxStreams"] as const).some((k) => {
      const n = news[a][k];
      const o = olds[a]?.[k];
      return n !== undefined && (o === undefined || n < o);
    }),
  );
}

/** Why each account's new limits cannot hold its streams, one sentence each; empty when they can. */
export function accountLimitProblems(
  limits: Record<string, AccountLimitSpec>,
  streams: readonly HostedStream[],
): string[] {
  const problems: string[] = [];
  for (const [account, l] of Object.entries(limits)) {
    const own = streams.filter((s) => s.account === account);
    if (l.maxStreams !== undefined && own.length > l.maxStreams)
      problems.push(
        `account ${account}'s jetstream.maxStreams ${l.maxStreams} is below its ${own.length} streams (${own.map((s) => s.name).join(", ")}); delete streams first or keep the limit.`,
      );
    for (const [storage, limit, field] of [
      ["file", l.maxFile, "maxFile"],
      ["memory", l.maxMemory, "maxMemory"],
    ] as const) {
      if (limit === undefined) continue;
      const bounded = own.filter((s) => (s.storage ?? "file") === storage && (s.maxBytes ?? -1) > 0);
      const reserved = bounded.reduce((sum, s) => sum + s.maxBytes! * s.replicas, 0);
      if (reserved > limit)
        problems.push(
          `account ${account}'s jetstream.${field} ${formatSize(limit)} is below what its ${storage} streams reserve, ${formatSize(reserved)} (${bounded
            .map((s) => `${s.name}: ${formatSize(s.maxBytes!)} x ${s.replicas}`)
            .join(", ")}); lower those streams' maxBytes first or keep the limit.`,
        );
    }
  }
  return problems;
}
