// The stream table: every field of a stream's configuration on a 2.14 server,
// with the server's own rule for changing it (server/stream.go,
// configUpdateCheck) and the version that introduced it.
import { field, str, strings, int, bool, oneOf, duration, size, stringMap, listOf } from "../fields";
import type { ChangeContext, InputsOf } from "../fields";
import { atLeast } from "../version";
import { placement, source, subjectTransform, republish, consumerLimits, updatableFrom } from "./shared";

export const Retention = { Limits: "limits", Interest: "interest", WorkQueue: "workqueue" } as const;
export const Storage = { File: "file", Memory: "memory" } as const;
export const Discard = { Old: "old", New: "new" } as const;
export const Compression = { None: "none", S2: "s2" } as const;
export const PersistMode = { Default: "default", Async: "async" } as const;

const values = <T extends Record<string, string>>(o: T) => Object.values(o) as T[keyof T][];

function retentionRule({ old, next, version }: ChangeContext) {
  if (old === Retention.WorkQueue || next === Retention.WorkQueue) {
    return { kind: "replace" as const, why: "the server cannot change retention to or from workqueue" };
  }
  return updatableFrom("2.10.0")({ old, next, version });
}

function maxConsumersRule({ version }: ChangeContext) {
  // Rejected on update up to 2.12.4; assume the old rule when the version is unknown.
  return version && atLeast(version, "2.12.5")
    ? { kind: "update" as const }
    : { kind: "replace" as const, why: "servers before 2.12.5 cannot change max_consumers in place" };
}

function mirrorRule({ old, next, version }: ChangeContext) {
  if (old !== undefined && next === undefined && version && atLeast(version, "2.12.0")) {
    return { kind: "update" as const, why: "removing the mirror promotes the stream" };
  }
  return { kind: "replace" as const, why: "the server cannot change a mirror's configuration" };
}

/** The stream's configuration fields (the stream's name is part of its identity). */
export const streamFields = [
  field({ key: "name", wire: "name", codec: str, change: "replace", doc: "Name of the stream." }),
  field({
    key: "description",
    wire: "description",
    codec: str,
    change: "update",
    doc: "A description of the stream.",
  }),
  field({
    key: "subjects",
    wire: "subjects",
    codec: strings,
    change: "update",
    doc: "Subjects the stream stores (wildcards allowed). Must not overlap another stream's subjects. Empty for a mirror.",
  }),
  field({
    key: "retention",
    wire: "retention",
    codec: oneOf(values(Retention)),
    wireDefault: Retention.Limits,
    change: retentionRule,
    defaultDoc: "limits",
    doc: "When messages are removed: at the limits (`limits`), when all consumers acknowledged them (`interest`), or when one consumer did (`workqueue`). Changing to or from `workqueue` replaces the stream.",
  }),
  field({
    key: "storage",
    wire: "storage",
    codec: oneOf(values(Storage)),
    wireDefault: Storage.File,
    change: "replace",
    defaultDoc: "file",
    doc: "Where messages are kept: `file` (durable) or `memory`. Changing it replaces the stream.",
  }),
  field({
    key: "replicas",
    wire: "num_replicas",
    codec: int(1, 5),
    wireDefault: 1,
    change: "update",
    defaultDoc: "1",
    doc: "Number of copies of each message, 1 to 5 (more than 1 needs a cluster). Changed in place.",
  }),
  field({
    key: "maxConsumers",
    wire: "max_consumers",
    codec: int(-1),
    wireDefault: -1,
    change: maxConsumersRule,
    defaultDoc: "unlimited (-1)",
    doc: "Most consumers the stream may have. Servers before 2.12.5 cannot change it in place.",
  }),
  field({
    key: "maxMsgs",
    wire: "max_msgs",
    codec: int(-1),
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: "Most messages kept.",
  }),
  field({
    key: "maxBytes",
    wire: "max_bytes",
    codec: size,
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: 'Most bytes kept ("10GiB", which NATS also reads as "10GB", or bytes).',
  }),
  field({
    key: "maxAge",
    wire: "max_age",
    codec: duration,
    wireDefault: 0,
    change: "update",
    defaultDoc: "unlimited (0)",
    doc: 'Oldest message kept ("7d", "1h30m", or milliseconds); at least 100ms.',
  }),
  field({
    key: "maxMsgsPerSubject",
    wire: "max_msgs_per_subject",
    codec: int(-1),
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: "Most messages kept per subject.",
  }),
  field({
    key: "maxMsgSize",
    wire: "max_msg_size",
    codec: size,
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: "Largest message accepted.",
  }),
  field({
    key: "discard",
    wire: "discard",
    codec: oneOf(values(Discard)),
    wireDefault: Discard.Old,
    change: "update",
    defaultDoc: "old",
    doc: "At a limit, remove the oldest messages (`old`) or refuse new ones (`new`).",
  }),
  field({
    key: "discardNewPerSubject",
    wire: "discard_new_per_subject",
    codec: bool,
    wireDefault: false,
    change: "update",
    defaultDoc: "false",
    doc: "Apply `discard: new` per subject; needs `discard: new` and `maxMsgsPerSubject`.",
  }),
  field({
    key: "noAck",
    wire: "no_ack",
    codec: bool,
    wireDefault: false,
    change: "update",
    defaultDoc: "false",
    doc: "Do not acknowledge publishes.",
  }),
  field({
    key: "duplicateWindow",
    wire: "duplicate_window",
    codec: duration,
    change: "update",
    defaultDoc: "2m, or maxAge when smaller",
    doc: "How long message IDs are remembered to drop duplicate publishes.",
  }),
  field({
    key: "placement",
    wire: "placement",
    codec: placement,
    change: "update",
    doc: "Where to place the stream: a cluster and/or server tags. Changing it moves the stream.",
  }),
  field({
    key: "mirror",
    wire: "mirror",
    codec: source,
    change: mirrorRule,
    doc: "Make the stream a read-only copy of another stream. Changing it replaces the stream; removing it promotes the mirror (2.12+).",
  }),
  field({
    key: "sources",
    wire: "sources",
    codec: listOf(source),
    change: "update",
    doc: "Streams to copy messages from.",
  }),
  field({
    key: "compression",
    wire: "compression",
    codec: oneOf(values(Compression)),
    wireDefault: Compression.None,
    change: "update",
    since: "2.10.0",
    defaultDoc: "none",
    doc: "On-disk compression: `none` or `s2`.",
  }),
  field({
    key: "firstSeq",
    wire: "first_seq",
    codec: int(0),
    change: "replace",
    createOnly: true,
    since: "2.10.0",
    doc: "Sequence number of the first message. Honoured only at creation, so changing it replaces the stream.",
  }),
  field({
    key: "subjectTransform",
    wire: "subject_transform",
    codec: subjectTransform,
    change: "update",
    since: "2.10.0",
    doc: "Rewrite the subjects of incoming messages.",
  }),
  field({
    key: "republish",
    wire: "republish",
    codec: republish,
    change: updatableFrom("2.10.0"),
    doc: "Republish stored messages to another subject.",
  }),
  field({
    key: "allowDirect",
    wire: "allow_direct",
    codec: bool,
    wireDefault: false,
    change: "update",
    defaultDoc: "false",
    doc: "Allow direct get of messages from any replica.",
  }),
  field({
    key: "mirrorDirect",
    wire: "mirror_direct",
    codec: bool,
    wireDefault: false,
    change: "update",
    defaultDoc: "false",
    doc: "Serve direct gets of the mirrored stream from this mirror.",
  }),
  field({
    key: "allowRollup",
    wire: "allow_rollup_hdrs",
    codec: bool,
    wireDefault: false,
    change: "update",
    defaultDoc: "false",
    doc: "Allow the `Nats-Rollup` header to replace a subject's or the stream's messages.",
  }),
  field({
    key: "denyDelete",
    wire: "deny_delete",
    codec: bool,
    wireDefault: false,
    change: "oneWay",
    defaultDoc: "false",
    doc: "Refuse deleting messages through the API. Can be turned on, never off (turning it off replaces the stream).",
  }),
  field({
    key: "denyPurge",
    wire: "deny_purge",
    codec: bool,
    wireDefault: false,
    change: "oneWay",
    defaultDoc: "false",
    doc: "Refuse purging the stream through the API. Can be turned on, never off.",
  }),
  field({
    key: "sealed",
    wire: "sealed",
    codec: bool,
    wireDefault: false,
    change: "oneWay",
    defaultDoc: "false",
    doc: "Seal the stream: no more writes, deletes or purges. Can be turned on, never off.",
  }),
  field({
    key: "consumerLimits",
    wire: "consumer_limits",
    codec: consumerLimits,
    change: "update",
    since: "2.10.0",
    doc: "Defaults and upper bounds for the stream's consumers.",
  }),
  field({
    key: "allowMsgTtl",
    wire: "allow_msg_ttl",
    codec: bool,
    wireDefault: false,
    change: "oneWay",
    since: "2.11.0",
    defaultDoc: "false",
    doc: "Honour per-message TTLs (the `Nats-TTL` header). Can be turned on, never off.",
  }),
  field({
    key: "subjectDeleteMarkerTtl",
    wire: "subject_delete_marker_ttl",
    codec: duration,
    change: "update",
    since: "2.11.0",
    doc: "Leave a delete marker with this TTL when max age removes a subject's last message (at least 1s; needs `allowMsgTtl` and `allowRollup`).",
  }),
  field({
    key: "allowMsgCounter",
    wire: "allow_msg_counter",
    codec: bool,
    wireDefault: false,
    change: "replace",
    since: "2.12.0",
    defaultDoc: "false",
    doc: "Make the stream a counter (CRDT) stream. Changing it replaces the stream.",
  }),
  field({
    key: "allowAtomic",
    wire: "allow_atomic",
    codec: bool,
    wireDefault: false,
    change: "update",
    since: "2.12.0",
    defaultDoc: "false",
    doc: "Allow atomic batch publishes.",
  }),
  field({
    key: "allowMsgSchedules",
    wire: "allow_msg_schedules",
    codec: bool,
    wireDefault: false,
    change: "oneWay",
    since: "2.12.0",
    defaultDoc: "false",
    doc: "Allow scheduled messages. Can be turned on, never off.",
  }),
  field({
    key: "persistMode",
    wire: "persist_mode",
    codec: oneOf(values(PersistMode)),
    wireDefault: PersistMode.Default,
    change: "replace",
    since: "2.12.0",
    defaultDoc: "default",
    doc: "`async` acknowledges before writing to disk (file storage, 1 replica only). Changing it replaces the stream.",
  }),
  field({
    key: "allowBatched",
    wire: "allow_batched",
    codec: bool,
    wireDefault: false,
    change: "update",
    since: "2.14.0",
    defaultDoc: "false",
    doc: "Allow fast batch publishing.",
  }),
  field({
    key: "metadata",
    wire: "metadata",
    codec: stringMap,
    change: "update",
    since: "2.10.0",
    doc: "Your own key/value metadata (keys beginning `_nats` are the server's).",
  }),
] as const;

export type StreamConfigInputs = InputsOf<typeof streamFields>;
