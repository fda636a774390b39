// The assets the benchmark manages, and the three ways it manages them:
// - "raw":  the @nats-io/jetstream client as an application would use it
//           (jetstreamManager streams/consumers, Kvm for KV buckets);
// - "core": the provider core in this process (cores.stream|consumer|keyValue);
// - "host": the same core behind @pulumi/pulumi's dynamic provider host,
//           called over gRPC with the serialized provider, as the engine does.
// Every driver does the same five operations on asset i of a series.
import type { JetStreamManager } from "@nats-io/jetstream";
import type { Kvm } from "@nats-io/kv";
import { cores } from "../sdk/jetstream/core";
import type { Props } from "../sdk/jetstream/core";
import type { DynamicHost } from "../tests/jetstream/host-client";

export const MODES = ["raw", "core", "host"] as const;
export type Mode = (typeof MODES)[number];
export const OPS = ["create", "read", "diff", "update", "delete"] as const;
export type Op = (typeof OPS)[number];
export type KindName = "stream" | "consumer" | "kv";

/** One series: `count` assets of one kind, created, read, diffed, updated and deleted. */
export interface Series {
  kind: KindName;
  count: number;
  storage: "memory" | "file";
  replicas: number;
  /** Names of this series' assets start with it (unique per run, mode and repetition). */
  prefix: string;
}

/** Consumers are spread over this many parent streams (created and deleted outside the timing). */
export const CONSUMER_PARENTS = 10;

export type Driver = Record<Op, (i: number) => Promise<void>>;

const NS = 1e9;
const HOUR = 3600;

/** The resource inputs (as the program would declare them) of asset i, before and after the update. */
export function inputs(s: Series, i: number): { v1: Props; v2: Props } {
  const replicas = s.replicas;
  switch (s.kind) {
    case "stream": {
      const v1 = {
        name: `${s.prefix}_${i}`,
        subjects: [`${s.prefix}.${i}.>`],
        storage: s.storage,
        replicas,
        maxAge: "1h",
      };
      return { v1, v2: { ...v1, maxAge: "2h" } };
    }
    case "consumer": {
      const parent = i % CONSUMER_PARENTS;
      const v1 = {
        stream: parentName(s, parent),
        name: `c${i}`,
        ackPolicy: "explicit",
        ackWait: "30s",
        filterSubjects: [`${s.prefix}.p${parent}.${i}`],
      };
      return { v1, v2: { ...v1, ackWait: "1m" } };
    }
    case "kv": {
      const v1 = { bucket: `${s.prefix}_${i}`, storage: s.storage, replicas, history: 1, ttl: "1h" };
      return { v1, v2: { ...v1, ttl: "2h" } };
    }
  }
}

export function parentName(s: Series, j: number): string {
  return `${s.prefix}_P${j}`;
}

/** Creates the consumers' parent streams (not timed). */
export async function setUp(s: Series, jsm: JetStreamManager): Promise<void> {
  if (s.kind !== "consumer") return;
  for (let j = 0; j < CONSUMER_PARENTS; j++) {
    await jsm.streams.add({
      name: parentName(s, j),
      subjects: [`${s.prefix}.p${j}.>`],
      storage: s.storage as never,
      num_replicas: s.replicas,
    });
  }
}

/** Deletes the parent streams (not timed). */
export async function tearDown(s: Series, jsm: JetStreamManager): Promise<void> {
  if (s.kind !== "consumer") return;
  for (let j = 0; j < CONSUMER_PARENTS; j++) await jsm.streams.delete(parentName(s, j));
}

/** The raw client: what an application would write with @nats-io/jetstream and @nats-io/kv. */
export function rawDriver(s: Series, jsm: JetStreamManager, kvm: Kvm): Driver {
  switch (s.kind) {
    case "stream": {
      const name = (i: number) => `${s.prefix}_${i}`;
      return {
        create: async (i) => {
          await jsm.streams.add({
            name: name(i),
            subjects: [`${s.prefix}.${i}.>`],
            storage: s.storage as never,
            num_replicas: s.replicas,
            max_age: HOUR * NS,
          });
        },
        read: async (i) => void (await jsm.streams.info(name(i))),
        // Without stored state, knowing whether an asset changed takes one info call.
        diff: async (i) => void (await jsm.streams.info(name(i))),
        update: async (i) => void (await jsm.streams.update(name(i), { max_age: 2 * HOUR * NS })),
        delete: async (i) => void (await jsm.streams.delete(name(i))),
      };
    }
    case "consumer": {
      const where = (i: number): [string, string] => [parentName(s, i % CONSUMER_PARENTS), `c${i}`];
      return {
        create: async (i) => {
          const [stream, durable] = where(i);
          await jsm.consumers.add(stream, {
            durable_name: durable,
            ack_policy: "explicit" as never,
            ack_wait: 30 * NS,
            filter_subject: `${s.prefix}.p${i % CONSUMER_PARENTS}.${i}`,
          });
        },
        read: async (i) => void (await jsm.consumers.info(...where(i))),
        diff: async (i) => void (await jsm.consumers.info(...where(i))),
        update: async (i) => void (await jsm.consumers.update(...where(i), { ack_wait: 60 * NS })),
        delete: async (i) => void (await jsm.consumers.delete(...where(i))),
      };
    }
    case "kv": {
      const bucket = (i: number) => `${s.prefix}_${i}`;
      return {
        create: async (i) => {
          await kvm.create(bucket(i), {
            storage: s.storage as never,
            replicas: s.replicas,
            history: 1,
            ttl: HOUR * 1000,
          });
        },
        read: async (i) => void (await (await kvm.open(bucket(i))).status()),
        diff: async (i) => void (await (await kvm.open(bucket(i))).status()),
        // Kvm.create does not update an existing bucket: update its stream.
        update: async (i) => void (await jsm.streams.update(`KV_${bucket(i)}`, { max_age: 2 * HOUR * NS })),
        delete: async (i) => void (await (await kvm.open(bucket(i))).destroy()),
      };
    }
  }
}

const CORE = { stream: "stream", consumer: "consumer", kv: "keyValue" } as const;

/** The provider core, called as the dynamic provider's handlers call it. */
export function coreDriver(s: Series, connection: Props): Driver {
  const core = cores[CORE[s.kind]];
  const ids: string[] = [];
  const outs: Props[] = [];
  const props = (i: number, v: "v1" | "v2") => ({ ...inputs(s, i)[v], connection });
  return {
    create: async (i) => {
      const r = await core.create(props(i, "v1"));
      ids[i] = r.id;
      outs[i] = r.outs;
    },
    read: async (i) => {
      if (!(await core.read(ids[i], outs[i]))) throw new Error(`core read: ${ids[i]} not found`);
    },
    diff: async (i) => {
      const d = await core.diff(ids[i], outs[i], props(i, "v1"));
      if (d.changes) throw new Error(`core diff: ${ids[i]} should be unchanged: ${JSON.stringify(d)}`);
    },
    update: async (i) => {
      outs[i] = (await core.update(ids[i], outs[i], props(i, "v2"))).outs;
    },
    delete: async (i) => core.delete(ids[i], outs[i]),
  };
}

const TYPE = { stream: "Stream", consumer: "Consumer", kv: "KeyValue" } as const;

/**
 * The dynamic provider host: `registered` holds the inputs a resource of this
 * kind registered under mocks (`__provider`, `connection`, `credentials`);
 * each asset's configuration is added to them.
 */
export function hostDriver(s: Series, host: DynamicHost, registered: Props): Driver {
  const base = {
    __provider: registered.__provider,
    connection: registered.connection,
    credentials: registered.credentials,
  };
  const urn = (i: number) =>
    `urn:pulumi:bench::bench::pulumi-nodejs:dynamic/jetstream:${TYPE[s.kind]}::a${i}`;
  const props = (i: number, v: "v1" | "v2") => ({ ...base, ...inputs(s, i)[v] });
  const ids: string[] = [];
  const outs: Props[] = [];
  return {
    create: async (i) => {
      const r = await host.create(urn(i), props(i, "v1"));
      ids[i] = r.id;
      outs[i] = r.outs;
    },
    read: async (i) => {
      const r = await host.read(urn(i), ids[i], outs[i]);
      if (r.id !== ids[i]) throw new Error(`host read: ${ids[i]} not found`);
    },
    diff: async (i) => {
      const d = await host.diff(urn(i), ids[i], outs[i], props(i, "v1"));
      if (d.changes !== "none")
        throw new Error(`host diff: ${ids[i]} should be unchanged: ${JSON.stringify(d)}`);
    },
    update: async (i) => {
      outs[i] = (await host.update(urn(i), ids[i], outs[i], props(i, "v2"))).outs;
    },
    delete: async (i) => host.delete(urn(i), ids[i], outs[i]),
  };
}
