// What the connection's account allows, checked at preview before the server
// is asked: NatsCluster puts its account's JetStream limits (and whether it
// has JetStream at all) in each `connection` it hands out, so a stream over
// the account's per-stream maximum, or a stream the account requires a
// `maxBytes` for, is refused naming the field. Limits the server alone knows
// (what the account's other streams already use) come back as server errors
// mapped in errors.ts.
import type { InputProblem } from "./errors";
import type { Field } from "./fields";
import { formatSize } from "./units";

/** The account part of a connection (see ConnectionAccountArgs). */
export interface AccountLimits {
  name?: string;
  jetstream?: boolean;
  maxBytesRequired?: boolean;
  maxFileStreamBytes?: number;
  maxMemoryStreamBytes?: number;
  maxAckPending?: number;
}

/**
 * The problems of one asset's encoded configuration (`wire`, by server field)
 * under its account's limits. `holdsData`: a stream, KV bucket or object
 * store (else a consumer).
 */
export function accountProblems(
  kind: { label: string; holdsData: boolean; rows: readonly Field[] },
  wire: Record<string, unknown>,
  account: AccountLimits | undefined,
): InputProblem[] {
  if (!account) return [];
  const who = account.name ? `account ${account.name}` : "the connection's account";
  if (account.jetstream === false)
    return [
      {
        property: "connection",
        reason: `${who} has no JetStream, so no ${kind.label} can be created through this connection; enable JetStream (NatsCluster jetstream, or the account's jetstream) or use another connection`,
      },
    ];
  const keyOf = (w: string) => kind.rows.find((r) => r.wire === w)?.key ?? w;
  const problems: InputProblem[] = [];
  if (kind.holdsData) {
    const bytes = typeof wire.max_bytes === "number" && wire.max_bytes > 0 ? wire.max_bytes : undefined;
    const memory = wire.storage === "memory";
    const cap = memory ? account.maxMemoryStreamBytes : account.maxFileStreamBytes;
    if (bytes === undefined && account.maxBytesRequired)
      problems.push({
        property: keyOf("max_bytes"),
        reason: `is required: ${who} requires every ${kind.label} to set it (its JetStream maxBytesRequired)${cap !== undefined ? `, at most ${formatSize(cap)}` : ""}`,
      });
    else if (bytes !== undefined && cap !== undefined && bytes > cap)
      problems.push({
        property: keyOf("max_bytes"),
        reason: `${formatSize(bytes)} is more than ${who} allows one ${memory ? "memory" : "file"} ${kind.label} (its JetStream ${memory ? "maxMemoryStreamBytes" : "maxFileStreamBytes"}, ${formatSize(cap)})`,
      });
  } else {
    const pending = wire.max_ack_pending;
    if (typeof pending === "number" && account.maxAckPending !== undefined && pending > account.maxAckPending)
      problems.push({
        property: keyOf("max_ack_pending"),
        reason: `${pending} is more than ${who} allows (its JetStream maxAckPending, ${account.maxAckPending})`,
      });
  }
  return problems;
}
