// The dynamic provider of the cluster operations (loaded by the dynamic
// provider host, see resources.ts). Two kinds:
// - "scaleDownGuard", registered BEFORE the chart: its diff, run by every
//   preview, refuses a lowering of `replicas` that the streams cannot live
//   with, naming them; its update checks again (an `up --skip-preview`).
// - "metaGroupTrim", registered AFTER the chart is ready: when `replicas` was
//   lowered, removes the departed servers from the JetStream meta group once
//   their pods are gone.
// Nothing is done when replicas stay or grow, so neither connects then.
//   The guard also refuses turning JetStream off (`jetstream: false`) while
//   the cluster holds streams, naming them, unless allowJetStreamDataLoss.
// - "volumeGrowth", registered BEFORE the chart: refuses shrinking
//   `jetstream.fileStorage` at preview (check), and grows the volumes in
//   place when it grows (storage-growth.ts).
import type { ResolvedConnection } from "../../jetstream/connection";
import { parseDuration } from "../../jetstream/units";
import { connectSystem } from "./connect";
import { hostedStreams } from "./meta-group";
import { accountLimitProblems, loweredAccounts, type AccountLimitSpec } from "./account-limits";
import { checkScaleDown, podOrdinal, trimMetaGroup } from "./scale-down";
import { growVolumes, shrinkProblem } from "./storage-growth";

export type OpsKind = "scaleDownGuard" | "metaGroupTrim" | "volumeGrowth";

export interface OpsProps {
  statefulSet: string;
  replicas: number;
  /** How long to wait for departing servers to go and for a meta leader. */
  timeout: string;
  connection: Omit<ResolvedConnection, "password" | "kubeconfig">;
  credentials: { password?: string; creds?: string; kubeconfig?: string };
  /** Each tenant account's JetStream limits (absent in older states: none). */
  accountLimits?: Record<string, AccountLimitSpec>;
  /** JetStream on (absent in states recorded before it existed: on). */
  jetstream?: boolean;
  allowJetStreamDataLoss?: boolean;
  /** metaGroupTrim: the servers removed by the last lowering. */
  removed?: string[];
  [k: string]: unknown;
}

function resolved(p: OpsProps): ResolvedConnection {
  return {
    ...p.connection,
    password: p.credentials?.password,
    creds: p.credentials?.creds,
    kubeconfig: p.credentials?.kubeconfig,
  } as ResolvedConnection;
}

async function refuseUnsafe(olds: OpsProps, news: OpsProps): Promise<void> {
  if (!(news.replicas < olds.replicas)) return;
  const ms = parseDuration(news.timeout) / 1e6;
  const nc = await connectSystem(resolved(news), Math.min(ms, 60_000));
  try {
    const problems = await checkScaleDown(nc, olds.replicas, news.replicas, podOrdinal(news.statefulSet));
    if (problems.length > 0)
      throw new Error(
        `replicas: lowering ${news.statefulSet} from ${olds.replicas} to ${news.replicas} servers is refused: ${problems.join(" ")}`,
      );
  } finally {
    await nc.close();
  }
}

/**
 * Turning JetStream off loses every stream the cluster holds: refused,
 * naming them, unless the user agreed (allowJetStreamDataLoss).
 */
async function refuseJetStreamOff(olds: OpsProps, news: OpsProps): Promise<void> {
  if (olds.jetstream === false || news.jetstream !== false || news.allowJetStreamDataLoss === true) return;
  const ms = parseDuration(news.timeout) / 1e6;
  const nc = await connectSystem(resolved(news), Math.min(ms, 60_000));
  try {
    const streams = await hostedStreams(nc);
    if (streams.length > 0)
      throw new Error(
        `jetstream: turning JetStream off on ${news.statefulSet} would lose ${streams.length} stream(s) (KV buckets and object stores included): ${streams
          .map((s) => (s.account ? `${s.name} (account ${s.account})` : s.name))
          .join(", ")}. Delete them first, or set allowJetStreamDataLoss: true to agree to lose them.`,
      );
  } finally {
    await nc.close();
  }
}

/**
 * A tenant account's JetStream limit lowered (or newly set) below what its
 * streams already reserve, or below the number of streams it has: refused,
 * naming the streams (the server would accept the reload and then refuse
 * every stream's growth).
 */
async function refuseLimitsBelowStreams(olds: OpsProps, news: OpsProps): Promise<void> {
  const lowered = loweredAccounts(olds.accountLimits ?? {}, news.accountLimits ?? {});
  if (lowered.length === 0) return;
  const ms = parseDuration(news.timeout) / 1e6;
  const nc = await connectSystem(resolved(news), Math.min(ms, 60_000));
  try {
    const problems = accountLimitProblems(
      Object.fromEntries(lowered.map((a) => [a, news.accountLimits![a]])),
      await hostedStreams(nc),
    );
    if (problems.length > 0) throw new Error(`auth.accounts: ${problems.join(" ")}`);
  } finally {
    await nc.close();
  }
}

export interface GrowthProps {
  namespace: string;
  statefulSet: string;
  template: string;
  replicas: number;
  size: string;
  timeout: string;
  credentials: { kubeconfig?: string };
  /** The claims grown by the last change. */
  grown?: string[];
  [k: string]: unknown;
}

function growthHandlers() {
  return {
    async check(olds: GrowthProps, news: GrowthProps) {
      const problem = shrinkProblem(olds?.size, news.size);
      return { inputs: news, failures: problem ? [{ property: "size", reason: problem }] : [] };
    },
    async diff(_id: string, olds: GrowthProps, news: GrowthProps) {
      const problem = shrinkProblem(olds.size, news.size);
      if (problem) throw new Error(problem);
      return { changes: olds.size !== news.size, replaces: [], deleteBeforeReplace: false };
    },
    create: async (inputs: GrowthProps) => ({ id: `${inputs.statefulSet}-volumeGrowth`, outs: inputs }),
    read: async (id: string, props: GrowthProps) => ({ id, props }),
    async update(_id: string, olds: GrowthProps, news: GrowthProps) {
      const problem = shrinkProblem(olds.size, news.size);
      if (problem) throw new Error(problem);
      if (olds.size === news.size) return { outs: { ...news, grown: [] } };
      const kubeconfig = news.credentials?.kubeconfig;
      if (!kubeconfig)
        throw new Error(
          "jetstream.fileStorage: growing the volumes in place needs the cluster's kubeconfig (platform.kubernetes.kubeconfig); without it the size cannot change.",
        );
      const grown = await growVolumes({
        kubeconfig,
        namespace: news.namespace,
        statefulSet: news.statefulSet,
        template: news.template,
        replicas: Math.max(olds.replicas, news.replicas),
        size: news.size,
        timeoutMs: parseDuration(news.timeout) / 1e6,
      });
      return { outs: { ...news, grown } };
    },
    delete: async () => undefined,
  };
}

export function opsHandlers(kind: OpsKind) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  if (kind === "volumeGrowth") return growthHandlers() as any;
  return {
    check: async (_olds: OpsProps, news: OpsProps) => ({ inputs: news, failures: [] }),
    async diff(_id: string, olds: OpsProps, news: OpsProps) {
      const changes =
        olds.replicas !== news.replicas ||
        olds.statefulSet !== news.statefulSet ||
        (olds.jetstream ?? true) !== (news.jetstream ?? true) ||
        JSON.stringify(olds.accountLimits ?? {}) !== JSON.stringify(news.accountLimits ?? {});
      if (kind === "scaleDownGuard") {
        await refuseJetStreamOff(olds, news);
        await refuseLimitsBelowStreams(olds, news);
        await refuseUnsafe(olds, news);
      }
      return { changes, replaces: [], deleteBeforeReplace: false };
    },
    create: async (inputs: OpsProps) => ({ id: `${inputs.statefulSet}-${kind}`, outs: inputs }),
    read: async (id: string, props: OpsProps) => ({ id, props }),
    async update(_id: string, olds: OpsProps, news: OpsProps) {
      if (kind === "scaleDownGuard") {
        await refuseJetStreamOff(olds, news);
        await refuseLimitsBelowStreams(olds, news);
        await refuseUnsafe(olds, news);
        return { outs: news };
      }
      if (!(news.replicas < olds.replicas)) return { outs: { ...news, removed: [] } };
      const ms = parseDuration(news.timeout) / 1e6;
      const nc = await connectSystem(resolved(news), Math.min(ms, 60_000));
      try {
        const removed = await trimMetaGroup(nc, {
          replicas: news.replicas,
          ordinalOf: podOrdinal(news.statefulSet),
          timeoutMs: ms,
        });
        return { outs: { ...news, removed } };
      } finally {
        await nc.close();
      }
    },
    delete: async () => undefined,
  };
}
