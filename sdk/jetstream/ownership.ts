// Who owns an asset on the server. Every asset the package creates carries
// its owner, the Pulumi URN of the resource that manages it, in its metadata
// (nats-server 2.10 and later). The owner decides two things the
// configuration alone cannot:
// - create: an asset that already exists is ours (a retried create), moves
//   to us from another resource of the same stack (a rename or a move into a
//   component), or belongs to someone else and needs `adopt: true`;
// - delete: a resource that no longer owns its asset removes nothing, so the
//   old resource of a rename never deletes what the new one took over.
import type { Json } from "./api";
import { atLeast } from "./version";
import type { Version } from "./version";

/** Metadata keys beginning with this prefix are the package's, never the user's. */
export const RESERVED_METADATA_PREFIX = "pulumi-nats.";
/** The owner's URN. */
export const OWNER_KEY = `${RESERVED_METADATA_PREFIX}owner`;
/** The URN of the resource the asset moved from, when it changed hands inside one stack. */
export const PREVIOUS_OWNER_KEY = `${RESERVED_METADATA_PREFIX}previous-owner`;
/** Servers before 2.10 drop metadata: no owner can be recorded there (see docs/jetstream.md). */
export const OWNERSHIP_MIN_VERSION = "2.10.0";
/** The input carrying the managing resource's URN (set by dynamic.ts and the plugin provider). */
export const OWNER_INPUT = "owner";

export function recordsOwner(version: Version): boolean {
  return atLeast(version, OWNERSHIP_MIN_VERSION);
}

/** The owner recorded in a server configuration's metadata, if any. */
export function recordedOwner(server: Json): string | undefined {
  const metadata = server.metadata as Record<string, string> | undefined;
  const owner = metadata?.[OWNER_KEY];
  return typeof owner === "string" && owner !== "" ? owner : undefined;
}

/** Whether a metadata key is the server's (`_nats.*`) or the package's, not the user's. */
export function isReservedMetadataKey(key: string): boolean {
  return key.startsWith("_nats") || key.startsWith(RESERVED_METADATA_PREFIX);
}

/**
 * The configuration to send, with the owner recorded in its metadata (and the
 * previous owner when the asset changes hands). Unchanged without an owner or
 * on a server that drops metadata.
 */
export function withOwner(
  desired: Json,
  owner: string | undefined,
  version: Version,
  previousOwner?: string,
): Json {
  if (!owner || !recordsOwner(version)) return desired;
  const metadata: Record<string, string> = {
    ...((desired.metadata as Record<string, string> | undefined) ?? {}),
    [OWNER_KEY]: owner,
  };
  if (previousOwner) metadata[PREVIOUS_OWNER_KEY] = previousOwner;
  return { ...desired, metadata };
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>::<project>`. */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  return m ? `${m[1]}::${m[2]}` : undefined;
}

/** How an existing asset relates to the resource that wants to create it. */
export type Claim =
  /** Recorded owner is this resource: a create retried after a lost answer. */
  | "ours"
  /** Owned by another resource of this stack: a rename or a move into a component. */
  | "same-stack"
  /** Owned by another stack, or by nothing this package recorded. */
  | "foreign"
  /** No owner can be told: the create carries none, or the server keeps no metadata. */
  | "unknown";

export function claimOf(recorded: string | undefined, owner: string | undefined, version: Version): Claim {
  if (!owner || !recordsOwner(version)) return "unknown";
  if (recorded === owner) return "ours";
  if (recorded && stackOfUrn(recorded) !== undefined && stackOfUrn(recorded) === stackOfUrn(owner))
    return "same-stack";
  return "foreign";
}

/**
 * Whether a delete by `owner` may remove the asset: not when the asset
 * records another owner (it changed hands; the new owner keeps it). An asset
 * with no recorded owner (made before ownership, or on a server before 2.10)
 * is deleted as before.
 */
export function mayDelete(recorded: string | undefined, owner: string | undefined): boolean {
  return recorded === undefined || recorded === owner;
}

/**
 * The URN the engine gives a resource of `type` named `name` under `parent`
 * (the parent's URN, or undefined for the stack itself): children of a
 * component carry its type chain, `parent$type`.
 */
export function urnOf(
  stack: string,
  project: string,
  type: string,
  name: string,
  parentUrn?: string,
): string {
  const parentType = parentUrn?.split("::")[2];
  const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}
