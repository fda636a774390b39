// One example per row of the stream table: a non-default value, what the
// server must store for it, and a change with the rule the server applies.
// tests/jetstream/stream-table.test.ts fails when a row has no example here.
import assert from "node:assert/strict";
import { streamFields } from "../../sdk/jetstream/tables/stream";
import type { Ctx, RowExample, RawApi, StreamLikeSuite, Target } from "./table-runner";
import { fillSubject } from "./table-runner";
import { cores, withConnection } from "./support";
import { ErrorCode } from "../../sdk/jetstream/errors";
import { waitFor } from "../harness";

const S = 1e9;

/** A memory stream on `<subj>o.>` other streams can mirror or source. */
async function origin(api: RawApi, name: string, subject: string, extra: Record<string, unknown> = {}) {
  await api.streamCreate({ name, subjects: [`${subject}.>`], storage: "memory", ...extra });
}

async function messages(api: RawApi, stream: string): Promise<number> {
  return (await api.streamInfo(stream)).state.messages;
}

/** Waits until `stream` holds `count` messages (mirrors and sources copy asynchronously). */
export async function holds(api: RawApi, stream: string, count: number): Promise<number> {
  await waitFor(async () => ((await messages(api, stream)) === count ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 20,
    what: `${stream} to hold ${count} messages`,
  });
  return count;
}

/** Core NATS publishes (no acknowledgement: for no_ack streams). */
async function publishNoAck(target: Target, subject: string, count: number) {
  const nc = await target.connect();
  for (let i = 0; i < count; i++) nc.publish(subject, `m${i}`);
  await nc.flush();
  await nc.close();
}

/**
 * Waits until `stream` runs on `server` alone. While a stream moves it may
 * have no leader and not answer STREAM.INFO, so ask with a short timeout.
 */
export async function movedTo(target: Target, stream: string, server: string): Promise<void> {
  const nc = await target.connect();
  try {
    await waitFor(
      async () => {
        const reply = await nc.request(`$JS.API.STREAM.INFO.${stream}`, undefined, { timeout: 250 });
        const info = reply.json<{ cluster?: { leader?: string; replicas?: unknown[] } }>();
        return info.cluster?.leader === server && !info.cluster.replicas?.length ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `${stream} to run on ${server} alone` },
    );
  } finally {
    await nc.close();
  }
}

export function streamSuite(): StreamLikeSuite {
  return {
    core: cores.stream,
    rows: streamFields,
    base: (c) => ({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
    stream: (c) => c.name,
    wireOf: (key) => streamFields.find((r) => r.key === key)!.wire,
    fill: (c) => fillSubject(c.target, `${c.subj}.x`),
  };
}

export const streamExamples: Record<string, (c: Ctx) => RowExample> = {
  description: () => ({
    value: "first",
    wire: "first",
    next: { value: "second", wire: "second", rule: "update" },
  }),
  subjects: (c) => ({
    value: [`${c.subj}.a`, `${c.subj}.b`],
    wire: [`${c.subj}.a`, `${c.subj}.b`],
    fill: () => fillSubject(c.target, `${c.subj}.a`),
    next: { value: [`${c.subj}.a`, `${c.subj}.c`], wire: [`${c.subj}.a`, `${c.subj}.c`], rule: "update" },
  }),
  retention: (c) => ({
    value: "interest",
    wire: "interest",
    // Interest retention keeps messages only while a consumer has not acknowledged them.
    fill: async (_, api) => {
      await api.consumerCreate(c.name, { durable_name: "C", ack_policy: "explicit" }, "create");
      return fillSubject(c.target, `${c.subj}.x`);
    },
    // limits <-> interest changes in place (workqueue: see the stream-table tests).
    next: { value: "limits", wire: "limits", rule: "update" },
  }),
  storage: () => ({
    base: { storage: undefined },
    value: "memory",
    wire: "memory",
    next: { value: "file", wire: "file", rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  replicas: () => ({
    cluster: true,
    value: 3,
    wire: 3,
    next: { value: 1, wire: 1, rule: "update" },
  }),
  maxConsumers: () => ({
    value: 10,
    wire: 10,
    // Updatable from 2.12.5: this is 2.14.2.
    next: { value: 20, wire: 20, rule: "update" },
  }),
  maxMsgs: () => ({ value: 1000, wire: 1000, next: { value: 2000, wire: 2000, rule: "update" } }),
  maxBytes: () => ({
    value: "1MiB",
    wire: 1024 * 1024,
    next: { value: "2MB", wire: 2 * 1024 * 1024, rule: "update" },
  }),
  maxAge: () => ({ value: "1h", wire: 3600 * S, next: { value: "90m", wire: 5400 * S, rule: "update" } }),
  maxMsgsPerSubject: () => ({ value: 5, wire: 5, next: { value: 10, wire: 10, rule: "update" } }),
  maxMsgSize: () => ({ value: "1KiB", wire: 1024, next: { value: 2048, wire: 2048, rule: "update" } }),
  discard: () => ({ value: "new", wire: "new", next: { value: "old", wire: "old", rule: "update" } }),
  discardNewPerSubject: () => ({
    base: { discard: "new", maxMsgsPerSubject: 5 },
    value: true,
    wire: true,
    next: { value: false, wire: false, rule: "update" },
  }),
  noAck: (c) => ({
    value: true,
    wire: true,
    fill: async (_, api) => {
      await publishNoAck(c.target, `${c.subj}.x`, 3);
      return holds(api, c.name, 3);
    },
    next: { value: false, wire: false, rule: "update" },
  }),
  duplicateWindow: () => ({
    value: "30s",
    wire: 30 * S,
    next: { value: "1.5m", wire: 90 * S, rule: "update" },
  }),
  placement: () => ({
    cluster: true,
    value: { tags: ["az:b"] },
    wire: { tags: ["az:b"] },
    next: {
      value: { tags: ["az:c"] },
      wire: { tags: ["az:c"] },
      rule: "update",
      // The stream moves from n2 (az:b) to n3 (az:c), messages and all.
      settle: (c, stream) => movedTo(c.target, stream, "n3"),
    },
  }),
  mirror: (c) => ({
    base: { subjects: undefined },
    setup: (_, api) => origin(api, `${c.name}O`, `${c.subj}o`),
    value: { name: `${c.name}O` },
    wire: { name: `${c.name}O` },
    fill: async (_, api) => {
      await fillSubject(c.target, `${c.subj}o.x`);
      return holds(api, c.name, 3);
    },
    // Removing the mirror promotes the stream in place from 2.12.
    next: { value: undefined, wire: undefined, rule: "update" },
  }),
  sources: (c) => ({
    setup: async (_, api) => {
      await origin(api, `${c.name}S1`, `${c.subj}s1`);
      await origin(api, `${c.name}S2`, `${c.subj}s2`);
    },
    value: [{ name: `${c.name}S1` }],
    wire: [{ name: `${c.name}S1` }],
    fill: async (_, api) => {
      await fillSubject(c.target, `${c.subj}s1.x`);
      return holds(api, c.name, 3);
    },
    next: {
      value: [{ name: `${c.name}S1` }, { name: `${c.name}S2`, filterSubject: `${c.subj}s2.a` }],
      wire: [{ name: `${c.name}S1` }, { name: `${c.name}S2`, filter_subject: `${c.subj}s2.a` }],
      rule: "update",
    },
  }),
  compression: () => ({
    base: { storage: "file" },
    value: "s2",
    wire: "s2",
    next: { value: "none", wire: "none", rule: "update" },
  }),
  firstSeq: () => ({
    value: 100,
    wire: 100,
    check: (info) => assert.equal(info.state.first_seq, 100),
    next: {
      value: 200,
      wire: 200,
      rule: "replace",
      // Honoured only at creation: an update does not move the first sequence.
      serverIgnores: (info) => assert.equal(info.state.first_seq, 100),
    },
  }),
  subjectTransform: (c) => ({
    value: { src: `${c.subj}.>`, dest: `${c.subj}.t.>` },
    wire: { src: `${c.subj}.>`, dest: `${c.subj}.t.>` },
    next: {
      value: { src: `${c.subj}.>`, dest: `${c.subj}.u.>` },
      wire: { src: `${c.subj}.>`, dest: `${c.subj}.u.>` },
      rule: "update",
    },
  }),
  republish: (c) => ({
    value: { src: `${c.subj}.>`, dest: `rp${c.subj}.>` },
    wire: { src: `${c.subj}.>`, dest: `rp${c.subj}.>` },
    next: {
      value: { src: `${c.subj}.>`, dest: `rq${c.subj}.>`, headersOnly: true },
      wire: { src: `${c.subj}.>`, dest: `rq${c.subj}.>`, headers_only: true },
      rule: "update",
    },
  }),
  allowDirect: () => ({ value: true, wire: true, next: { value: false, wire: false, rule: "update" } }),
  mirrorDirect: (c) => ({
    setup: (_, api) => origin(api, `${c.name}O`, `${c.subj}o`, { allow_direct: true }),
    base: { subjects: undefined, mirror: { name: `${c.name}O` } },
    value: true,
    wire: true,
    noNext:
      "a mirror's mirror_direct follows its origin's allow_direct; pedantic mode refuses any other value (tested apart)",
  }),
  allowRollup: () => ({ value: true, wire: true, next: { value: false, wire: false, rule: "update" } }),
  denyDelete: () => ({
    value: true,
    wire: true,
    viaUpdate: true,
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  denyPurge: () => ({
    value: true,
    wire: true,
    viaUpdate: true,
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  sealed: () => ({
    value: true,
    wire: true,
    viaUpdate: true,
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  consumerLimits: () => ({
    value: { inactiveThreshold: "1h", maxAckPending: 100 },
    wire: { inactive_threshold: 3600 * S, max_ack_pending: 100 },
    next: {
      value: { inactiveThreshold: "2h", maxAckPending: 200 },
      wire: { inactive_threshold: 7200 * S, max_ack_pending: 200 },
      rule: "update",
    },
  }),
  allowMsgTtl: () => ({
    value: true,
    wire: true,
    viaUpdate: true,
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  subjectDeleteMarkerTtl: () => ({
    base: { allowMsgTtl: true, allowRollup: true },
    value: "1m",
    wire: 60 * S,
    next: { value: "2m", wire: 120 * S, rule: "update" },
  }),
  allowMsgCounter: (c) => ({
    value: true,
    wire: true,
    // A counter stream takes increments only.
    fill: async (_, api) => {
      const nc = await c.target.connect();
      const { jetstream } = await import("@nats-io/jetstream");
      const { headers } = await import("@nats-io/nats-core");
      const js = jetstream(nc);
      for (const key of ["a", "b", "c"]) {
        const h = headers();
        h.set("Nats-Incr", "+1");
        await js.publish(`${c.subj}.${key}`, undefined, { headers: h });
      }
      await nc.close();
      return messages(api, c.name);
    },
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  allowAtomic: () => ({ value: true, wire: true, next: { value: false, wire: false, rule: "update" } }),
  allowMsgSchedules: () => ({
    base: { allowRollup: true },
    value: true,
    wire: true,
    viaUpdate: true,
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.StreamInvalidConfig },
  }),
  persistMode: () => ({
    base: { storage: "file" },
    value: "async",
    wire: "async",
    // The server leaves the default mode out of its JSON.
    next: {
      value: "default",
      wire: undefined,
      rule: "replace",
      serverRefuses: ErrorCode.StreamInvalidConfig,
    },
  }),
  allowBatched: () => ({ value: true, wire: true, next: { value: false, wire: false, rule: "update" } }),
  metadata: () => ({
    value: { team: "a" },
    wire: { team: "a" },
    next: { value: { team: "b", env: "x" }, wire: { team: "b", env: "x" }, rule: "update" },
  }),
};

/** Inputs of a stream on a target, for tests outside the table. */
export function streamInputs(target: Target, config: Record<string, unknown>, extra = {}) {
  return withConnection(target, { storage: "memory", ...config }, extra);
}
