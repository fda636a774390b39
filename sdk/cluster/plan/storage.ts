// JetStream storage sizes: the file-store volume, the share of it the server
// may fill, and the memory store, checked against what nats-server parses and
// against the container's memory limit.
import type { JetStreamArgs } from "../args";
import { show, type Issues } from "../errors";
import { formatBytesFloorMi, isNatsSize, parseBytes } from "./quantity";

/**
 * The memory rule: a full memory store may take at most this share of the
 * container's memory limit. The rest is the server's own: connections and
 * their buffers, Raft logs, file-store caches, and the Go runtime's headroom
 * (GOMEMLIMIT is 80% of the limit, and it does not bound the memory store:
 * measured with nano (128Mi) and a 1Gi memory store, a real server grew to
 * 403 MB, which the kubelet answers with an OOM kill).
 */
export const MEMORY_STORE_MAX_SHARE = 0.5;

export interface StorageSizes {
  /** The PVC size (a Kubernetes quantity). */
  fileStorage: string;
  /** `max_file_store`, formatted so nats-server parses it. */
  maxFileStore: string;
  /** `max_memory_store` as given (already checked to parse), or undefined = off. */
  memoryStorage: string | undefined;
}

/** Validates `jetstream` sizes against each other and the memory limit; problems go to `issues`. */
export function planStorageSizes(
  js: JetStreamArgs,
  memoryLimit: string | undefined,
  issues: Issues,
): StorageSizes {
  const fileStorage = js.fileStorage ?? "10Gi";
  const fileBytes = parseBytes(fileStorage);
  if (fileBytes === undefined)
    issues.add("jetstream.fileStorage", `${show(fileStorage)} is not a size (like "20Gi").`);
  else if (fileBytes < 2 ** 30)
    issues.add("jetstream.fileStorage", `${fileStorage} is below 1Gi, the smallest sensible volume.`);
  const pct = js.fileStoreMaxPercent ?? 90;
  if (typeof pct !== "number" || pct < 50 || pct > 100)
    issues.add("jetstream.fileStoreMaxPercent", `must be a number from 50 to 100, got ${show(pct)}.`);

  const memoryStorage = js.memoryStorage;
  if (memoryStorage !== undefined) {
    const memBytes = parseBytes(memoryStorage);
    const limit = memoryLimit === undefined ? undefined : parseBytes(memoryLimit);
    if (memBytes === undefined)
      issues.add("jetstream.memoryStorage", `${show(memoryStorage)} is not a size (like "2Gi").`);
    else if (!isNatsSize(memoryStorage))
      // The chart writes it verbatim into nats.conf, where "1.5Gi" stops every server from starting.
      issues.add(
        "jetstream.memoryStorage",
        `${show(memoryStorage)} is not a whole number of units, which nats-server cannot parse: write ${show(formatBytesFloorMi(memBytes))}.`,
      );
    else if (limit !== undefined && memBytes > limit * MEMORY_STORE_MAX_SHARE)
      issues.add(
        "jetstream.memoryStorage",
        `${memoryStorage} does not fit in the memory limit ${memoryLimit}: a full memory store may take at most half of it (${formatBytesFloorMi(limit * MEMORY_STORE_MAX_SHARE)}), the rest is the server's own. Lower memoryStorage or raise resources.`,
      );
  }
  return {
    fileStorage,
    maxFileStore: fileBytes === undefined ? "" : formatBytesFloorMi((fileBytes * Number(pct)) / 100),
    memoryStorage,
  };
}
