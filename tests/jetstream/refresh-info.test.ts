// Issue 18, "outputs a program can act on": what a refresh reads into the
// `info` output of streams and consumers, on real servers while messages are
// published and consumed without acknowledgement. Every read costs one API
// call (the one a refresh already makes), moves with the load, and never
// makes a diff nor drifts an input.
import assert from "node:assert/strict";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { awaitStreamInterest, startCluster, startServer, waitFor } from "../harness";
import type { NatsCluster, NatsConnection, NatsServer } from "../harness";
import { apiCalls } from "../../sdk/jetstream/api";
import type { Props } from "../../sdk/jetstream/core";
import type { ConsumerInfoOutput, StreamInfoOutput } from "../../sdk/jetstream/tables/info";
import { consumerInfoFields, streamInfoFields } from "../../sdk/codegen/info";
import { closeSessions, cores, withConnection } from "./support";
import { kvPut } from "./bucket-examples";

type Target = NatsServer | NatsCluster;

/**
 * Reads an asset as refresh does, and checks what refresh must keep: one API
 * call, the inputs untouched (no drift), no change for the next preview, and
 * only declared keys in `info`.
 */
async function refresh<T>(core: typeof cores.stream, id: string, outs: Props, inputs: Props): Promise<T> {
  const before = apiCalls.count;
  const read = await core.read(id, outs);
  assert.equal(apiCalls.count - before, 1, "a refresh reads the asset in one API call");
  assert.ok(read, `${id} was not found`);
  const { info, ...rest } = read.props;
  const { info: _old, ...recorded } = outs;
  assert.deepEqual(rest, recorded, "a refresh under load records no drift");
  const diff = await core.diff(id, read.props, inputs);
  assert.equal(diff.changes, false, `a moved counter makes no change: ${JSON.stringify(diff)}`);
  const declared = (core === cores.consumer ? consumerInfoFields : streamInfoFields).map((f) => f.key);
  assert.deepEqual(
    Object.keys(info as Props).filter((k) => !declared.includes(k)),
    [],
    "info keys not declared in the table",
  );
  return info as T;
}

/** Publishes `count` messages, `inFlight` at a time, and waits for every acknowledgement. */
async function publishLoad(
  js: JetStreamClient,
  subject: string,
  count: number,
  inFlight = 50,
): Promise<void> {
  for (let sent = 0; sent < count; sent += inFlight) {
    const batch = Math.min(inFlight, count - sent);
    await Promise.all(Array.from({ length: batch }, (_, i) => js.publish(subject, `m${sent + i}`)));
  }
}

/** Fetches exactly `count` messages (pull), without acknowledging them. */
async function fetchUnacked(js: JetStreamClient, stream: string, consumer: string, count: number) {
  const c = await js.consumers.get(stream, consumer);
  const got: JsMsg[] = [];
  while (got.length < count) {
    for await (const m of await c.fetch({ max_messages: count - got.length, expires: 2000 })) got.push(m);
  }
  return got;
}

async function clientsFor(target: Target) {
  const nc: NatsConnection = await target.connect();
  const { jetstream, jetstreamManager } = await import("@nats-io/jetstream");
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

describe("refresh info under load: a single server", function () {
  this.timeout(120_000);
  let server: NatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;

  before(async () => {
    server = await startServer({ maxFileStore: "1GB", maxMemoryStore: "256MB" });
    ({ nc, js } = await clientsFor(server));
  });
  after(async () => {
    await nc?.close();
    await closeSessions();
    await server?.stop();
  });

  it("shows the stream's messages and the consumer's pending grow while nothing is acknowledged", async () => {
    const streamInputs = withConnection(server, { name: "LAG", subjects: ["lag.>"] });
    const stream = await cores.stream.create(streamInputs);
    const empty = stream.outs.info as StreamInfoOutput;
    assert.equal(empty.messages, 0);
    assert.equal(empty.firstTimestamp, undefined, "an empty stream has no first message");
    assert.equal(empty.lastTimestamp, undefined, "nor a last one");
    assert.equal(empty.consumerCount, 0);

    const consumerInputs = withConnection(server, {
      stream: "LAG",
      name: "slow",
      ackPolicy: "explicit",
      ackWait: "1s",
      // Once 100 are unacknowledged, only redeliveries go out (consumer.go, getNextMsg).
      maxAckPending: 100,
    });
    const consumer = await cores.consumer.create(consumerInputs);
    assert.equal((consumer.outs.info as ConsumerInfoOutput).pending, 0);

    // Step by step: each refresh shows exactly what was published before it.
    for (const step of [1, 2, 3]) {
      await publishLoad(js, step === 2 ? "lag.b" : "lag.a", 100);
      const s = await refresh<StreamInfoOutput>(cores.stream, stream.id, stream.outs, streamInputs);
      const c = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
      assert.deepEqual([s.messages, s.lastSeq, c.pending], [step * 100, step * 100, step * 100]);
    }

    // Publishers keep the server busy while the refreshes read: every read
    // sees at least what was acknowledged before it and at most the total.
    const total = 600;
    let acknowledged = 300;
    const load = (async () => {
      for (let sent = 300; sent < total; sent += 50) {
        await publishLoad(js, sent % 100 === 0 ? "lag.a" : "lag.b", 50, 25);
        acknowledged = sent + 50;
      }
    })();
    const seen: number[] = [];
    do {
      const floor = acknowledged;
      const s = await refresh<StreamInfoOutput>(cores.stream, stream.id, stream.outs, streamInputs);
      const c = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
      assert.ok(s.messages >= floor && s.messages <= total, `stream messages ${s.messages}, ${floor} acked`);
      assert.ok(c.pending >= floor && c.pending <= total, `consumer pending ${c.pending}, ${floor} acked`);
      seen.push(s.messages);
    } while (acknowledged < total);
    await load;
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      "the stream's messages never go backwards",
    );

    const s = await refresh<StreamInfoOutput>(cores.stream, stream.id, stream.outs, streamInputs);
    assert.equal(s.messages, total);
    assert.equal(s.firstSeq, 1);
    assert.equal(s.lastSeq, total);
    assert.equal(s.subjectCount, 2, "lag.a and lag.b");
    assert.equal(s.consumerCount, 1);
    assert.equal(s.deletedCount, 0);
    assert.ok(s.bytes > total * 10, `bytes ${s.bytes}`);
    assert.ok(s.firstTimestamp && s.lastTimestamp, "timestamps of the first and last message");
    assert.ok(Date.parse(s.firstTimestamp) <= Date.parse(s.lastTimestamp));
    const c0 = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
    assert.deepEqual(
      {
        pending: c0.pending,
        ackPending: c0.ackPending,
        delivered: c0.deliveredStreamSeq,
        ackFloor: c0.ackFloorStreamSeq,
      },
      { pending: total, ackPending: 0, delivered: 0, ackFloor: 0 },
    );

    // Delivered, never acknowledged: pending turns into ack pending, the ack floor stays.
    const first = await fetchUnacked(js, "LAG", "slow", 100);
    const c1 = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
    assert.deepEqual(
      {
        pending: c1.pending,
        ackPending: c1.ackPending,
        deliveredStreamSeq: c1.deliveredStreamSeq,
        deliveredConsumerSeq: c1.deliveredConsumerSeq,
        ackFloorStreamSeq: c1.ackFloorStreamSeq,
        redelivered: c1.redelivered,
      },
      {
        pending: total - 100,
        ackPending: 100,
        deliveredStreamSeq: 100,
        deliveredConsumerSeq: 100,
        ackFloorStreamSeq: 0,
        redelivered: 0,
      },
    );
    assert.equal(first.length, 100);

    // After ackWait (1s) the server delivers them again (the fetch waits for it): redeliveries climb.
    const again = await fetchUnacked(js, "LAG", "slow", 10);
    assert.ok(
      again.every((m) => m.info.redelivered),
      "the first messages come back",
    );
    const c2 = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
    assert.ok(c2.redelivered >= 10, `redelivered ${c2.redelivered}`);
    assert.ok(c2.deliveredConsumerSeq >= 110, "the consumer's own sequence counts redeliveries");
    assert.equal(c2.deliveredStreamSeq, 100, "no new message was delivered");

    // Acknowledged: the ack floor moves up to the first gap.
    for (const m of again.sort((a, b) => a.seq - b.seq)) await m.ackAck();
    const c3 = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
    assert.equal(c3.ackFloorStreamSeq, 10);
    assert.ok(c3.ackFloorConsumerSeq > 0);
    assert.equal(c3.ackPending, 90);

    // A message removed in the middle: a gap counted by deletedCount.
    const { jetstreamManager } = await import("@nats-io/jetstream");
    await (await jetstreamManager(nc)).streams.deleteMessage("LAG", 300);
    const s2 = await refresh<StreamInfoOutput>(cores.stream, stream.id, stream.outs, streamInputs);
    assert.equal(s2.deletedCount, 1);
    assert.equal(s2.messages, total - 1);
  });

  it("reads a KV bucket's values and keys as its stream's messages and subjects", async () => {
    const inputs = withConnection(server, { bucket: "flags", history: 3 });
    const { id, outs } = await cores.keyValue.create(inputs);
    assert.equal((outs.info as StreamInfoOutput).streamName, "KV_flags");
    await kvPut(server, "flags", 4);
    await kvPut(server, "flags", 4);
    const info = await refresh<StreamInfoOutput>(cores.keyValue, id, outs, inputs);
    assert.deepEqual(
      [info.messages, info.subjectCount, info.lastSeq],
      [8, 4, 8],
      "two revisions of four keys",
    );
  });

  it("counts pull requests waiting on an idle consumer", async () => {
    const streamInputs = withConnection(server, { name: "IDLE", subjects: ["idle.>"] });
    await cores.stream.create(streamInputs);
    const inputs = withConnection(server, { stream: "IDLE", name: "waiter", ackPolicy: "explicit" });
    const { id, outs } = await cores.consumer.create(inputs);
    assert.equal((outs.info as ConsumerInfoOutput).waiting, 0);
    const c = await js.consumers.get("IDLE", "waiter");
    // Iterated at once, so the pull request is sent now and waits on the server.
    const received = (async () => {
      for await (const m of await c.fetch({ max_messages: 1, expires: 30_000 })) {
        m.ack();
        return m.subject;
      }
      return undefined;
    })();
    const waiting = await waitFor(
      async () => {
        const info = await refresh<ConsumerInfoOutput>(cores.consumer, id, outs, inputs);
        return info.waiting === 1 ? info : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: "the pull request to be counted" },
    );
    assert.equal(waiting.pending, 0);
    await js.publish("idle.x", "wake up");
    assert.equal(await received, "idle.x", "the waiting request got the message");
  });
});

describe("refresh info under load: a 3-node cluster", function () {
  this.timeout(120_000);
  let cluster: NatsCluster;

  before(async () => {
    cluster = await startCluster({ size: 3, maxFileStore: "1GB", maxMemoryStore: "256MB" });
  });
  after(async () => {
    await closeSessions();
    await cluster?.destroy();
  });

  it("reads replicated counters and the leaders of the stream and the consumer", async () => {
    const streamInputs = withConnection(cluster, { name: "REPL", subjects: ["repl.>"], replicas: 3 });
    const stream = await cores.stream.create(streamInputs);
    const consumerInputs = withConnection(cluster, { stream: "REPL", name: "r3", ackPolicy: "explicit" });
    const consumer = await cores.consumer.create(consumerInputs);
    const { nc, js } = await clientsFor(cluster);
    try {
      await awaitStreamInterest(nc, "repl.a");
      await publishLoad(js, "repl.a", 300);
      await fetchUnacked(js, "REPL", "r3", 50);
      const s = await refresh<StreamInfoOutput>(cores.stream, stream.id, stream.outs, streamInputs);
      const c = await refresh<ConsumerInfoOutput>(cores.consumer, consumer.id, consumer.outs, consumerInputs);
      assert.equal(s.messages, 300);
      assert.equal(s.consumerCount, 1);
      assert.ok(s.leader && s.cluster, "the stream's leader and cluster");
      assert.deepEqual(
        { pending: c.pending, ackPending: c.ackPending, delivered: c.deliveredStreamSeq },
        { pending: 250, ackPending: 50, delivered: 50 },
      );
      assert.ok(c.leader && c.cluster === s.cluster, "the consumer's leader and cluster");
    } finally {
      await nc.close();
    }
  });
});
