// Nested objects shared by several tables: placement, sources, transforms,
// republish and consumer limits.
import { field, object, str, strings, int, bool, time, duration, listOf } from "../fields";
import { atLeast } from "../version";
import type { ChangeContext } from "../fields";

export const placement = object("Placement", [
  field({
    key: "cluster",
    wire: "cluster",
    codec: str,
    change: "update",
    doc: "Name of the cluster to place the stream in.",
  }),
  field({
    key: "tags",
    wire: "tags",
    codec: strings,
    change: "update",
    doc: "Server tags the stream's servers must all have, e.g. `az:eu-west-1a`.",
  }),
] as const);

export const subjectTransform = object("SubjectTransform", [
  field({
    key: "src",
    wire: "src",
    codec: str,
    change: "update",
    doc: "Subject filter the transform applies to.",
  }),
  field({
    key: "dest",
    wire: "dest",
    codec: str,
    change: "update",
    doc: "Destination subject, with `{{wildcard(1)}}`-style mappings.",
  }),
] as const);

export const external = object("ExternalStream", [
  field({
    key: "api",
    wire: "api",
    codec: str,
    change: "update",
    doc: "JetStream API prefix of the other account or domain, e.g. `$JS.hub.API`.",
  }),
  field({
    key: "deliver",
    wire: "deliver",
    codec: str,
    change: "update",
    doc: "Delivery prefix for the other account.",
  }),
] as const);

export const source = object("StreamSource", [
  field({ key: "name", wire: "name", codec: str, change: "update", doc: "Name of the stream to copy from." }),
  field({
    key: "optStartSeq",
    wire: "opt_start_seq",
    codec: int(0),
    change: "update",
    doc: "First sequence to copy.",
  }),
  field({
    key: "optStartTime",
    wire: "opt_start_time",
    codec: time,
    change: "update",
    doc: "Copy messages from this time (RFC 3339).",
  }),
  field({
    key: "filterSubject",
    wire: "filter_subject",
    codec: str,
    change: "update",
    doc: "Copy only messages on subjects matching this filter.",
  }),
  field({
    key: "subjectTransforms",
    wire: "subject_transforms",
    codec: listOf(subjectTransform),
    change: "update",
    since: "2.10.0",
    doc: "Rewrite subjects of copied messages.",
  }),
  field({
    key: "external",
    wire: "external",
    codec: external,
    change: "update",
    doc: "Copy from another account or JetStream domain.",
  }),
  field({
    key: "domain",
    wire: "_domain",
    codec: str,
    change: "update",
    doc: "Copy from this JetStream domain (shorthand for `external.api = $JS.<domain>.API`).",
  }),
] as const);

export const republish = object("Republish", [
  field({
    key: "src",
    wire: "src",
    codec: str,
    change: "update",
    doc: "Subject filter of messages to republish.",
  }),
  field({ key: "dest", wire: "dest", codec: str, change: "update", doc: "Subject to republish to." }),
  field({
    key: "headersOnly",
    wire: "headers_only",
    codec: bool,
    change: "update",
    doc: "Republish headers only, not bodies.",
  }),
] as const);

export const consumerLimits = object("ConsumerLimits", [
  field({
    key: "inactiveThreshold",
    wire: "inactive_threshold",
    codec: duration,
    change: "update",
    doc: "Default and upper bound of consumers' inactive threshold.",
  }),
  field({
    key: "maxAckPending",
    wire: "max_ack_pending",
    codec: int(0),
    change: "update",
    doc: "Default and upper bound of consumers' max ack pending.",
  }),
] as const);

/** Rule for `republish` and `retention`-like fields that 2.9 servers could not change. */
export function updatableFrom(min: string) {
  return ({ version }: ChangeContext) =>
    version && !atLeast(version, min)
      ? {
          kind: "replace" as const,
          why: `server ${version.major}.${version.minor} cannot change it in place (needs ${min})`,
        }
      : { kind: "update" as const };
}
