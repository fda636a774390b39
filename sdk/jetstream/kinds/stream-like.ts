// Streams, KV buckets and object stores all live as streams on the server, so
// they share how they are read, created, updated and deleted.
import type { StreamInfo } from "@nats-io/jetstream";
import type { Field } from "../fields";
import type { Json, JetStreamApi } from "../api";
import { ErrorCode, isApiError } from "../errors";
import type { InputProblem } from "../errors";
import type { Kind, Observed } from "./kind";
import { canonicalFromServer } from "./canonical";
import { readInfo, streamInfoTable } from "../tables/info";
import { limitLosses, tightenedLimits } from "../loss";
import { recordedOwner } from "../ownership";
import { streamLikeCycleProblems } from "./cycles";

export interface StreamLikeSpec {
  label: string;
  typeName: string;
  dataNoun: string;
  rows: readonly Field[];
  /** The underlying stream's name for an id. */
  streamName(id: string): string;
  id(config: Record<string, unknown>): string;
  desired(config: Record<string, unknown>): Json;
  validate(config: Record<string, unknown>, desired: Json): InputProblem[];
  /** Adds kind-specific canonical fields (e.g. the bucket name) to the server's config. */
  fromServer?(config: Json, canonical: Json): Json;
}

export function streamLikeKind(spec: StreamLikeSpec): Kind {
  const observed = (info: StreamInfo): Observed => {
    const server = info.config as unknown as Json;
    const canonical = canonicalFromServer(spec.rows, server);
    return {
      config: spec.fromServer ? spec.fromServer(server, canonical) : canonical,
      messages: info.state.messages,
      info: readInfo(streamInfoTable, info) as unknown as Json,
      owner: recordedOwner(server),
    };
  };

  const request = (desired: Json): Json => {
    // Pseudo-fields (leading "_") name identities, not server fields.
    return Object.fromEntries(
      Object.entries(desired).filter(([k, v]) => !k.startsWith("_") && v !== undefined),
    );
  };

  return {
    label: spec.label,
    typeName: spec.typeName,
    dataNoun: spec.dataNoun,
    holdsData: true,
    rows: spec.rows,
    id: spec.id,
    desired: spec.desired,
    validate: (config, desired) => [...spec.validate(config, desired), ...streamLikeCycleProblems(desired)],

    async observe(api: JetStreamApi, id: string) {
      try {
        return observed(await api.streamInfo(spec.streamName(id)));
      } catch (err) {
        if (isApiError(err, ErrorCode.StreamNotFound)) return undefined;
        throw err;
      }
    },

    async create(api, desired) {
      const body = request(desired);
      // The server honours `sealed` only on update: create open, then seal.
      if (body.sealed === true) {
        await createRetryingStore(api, { ...body, sealed: false });
        return observed(await api.streamUpdate(body));
      }
      return observed(await createRetryingStore(api, body));
    },

    async update(api, desired, changed) {
      const body = request(desired);
      // The server refuses moving a stream and changing its replicas in one
      // update, so take one step at a time, in the order whose middle state
      // the cluster can place: growing, move first (the new placement fits
      // the old, smaller count); shrinking, scale first (the old placement
      // held more replicas). Always scaling first failed going from R1 on
      // tags [az:a] to R3 across the cluster: no 3 servers carry az:a.
      if (changed.includes("placement") && changed.includes("num_replicas")) {
        const current = (await api.streamInfo(String(body.name))).config;
        const growing = Number(body.num_replicas ?? 1) > Number(current.num_replicas ?? 1);
        await api.streamUpdate(
          growing
            ? { ...body, num_replicas: current.num_replicas }
            : { ...body, placement: current.placement },
        );
      }
      return observed(await api.streamUpdate(body));
    },

    async updateLosses(api, id, before, after) {
      if (!tightenedLimits(spec.rows, before, after).length) return [];
      return limitLosses(await api(), spec.streamName(id), spec.rows, before, after, spec.dataNoun);
    },

    async remove(api, id) {
      try {
        await api.streamDelete(spec.streamName(id));
      } catch (err) {
        if (!isApiError(err, ErrorCode.StreamNotFound)) throw err;
      }
    },
  };
}

/**
 * Creates a stream, retrying "error creating store for stream" (10049) a few
 * times. When the account's last file stream is deleted, the server removes
 * the account's empty store directories in a goroutine (stream.go, stop), which
 * races with creating the next file stream: exactly what a replacement does
 * (delete, then create at once). Seen on 2.14.2 in the test battery.
 */
async function createRetryingStore(api: JetStreamApi, body: Json): Promise<StreamInfo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.streamCreate(body);
    } catch (err) {
      if (!isApiError(err, ErrorCode.StreamStoreFailed) || attempt >= 4) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
    }
  }
}
