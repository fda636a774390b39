// Helpers to bring a server's configuration into canonical form: the rows'
// wire fields only, defaults filled where the server omitted them, and the
// server's own metadata (`_nats.*`) and the owner's record removed, so that comparing with the
// desired configuration shows only real differences.
import type { Field } from "../fields";
import type { Json } from "../api";
import { isReservedMetadataKey } from "../ownership";

export function canonicalFromServer(rows: readonly Field[], server: Json): Json {
  const out: Json = {};
  for (const row of rows) {
    if (row.wire.startsWith("_")) continue;
    const value = server[row.wire];
    if (value === undefined || value === null) {
      if (row.wireDefault !== undefined) out[row.wire] = row.wireDefault;
    } else {
      out[row.wire] = value;
    }
  }
  if (out.metadata) out.metadata = userMetadata(out.metadata as Record<string, string>);
  return out;
}

/** Metadata without the keys the server (`_nats.*`) and the package (its owner) keep there. */
export function userMetadata(metadata: Record<string, string>): Record<string, string> | undefined {
  const mine = Object.fromEntries(Object.entries(metadata).filter(([k]) => !isReservedMetadataKey(k)));
  return Object.keys(mine).length ? mine : undefined;
}

/** Drops keys whose value is undefined, so JSON bodies stay clean. */
export function compact(json: Json): Json {
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));
}
