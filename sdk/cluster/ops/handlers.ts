// The dynamic provider of the cluster operations (loaded by the dynamic
// provider host, see resources.ts). Two kinds:
// - "scaleDownGuard", registered BEFORE the chart: its diff, run by every
//   preview, refuses a lowering of `replicas` that the streams cannot live
//   with, naming them; its update checks again (an `up --skip-preview`).
// - "metaGroupTrim", registered AFTER the chart is ready: when `replicas` was
//   lowered, removes the departed servers from the JetStream meta group once
//   their pods are gone.
// Nothing is done when replicas stay or grow, so neither connects then.
import type { ResolvedConnection } from "../../jetstream/connection";
import { parseDuration } from "../../jetstream/units";
import { connectSystem } from "./connect";
import { checkScaleDown, podOrdinal, trimMetaGroup } from "./scale-down";

export type OpsKind = "scaleDownGuard" | "metaGroupTrim";

export interface OpsProps {
  statefulSet: string;
  replicas: number;
  /** How long to wait for departing servers to go and for a meta leader. */
  timeout: string;
  connection: Omit<ResolvedConnection, "password" | "kubeconfig">;
  credentials: { password?: string; kubeconfig?: string };
  /** metaGroupTrim: the servers removed by the last lowering. */
  removed?: string[];
  [k: string]: unknown;
}

function resolved(p: OpsProps): ResolvedConnection {
  return {
    ...p.connection,
    password: p.credentials?.password,
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

export function opsHandlers(kind: OpsKind) {
  return {
    check: async (_olds: OpsProps, news: OpsProps) => ({ inputs: news, failures: [] }),
    async diff(_id: string, olds: OpsProps, news: OpsProps) {
      const changes = olds.replicas !== news.replicas || olds.statefulSet !== news.statefulSet;
      if (kind === "scaleDownGuard") await refuseUnsafe(olds, news);
      return { changes, replaces: [], deleteBeforeReplace: false };
    },
    create: async (inputs: OpsProps) => ({ id: `${inputs.statefulSet}-${kind}`, outs: inputs }),
    read: async (id: string, props: OpsProps) => ({ id, props }),
    async update(_id: string, olds: OpsProps, news: OpsProps) {
      if (kind === "scaleDownGuard") {
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
