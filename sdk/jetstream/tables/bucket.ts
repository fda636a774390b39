// KV buckets and object stores are streams underneath (KV bucket B is stream
// KV_B on `$KV.B.>`; object store B is stream OBJ_B on `$O.B.C.>` and
// `$O.B.M.>`). Their tables name the underlying stream fields as wire names,
// so diff, drift and the change rules work on the stream the server keeps.
import { field, str, int, bool, oneOf, duration, size, stringMap, listOf, object } from "../fields";
import type { Codec, InputsOf } from "../fields";
import { Storage } from "./stream";
import { placement, republish, source } from "./shared";

const storage = oneOf(Object.values(Storage) as ("file" | "memory")[]);

/** `compression: true` is the stream's `s2`. */
const compressed: Codec<boolean> = {
  schema: bool.schema,
  encode: (value) => (bool.encode(value) ? "s2" : "none"),
  decode: (wire) => wire === "s2",
};

/** A bucket to copy from: the KV bucket's name (the `KV_` prefix is added). */
const bucketSource = object("BucketSource", source.rows);

const common = {
  description: field({
    key: "description",
    wire: "description",
    codec: str,
    change: "update",
    doc: "A description of the bucket.",
  }),
  maxBytes: field({
    key: "maxBytes",
    wire: "max_bytes",
    codec: size,
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: "Most bytes the bucket holds.",
  }),
  storage: field({
    key: "storage",
    wire: "storage",
    codec: storage,
    wireDefault: Storage.File,
    change: "replace",
    defaultDoc: "file",
    doc: "`file` or `memory`. Changing it replaces the bucket.",
  }),
  replicas: field({
    key: "replicas",
    wire: "num_replicas",
    codec: int(1, 5),
    wireDefault: 1,
    change: "update",
    defaultDoc: "1",
    doc: "Copies of each value, 1 to 5.",
  }),
  placement: field({
    key: "placement",
    wire: "placement",
    codec: placement,
    change: "update",
    doc: "Cluster and/or server tags to place the bucket.",
  }),
  compression: field({
    key: "compression",
    wire: "compression",
    codec: compressed,
    wireDefault: "none",
    change: "update",
    since: "2.10.0",
    defaultDoc: "false",
    doc: "Compress the bucket's data with s2.",
  }),
  metadata: field({
    key: "metadata",
    wire: "metadata",
    codec: stringMap,
    change: "update",
    since: "2.10.0",
    doc: "Your own key/value metadata.",
  }),
};

export const keyValueFields = [
  field({ key: "bucket", wire: "_bucket", codec: str, change: "replace", doc: "Name of the bucket." }),
  common.description,
  field({
    key: "history",
    wire: "max_msgs_per_subject",
    codec: int(1, 64),
    wireDefault: 1,
    change: "update",
    defaultDoc: "1",
    doc: "Values kept per key, 1 to 64.",
  }),
  field({
    key: "ttl",
    wire: "max_age",
    codec: duration,
    wireDefault: 0,
    change: "update",
    defaultDoc: "forever (0)",
    doc: "How long a value is kept.",
  }),
  field({
    key: "maxValueSize",
    wire: "max_msg_size",
    codec: size,
    wireDefault: -1,
    change: "update",
    defaultDoc: "unlimited (-1)",
    doc: "Largest value accepted.",
  }),
  common.maxBytes,
  common.storage,
  common.replicas,
  common.placement,
  field({
    key: "republish",
    wire: "republish",
    codec: republish,
    change: "update",
    doc: "Republish changes to another subject.",
  }),
  common.compression,
  field({
    key: "mirror",
    wire: "mirror",
    codec: bucketSource,
    change: "replace",
    doc: "Make the bucket a read-only copy of another bucket (give the bucket's name). Changing it replaces the bucket.",
  }),
  field({
    key: "sources",
    wire: "sources",
    codec: listOf(bucketSource),
    change: "update",
    doc: "Buckets to copy keys from (give the buckets' names).",
  }),
  field({
    key: "limitMarkerTtl",
    wire: "subject_delete_marker_ttl",
    codec: duration,
    // A marker TTL turns on per-message TTLs (allow_msg_ttl), which the server
    // never turns off again ("message TTL status can not be disabled", 10052):
    // removing the marker TTL replaces the bucket.
    change: ({ old, next }) =>
      Number(old ?? 0) > 0 && !(Number(next ?? 0) > 0)
        ? { kind: "replace", why: "the server cannot turn per-message TTLs off again" }
        : { kind: "update" },
    since: "2.11.0",
    doc: "Keep a marker for this long when a key is removed by the TTL (at least 1s).",
  }),
  common.metadata,
] as const;

export const objectStoreFields = [
  field({ key: "bucket", wire: "_bucket", codec: str, change: "replace", doc: "Name of the object store." }),
  common.description,
  field({
    key: "ttl",
    wire: "max_age",
    codec: duration,
    wireDefault: 0,
    change: "update",
    defaultDoc: "forever (0)",
    doc: "How long an object is kept.",
  }),
  common.maxBytes,
  common.storage,
  common.replicas,
  common.placement,
  common.compression,
  common.metadata,
] as const;

export type KeyValueConfigInputs = InputsOf<typeof keyValueFields>;
export type ObjectStoreConfigInputs = InputsOf<typeof objectStoreFields>;
