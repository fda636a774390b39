// One example per row of the KV and object-store tables (see table-runner.ts).
import { keyValueFields, objectStoreFields } from "../../sdk/jetstream/tables/bucket";
import { ErrorCode } from "../../sdk/jetstream/errors";
import type { Ctx, RowExample, StreamLikeSuite, Target } from "./table-runner";
import { cores, withConnection } from "./support";
import { holds, movedTo } from "./stream-examples";
import { awaitStreamInterest } from "../harness";

const S = 1e9;

/** Puts `count` values with the KV client; returns the count. */
export async function kvPut(target: Target, bucket: string, count = 3, prefix = "k"): Promise<number> {
  const nc = await target.connect();
  const { Kvm } = await import("@nats-io/kv");
  const kv = await new Kvm(nc).open(bucket);
  await awaitStreamInterest(nc, `$KV.${bucket}.${prefix}0`);
  for (let i = 0; i < count; i++) await kv.put(`${prefix}${i}`, `v${i}`);
  await nc.close();
  return count;
}

/** Stores `count` small objects with the object-store client; returns the messages it took. */
export async function objPut(target: Target, bucket: string, count = 2): Promise<number> {
  const nc = await target.connect();
  const { Objm } = await import("@nats-io/obj");
  const os = await new Objm(nc).open(bucket);
  await awaitStreamInterest(nc, `$O.${bucket}.M.probe`);
  for (let i = 0; i < count; i++)
    await os.putBlob({ name: `o${i}` }, new TextEncoder().encode(`object ${i}`));
  await nc.close();
  // One chunk and one metadata message per object.
  return 2 * count;
}

async function kvBucket(target: Target, bucket: string) {
  await cores.keyValue.create(withConnection(target, { bucket, storage: "memory" }));
}

export function keyValueSuite(): StreamLikeSuite {
  return {
    core: cores.keyValue,
    rows: keyValueFields,
    base: (c) => ({ bucket: c.name, storage: "memory" }),
    stream: (c) => `KV_${c.name}`,
    wireOf: (key) => keyValueFields.find((r) => r.key === key)!.wire,
    fill: (c) => kvPut(c.target, c.name),
  };
}

export function objectStoreSuite(): StreamLikeSuite {
  return {
    core: cores.objectStore,
    rows: objectStoreFields,
    base: (c) => ({ bucket: c.name, storage: "memory" }),
    stream: (c) => `OBJ_${c.name}`,
    wireOf: (key) => objectStoreFields.find((r) => r.key === key)!.wire,
    fill: (c) => objPut(c.target, c.name),
  };
}

const common: Record<string, (c: Ctx) => RowExample> = {
  description: () => ({
    value: "first",
    wire: "first",
    next: { value: "second", wire: "second", rule: "update" },
  }),
  ttl: () => ({ value: "1h", wire: 3600 * S, next: { value: "1.5h", wire: 5400 * S, rule: "update" } }),
  maxBytes: () => ({
    value: "1MiB",
    wire: 1024 * 1024,
    next: { value: "2MB", wire: 2 * 1024 * 1024, rule: "update" },
  }),
  storage: () => ({
    base: { storage: undefined },
    value: "memory",
    wire: "memory",
    next: { value: "file", wire: "file", rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  replicas: () => ({ cluster: true, value: 3, wire: 3, next: { value: 1, wire: 1, rule: "update" } }),
  placement: () => ({
    cluster: true,
    value: { tags: ["az:b"] },
    wire: { tags: ["az:b"] },
    next: {
      value: { tags: ["az:c"] },
      wire: { tags: ["az:c"] },
      rule: "update",
      settle: (c, stream) => movedTo(c.target, stream, "n3"),
    },
  }),
  compression: () => ({
    base: { storage: "file" },
    value: true,
    wire: "s2",
    next: { value: false, wire: "none", rule: "update" },
  }),
  metadata: () => ({
    value: { team: "a" },
    wire: { team: "a" },
    next: { value: { team: "b", env: "x" }, wire: { team: "b", env: "x" }, rule: "update" },
  }),
};

export const keyValueExamples: Record<string, (c: Ctx) => RowExample> = {
  ...common,
  history: () => ({ value: 5, wire: 5, next: { value: 64, wire: 64, rule: "update" } }),
  maxValueSize: () => ({ value: "1KiB", wire: 1024, next: { value: 2048, wire: 2048, rule: "update" } }),
  republish: (c) => ({
    value: { src: `$KV.${c.name}.>`, dest: `kvrp.${c.subj}.>` },
    wire: { src: `$KV.${c.name}.>`, dest: `kvrp.${c.subj}.>` },
    next: {
      value: { src: `$KV.${c.name}.>`, dest: `kvrq.${c.subj}.>`, headersOnly: true },
      wire: { src: `$KV.${c.name}.>`, dest: `kvrq.${c.subj}.>`, headers_only: true },
      rule: "update",
    },
  }),
  mirror: (c) => ({
    setup: async () => {
      await kvBucket(c.target, `${c.name}A`);
      await kvBucket(c.target, `${c.name}B`);
    },
    value: { name: `${c.name}A` },
    wire: { name: `KV_${c.name}A` },
    fill: async (_, api) => {
      await kvPut(c.target, `${c.name}A`);
      return holds(api, `KV_${c.name}`, 3);
    },
    next: {
      value: { name: `${c.name}B` },
      wire: { name: `KV_${c.name}B` },
      rule: "replace",
      serverRefuses: 10055,
    },
  }),
  sources: (c) => ({
    setup: async () => {
      await kvBucket(c.target, `${c.name}A`);
      await kvBucket(c.target, `${c.name}B`);
    },
    value: [{ name: `${c.name}A` }],
    // A source bucket's keys are rewritten into this bucket's subjects.
    wire: [
      {
        name: `KV_${c.name}A`,
        subject_transforms: [{ src: `$KV.${c.name}A.>`, dest: `$KV.${c.name}.>` }],
      },
    ],
    fill: async (_, api) => {
      await kvPut(c.target, `${c.name}A`);
      return holds(api, `KV_${c.name}`, 3);
    },
    next: {
      value: [{ name: `${c.name}A` }, { name: `${c.name}B` }],
      wire: [
        { name: `KV_${c.name}A`, subject_transforms: [{ src: `$KV.${c.name}A.>`, dest: `$KV.${c.name}.>` }] },
        { name: `KV_${c.name}B`, subject_transforms: [{ src: `$KV.${c.name}B.>`, dest: `$KV.${c.name}.>` }] },
      ],
      rule: "update",
    },
  }),
  limitMarkerTtl: () => ({
    value: "1m",
    wire: 60 * S,
    next: { value: "2m", wire: 120 * S, rule: "update" },
  }),
};

export const objectStoreExamples: Record<string, (c: Ctx) => RowExample> = { ...common };
