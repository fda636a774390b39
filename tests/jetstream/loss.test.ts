// Changes that remove messages without replacing anything (issue 14, points
// 1-3): a limit lowered below what a stream or bucket holds, a consumer
// replaced on an interest stream, a durable consumer replaced (its position).
// Each is counted by diff (the preview) before anything changes, refused
// unless agreed, and shown once agreed; messages are counted before and after.
import assert from "node:assert/strict";
import { startServer, waitFor } from "../harness";
import type { NatsServer, NatsConnection } from "../harness";
import { cores, withConnection, publish, closeSessions } from "./support";
import { DataLossError } from "../../sdk/jetstream/errors";
import type { Props } from "../../sdk/jetstream/core";

describe("data loss counted at preview: lowered limits and consumer replacements", function () {
  this.timeout(60_000);
  let server: NatsServer;
  let nc: NatsConnection;

  before(async () => {
    server = await startServer();
    nc = await server.connect();
  });
  after(async () => {
    await nc?.close();
    await closeSessions();
    await server?.stop();
  });

  const api = async (props: Props) => (await cores.stream.session(props)).api;
  const held = async (props: Props, stream: string) =>
    (await (await api(props)).streamInfo(stream)).state.messages;

  /** Asserts that diff refuses once, with the resource, the field, the count and the ways out. */
  async function refused(
    core: (typeof cores)["stream"],
    id: string,
    olds: Props,
    news: Props,
    parts: RegExp[],
  ) {
    await assert.rejects(core.diff(id, olds, news), (err: Error) => {
      assert.ok(err instanceof DataLossError, `expected DataLossError, got ${err}`);
      for (const part of parts) assert.match(err.message, part);
      assert.match(err.message, /allowDataLoss: true/);
      return true;
    });
  }

  /** Fetches `count` messages of a pull consumer, acknowledging each; returns their stream sequences. */
  async function consume(stream: string, consumer: string, count: number, ack = true): Promise<number[]> {
    const { jetstream } = await import("@nats-io/jetstream");
    const c = await jetstream(nc).consumers.get(stream, consumer);
    const seqs: number[] = [];
    while (seqs.length < count) {
      const batch = await c.fetch({ max_messages: count - seqs.length, expires: 2000 });
      for await (const m of batch) {
        seqs.push(m.seq);
        if (ack) await m.ackAck();
      }
    }
    return seqs;
  }

  describe("lowered limits", () => {
    const core = cores.stream;

    it("maxMsgs below what is held: refused with the count, then applied with allowDataLoss and a note", async () => {
      const inputs = withConnection(server, { name: "LOWMSGS", subjects: ["lowmsgs.>"] });
      const { id, outs } = await core.create(inputs);
      await publish(server, "lowmsgs.a", 10);
      const next = { ...inputs, maxMsgs: 4 };
      await refused(core, id, outs, next, [
        /^Stream LOWMSGS: /,
        /maxMsgs unlimited -> 4 removes 6 of its 10 messages/,
        /maxMsgs 10 or more/,
      ]);
      assert.equal(await held(inputs, "LOWMSGS"), 10, "nothing changed");
      const agreed = { ...next, allowDataLoss: true };
      const diff = await core.diff(id, outs, agreed);
      assert.deepEqual(diff.fields, [{ property: "maxMsgs", kind: "update" }]);
      assert.match(diff.dataLoss ?? "", /maxMsgs unlimited -> 4 removes 6 of its 10 messages/);
      const planned = await core.plannedChange(outs, agreed);
      assert.equal(
        planned.plannedDataLoss,
        "Stream LOWMSGS: maxMsgs unlimited -> 4 removes 6 of its 10 messages",
      );
      await core.update(id, outs, agreed);
      assert.equal(await held(inputs, "LOWMSGS"), 4, "the count was right");
    });

    it("maxMsgsPerSubject counts per subject", async () => {
      const inputs = withConnection(server, { name: "LOWPS", subjects: ["lowps.>"] });
      const { id, outs } = await core.create(inputs);
      await publish(server, "lowps.a", 5);
      await publish(server, "lowps.b", 2);
      await publish(server, "lowps.c", 1);
      const next = { ...inputs, maxMsgsPerSubject: 1 };
      await refused(core, id, outs, next, [
        /maxMsgsPerSubject unlimited -> 1 removes 5 of its 8 messages/,
        /maxMsgsPerSubject 5 or more/,
      ]);
      assert.equal(await held(inputs, "LOWPS"), 8);
      await core.update(id, outs, { ...next, allowDataLoss: true });
      assert.equal(await held(inputs, "LOWPS"), 3);
    });

    it("maxBytes is an estimate from the average size, said so", async () => {
      const inputs = withConnection(server, { name: "LOWBYTES", subjects: ["lowbytes.>"] });
      const { id, outs } = await core.create(inputs);
      await publish(server, "lowbytes.a", 10);
      const info = await (await api(inputs)).streamInfo("LOWBYTES");
      const perMessage = info.state.bytes / 10;
      const limit = Math.floor(perMessage * 3.5);
      const next = { ...inputs, maxBytes: limit };
      await refused(core, id, outs, next, [/maxBytes unlimited -> \d+B removes about 7 of its 10 messages/]);
      await core.update(id, outs, { ...next, allowDataLoss: true });
      assert.equal(await held(inputs, "LOWBYTES"), 3);
    });

    it("maxAge counts the messages older than the new age, by time", async () => {
      const inputs = withConnection(server, { name: "LOWAGE", subjects: ["lowage.>"] });
      const { id, outs } = await core.create(inputs);
      await publish(server, "lowage.old", 5);
      const first = Date.parse((await (await api(inputs)).streamInfo("LOWAGE")).state.first_ts);
      await waitFor(async () => (Date.now() - first > 4_000 ? true : undefined), {
        timeoutMs: 10_000,
        what: "the first messages are 4s old",
      });
      await publish(server, "lowage.new", 3);
      const next = { ...inputs, maxAge: "3s" };
      await refused(core, id, outs, next, [/maxAge unlimited -> 3s removes 5 of its 8 messages/]);
      assert.equal(await held(inputs, "LOWAGE"), 8);
      await core.update(id, outs, { ...next, allowDataLoss: true });
      assert.equal(await held(inputs, "LOWAGE"), 3);
    });

    it("controls: plain updates when nothing is lost (empty, still above, discard new, a raised limit)", async () => {
      const empty = withConnection(server, { name: "LOWEMPTY", subjects: ["lowempty.>"], maxMsgs: 100 });
      const e = await core.create(empty);
      const emptyNext = { ...empty, maxMsgs: 1, maxAge: "1s" };
      assert.deepEqual((await core.diff(e.id, e.outs, emptyNext)).dataLoss, undefined);

      const above = withConnection(server, { name: "LOWABOVE", subjects: ["lowabove.>"], maxAge: "1h" });
      const a = await core.create(above);
      await publish(server, "lowabove.x", 5);
      const aboveNext = { ...above, maxMsgs: 5, maxMsgsPerSubject: 5, maxAge: "30m" };
      const diff = await core.diff(a.id, a.outs, aboveNext);
      assert.equal(diff.dataLoss, undefined);
      await core.update(a.id, a.outs, aboveNext);
      assert.equal(await held(above, "LOWABOVE"), 5);

      // With discard "new" the server keeps what it holds and refuses new writes instead.
      const dn = withConnection(server, { name: "LOWDN", subjects: ["lowdn.>"], discard: "new" });
      const d = await core.create(dn);
      await publish(server, "lowdn.x", 10);
      const dnNext = { ...dn, maxMsgs: 2 };
      assert.equal((await core.diff(d.id, d.outs, dnNext)).dataLoss, undefined);
      await core.update(d.id, d.outs, dnNext);
      assert.equal(await held(dn, "LOWDN"), 10);

      const up = { ...above, maxAge: "2h" };
      const raised = await core.diff(a.id, aboveNext, up);
      assert.deepEqual(raised.fields, [
        { property: "maxMsgs", kind: "update" },
        { property: "maxAge", kind: "update" },
        { property: "maxMsgsPerSubject", kind: "update" },
      ]);
      await core.update(a.id, aboveNext, up);
      assert.equal(await held(above, "LOWABOVE"), 5);
    });

    it("KV ttl lowered counts the values older than the new ttl", async () => {
      const kv = cores.keyValue;
      const inputs = withConnection(server, { bucket: "lowttl", history: 5 });
      const { id, outs } = await kv.create(inputs);
      await publish(server, "$KV.lowttl.old", 3);
      const first = Date.parse((await (await api(inputs)).streamInfo("KV_lowttl")).state.first_ts);
      await waitFor(async () => (Date.now() - first > 4_000 ? true : undefined), {
        timeoutMs: 10_000,
        what: "the first values are 4s old",
      });
      await publish(server, "$KV.lowttl.new", 2);
      const next = { ...inputs, ttl: "3s" };
      await refused(kv, id, outs, next, [/^KeyValue lowttl: ttl unlimited -> 3s removes 3 of its 5 values/]);
      await kv.update(id, outs, { ...next, allowDataLoss: true });
      assert.equal(await held(inputs, "KV_lowttl"), 2);
    });

    it("KV history lowered counts the older revisions per key", async () => {
      const kv = cores.keyValue;
      const inputs = withConnection(server, { bucket: "lowhist", history: 5 });
      const { id, outs } = await kv.create(inputs);
      await publish(server, "$KV.lowhist.k1", 5);
      await publish(server, "$KV.lowhist.k2", 3);
      const next = { ...inputs, history: 2 };
      await refused(kv, id, outs, next, [/^KeyValue lowhist: history 5 -> 2 removes 4 of its 8 values/]);
      assert.equal(await held(inputs, "KV_lowhist"), 8);
      await kv.update(id, outs, { ...next, allowDataLoss: true });
      assert.equal(await held(inputs, "KV_lowhist"), 4);
    });
  });

  describe("consumer replacements", () => {
    const streams = cores.stream;
    const consumers = cores.consumer;

    /** The engine's replacement: diff (as `pulumi up` does), delete the old, create the new. */
    async function replace(id: string, olds: Props, news: Props): Promise<Props> {
      const diff = await consumers.diff(id, olds, news);
      assert.ok(diff.replaces.length, `a replacement: ${JSON.stringify(diff)}`);
      await consumers.delete(id, olds);
      return (await consumers.create(news)).outs;
    }

    it("an interest stream's only consumer replaced: refused with the count; agreed, the loss happens", async () => {
      const s = withConnection(server, { name: "INTR", subjects: ["intr.>"], retention: "interest" });
      await streams.create(s);
      const c = withConnection(server, { stream: "INTR", name: "ci", ackPolicy: "explicit" });
      const { id, outs } = await consumers.create(c);
      await publish(server, "intr.a", 10);
      assert.equal(await held(s, "INTR"), 10);
      const next = { ...c, ackPolicy: "all" };
      await refused(consumers, id, outs, next, [
        /^Consumer INTR\/ci: replacing it \(ackPolicy cannot change in place\) deletes it first/,
        /removes 10 of its 10 messages/,
        /keep ackPolicy as it is/,
      ]);
      assert.equal(await held(s, "INTR"), 10, "nothing changed");
      const agreed = { ...next, allowDataLoss: true };
      assert.match(
        (await consumers.plannedChange(outs, agreed)).plannedDataLoss ?? "",
        /removes 10 of its 10/,
      );
      await replace(id, outs, agreed);
      assert.equal(await held(s, "INTR"), 0, "the agreed loss is what the preview counted");
    });

    it("an interest stream whose other consumer needs every message: no loss, plain replacement", async () => {
      const s = withConnection(server, { name: "INTR2", subjects: ["intr2.>"], retention: "interest" });
      await streams.create(s);
      const keepAll = withConnection(server, { stream: "INTR2", name: "audit" });
      await consumers.create(keepAll);
      const c = withConnection(server, { stream: "INTR2", name: "ci", filterSubjects: ["intr2.a"] });
      const { id, outs } = await consumers.create(c);
      await publish(server, "intr2.a", 4);
      const next = { ...c, ackPolicy: "all" };
      await replace(id, outs, next);
      assert.equal(await held(s, "INTR2"), 4);
    });

    it("an interest stream whose other consumer reads other subjects: refused with an upper bound", async () => {
      const s = withConnection(server, { name: "INTR3", subjects: ["intr3.>"], retention: "interest" });
      await streams.create(s);
      await consumers.create(
        withConnection(server, { stream: "INTR3", name: "other", filterSubjects: ["intr3.b"] }),
      );
      const c = withConnection(server, { stream: "INTR3", name: "ci", filterSubjects: ["intr3.a"] });
      const { id, outs } = await consumers.create(c);
      await publish(server, "intr3.a", 3);
      await publish(server, "intr3.b", 2);
      const next = { ...c, ackPolicy: "all" };
      await refused(consumers, id, outs, next, [
        /removes up to 3 of its 5 messages that no other consumer needs/,
      ]);
      assert.equal(await held(s, "INTR3"), 5);
      await replace(id, outs, { ...next, allowDataLoss: true });
      assert.equal(await held(s, "INTR3"), 2, "the other consumer's messages stay");
    });

    it("a durable consumer replaced keeps its ack floor: no redelivery, nothing pending skipped", async () => {
      const s = withConnection(server, { name: "POS", subjects: ["pos.>"] });
      await streams.create(s);
      const c = withConnection(server, { stream: "POS", name: "worker", ackPolicy: "explicit" });
      const { id, outs } = await consumers.create(c);
      await publish(server, "pos.a", 10);
      assert.deepEqual(await consume("POS", "worker", 4), [1, 2, 3, 4]);
      await replace(id, outs, { ...c, ackPolicy: "all" });
      const ci = await (await api(s)).consumerInfo("POS", "worker");
      assert.equal(ci.config.ack_policy, "all");
      assert.equal(ci.ack_floor.stream_seq, 4, "the position is kept");
      assert.equal(ci.num_pending, 6, "nothing pending is skipped");
      assert.equal(ci.config.pause_until, undefined, "not left paused");
      assert.deepEqual(await consume("POS", "worker", 6), [5, 6, 7, 8, 9, 10], "no redelivery");
    });

    it("a work-queue stream's consumer replaced keeps the messages and its position", async () => {
      const s = withConnection(server, { name: "WQ", subjects: ["wq.>"], retention: "workqueue" });
      await streams.create(s);
      const c = withConnection(server, { stream: "WQ", name: "jobs", ackPolicy: "explicit", maxDeliver: 5 });
      const { id, outs } = await consumers.create(c);
      await publish(server, "wq.a", 6);
      await consume("WQ", "jobs", 2);
      await waitFor(async () => ((await held(s, "WQ")) === 4 ? true : undefined), {
        timeoutMs: 10_000,
        what: "acknowledged work removed",
      });
      await replace(id, outs, { ...c, deliverSubject: "deliver.wq" });
      assert.equal(await held(s, "WQ"), 4);
      const ci = await (await api(s)).consumerInfo("WQ", "jobs");
      assert.equal(ci.num_pending, 4);
    });

    it("a changed deliverPolicy cannot keep the position: refused with the messages skipped", async () => {
      const s = withConnection(server, { name: "POSNEW", subjects: ["posnew.>"] });
      await streams.create(s);
      const c = withConnection(server, { stream: "POSNEW", name: "worker" });
      const { id, outs } = await consumers.create(c);
      await publish(server, "posnew.a", 10);
      await consume("POSNEW", "worker", 3);
      const next = { ...c, deliverPolicy: "new" };
      await refused(consumers, id, outs, next, [
        /^Consumer POSNEW\/worker: replacing it \(deliverPolicy cannot change in place\) loses its position/,
        /ack floor 3/,
        /skips the messages it had not processed: 7 messages/,
      ]);
      // Another change that leaves the start alone keeps the position.
      await replace(id, outs, { ...c, ackPolicy: "all" });
      const ci = await (await api(s)).consumerInfo("POSNEW", "worker");
      assert.equal(ci.ack_floor.stream_seq, 3);
      const redo = { ...c, ackPolicy: "all" };
      const allAgain = { ...redo, deliverPolicy: "by_start_sequence", optStartSeq: 1 };
      await refused(consumers, id, redo, allAgain, [/loses its position/, /up to 10 messages/]);
    });
  });
});
