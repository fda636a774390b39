// The inventory: one resource per connection that lists the JetStream assets
// the program declares, so that removing one is seen at preview.
//
// Why a resource: during a preview the engine never calls a provider to
// delete (pulumi v3.260.0, DeleteStep.Apply), so an asset's own provider
// cannot refuse its removal before `pulumi up`. The inventory's inputs are
// the list of assets; an asset removed from the program leaves the list, the
// inventory's diff runs (at preview as at up), counts on the server what the
// removal destroys and refuses it with the count. It depends on every asset,
// so `pulumi destroy` deletes it first: its delete counts everything and
// refuses before any asset is touched, never leaving a half-destroyed stack.
import { cores, connectionOf, type Props } from "./core";
import type { CoreName } from "./core";
import { session } from "./connection";
import { DataLossError } from "./errors";
import type { InputProblem } from "./errors";
import { containsUnknown } from "./unknowns";
import { consumerRemovalLoss, describeConsumerLoss } from "./removal";
import { OWNER_INPUT, mayDelete } from "./ownership";

/** One asset the program declares: its kind, its id (as the asset's resource has it) and its resource. */
export interface InventoryEntry {
  kind: CoreName;
  /** Stream name, `stream/consumer`, or bucket name. */
  id: string;
  /** The URN of the asset's resource (its owner on the server). */
  resource: string;
  /** The asset's own allowDataLoss, as its resource records it. */
  allowDataLoss?: boolean;
}

const KINDS = Object.keys(cores) as CoreName[];

/** One asset whose removal destroys messages, with the count. */
export interface Loss {
  entry: InventoryEntry;
  what: string;
}

export function entriesOf(props: Props | undefined): InventoryEntry[] {
  const assets = props?.assets;
  return Array.isArray(assets) ? (assets as InventoryEntry[]) : [];
}

const keyOf = (e: InventoryEntry) => `${e.kind}:${e.id}`;

/** The stream a stream, KV bucket or object store lives in (consumers of it go with it). */
const STREAM_PREFIX: Record<CoreName, string> = {
  stream: "",
  keyValue: "KV_",
  objectStore: "OBJ_",
  consumer: "",
};
const underlyingStream = (e: InventoryEntry) => `${STREAM_PREFIX[e.kind]}${e.id}`;

export const inventory = {
  check(news: Props): { inputs: Props; failures: InputProblem[] } {
    const failures: InputProblem[] = [];
    const assets = news.assets;
    if (!containsUnknown(assets)) {
      if (!Array.isArray(assets)) failures.push({ property: "assets", reason: "expected a list of assets" });
      else {
        const seen = new Map<string, number>();
        assets.forEach((e: InventoryEntry, i) => {
          if (containsUnknown(e)) return;
          if (!KINDS.includes(e?.kind) || typeof e?.id !== "string")
            failures.push({
              property: `assets[${i}]`,
              reason: "expected a Stream, Consumer, KeyValue or ObjectStore",
            });
          else if (seen.has(keyOf(e)))
            failures.push({
              property: `assets[${i}]`,
              reason: `lists ${e.kind} ${e.id} again (first at assets[${seen.get(keyOf(e))}])`,
            });
          else seen.set(keyOf(e), i);
        });
      }
    }
    const conn = news.connection as { servers?: unknown } | undefined;
    if (!containsUnknown(conn) && (!conn?.servers || (Array.isArray(conn.servers) && !conn.servers.length)))
      failures.push({ property: "connection.servers", reason: "is required: give at least one NATS URL" });
    return { inputs: news, failures };
  },

  /** Never a replacement: the list changes in place once every removal it shows is safe. */
  async diff(olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[] }> {
    const changes = (["assets", "connection", "credentials"] as const).some(
      (k) => JSON.stringify(olds?.[k]) !== JSON.stringify(news[k]),
    );
    // Ids not known yet (preview): the engine diffs again with values before `up` applies anything.
    if (
      !containsUnknown(news.assets) &&
      !containsUnknown(news.connection) &&
      !containsUnknown(news.credentials)
    )
      await refuseLosses(news, removed(entriesOf(olds), entriesOf(news)), "removing from the program");
    return { changes, replaces: [] };
  },

  async create(news: Props): Promise<{ id: string; outs: Props }> {
    return { id: String(news[OWNER_INPUT] ?? "inventory"), outs: news };
  },

  async update(olds: Props, news: Props): Promise<{ outs: Props }> {
    await refuseLosses(news, removed(entriesOf(olds), entriesOf(news)), "removing from the program");
    return { outs: news };
  },

  /** `pulumi destroy` (or the inventory removed with its assets): every listed asset goes. */
  async delete(props: Props): Promise<void> {
    await refuseLosses(props, entriesOf(props), "destroying");
  },
};

/** The entries of `olds` whose asset no entry of `news` declares any more (a renamed resource keeps its asset). */
export function removed(olds: InventoryEntry[], news: InventoryEntry[]): InventoryEntry[] {
  const kept = new Set(news.map(keyOf));
  return olds.filter((e) => !kept.has(keyOf(e)));
}

/** Counts what removing `entries` destroys, on the server, and throws one message listing each loss. */
async function refuseLosses(props: Props, entries: InventoryEntry[], action: string): Promise<void> {
  const losses = (await lossesOf(props, entries)).filter((l) => !l.entry.allowDataLoss);
  if (!losses.length) return;
  throw new DataLossError(
    `${action} these JetStream assets would destroy messages:\n` +
      losses.map((l) => `  - ${l.what}`).join("\n") +
      "\nTo keep them, keep the resources in the program. To accept the loss, set allowDataLoss: true on each " +
      "resource and run `pulumi up` first, then remove it. To keep the data but stop managing it, remove the " +
      "resource from the state only (`pulumi state delete <urn>`) and from the inventory.",
  );
}

export async function lossesOf(props: Props, entries: InventoryEntry[]): Promise<Loss[]> {
  if (!entries.length) return [];
  const { api } = await session(connectionOf(props));
  const streamsGoing = new Set(entries.filter((e) => e.kind !== "consumer").map(underlyingStream));
  const losses: Loss[] = [];
  for (const entry of entries) {
    const core = cores[entry.kind];
    const observed = await core.kind.observe(api, entry.id);
    // Gone already, or taken over by another resource (whose delete this is not).
    if (!observed || !mayDelete(observed.owner, entry.resource)) continue;
    if (core.kind.holdsData) {
      if (observed.messages > 0)
        losses.push({
          entry,
          what: `${core.kind.typeName} ${entry.id} holds ${observed.messages} ${core.kind.dataNoun} (${entry.resource})`,
        });
      continue;
    }
    const slash = entry.id.indexOf("/");
    const stream = entry.id.slice(0, slash);
    if (streamsGoing.has(stream)) continue; // counted with its stream
    const siblings = new Set(
      entries
        .filter((e) => e.kind === "consumer" && e.id.startsWith(`${stream}/`))
        .map((e) => e.id.slice(slash + 1)),
    );
    const loss = describeConsumerLoss(
      await consumerRemovalLoss(api, stream, entry.id.slice(slash + 1), siblings),
    );
    if (loss) losses.push({ entry, what: `Consumer ${entry.id}: ${loss} (${entry.resource})` });
  }
  return losses;
}
