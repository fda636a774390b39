// The JetStream part of the public API.
export { Stream, Consumer, KeyValue, ObjectStore, Inventory } from "./dynamic";
export type {
  StreamArgs,
  ConsumerArgs,
  KeyValueArgs,
  ObjectStoreArgs,
  AssetArgs,
  AssetInfo,
  StreamInfoOutput,
  ConsumerInfoOutput,
  InventoryArgs,
  JetStreamAsset,
} from "./dynamic";
export type { InventoryEntry } from "./inventory";
export type { ConnectionArgs, ConnectionTlsArgs } from "./connection-args";
export { Retention, Storage, Discard, Compression, PersistMode } from "./tables/stream";
export { DeliverPolicy, AckPolicy, ReplayPolicy, PriorityPolicy } from "./tables/consumer";
export { AssetCore, cores } from "./core";
export type { DiffResult, FieldChange, CheckResult, Props } from "./core";
export { InputError, DataLossError, NotReadyError, JetStreamApiError, ErrorCode } from "./errors";
export { parseDuration, parseSize, formatDuration, formatSize } from "./units";
