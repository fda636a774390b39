// Adoption, deletion, precise durations and sizes, and consumers that work
// with the JetStream client, against a real server.
import assert from "node:assert/strict";
import { startServer, natsCli } from "../harness";
import type { NatsServer } from "../harness";
import { DataLossError, ErrorCode, JetStreamApiError } from "../../sdk/jetstream/errors";
import { closeSessions, cores, publish, withConnection } from "./support";
import { ctxFor } from "./table-runner";
import { sizeUnitsChange } from "../../sdk/jetstream/dynamic-handlers";

describe("lifecycle: adoption, deletion, units, consumers at work", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const stream = cores.stream;
  const consumer = cores.consumer;

  before(async () => {
    server = await startServer({ maxFileStore: "100GB", maxMemoryStore: "1GB" });
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });
  const api = async () => (await stream.session(withConnection(server, {}))).api;

  describe("adoption", () => {
    it("create fails with a clear message when a different stream exists; adopt takes it over in place", async () => {
      const c = ctxFor("AD", server);
      await (
        await api()
      ).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory", max_age: 3600e9 });
      await publish(server, `${c.subj}.x`, 7);
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`, `${c.subj}2.>`],
        storage: "memory",
        maxAge: "2h",
        description: "now managed",
      });
      await assert.rejects(stream.create(inputs), (err: Error) => {
        assert.match(err.message, new RegExp(`${c.name}.*already exists`));
        assert.match(err.message, /adopt: true/);
        return true;
      });
      const { id, outs } = await stream.create({ ...inputs, adopt: true });
      const info = await (await api()).streamInfo(c.name);
      assert.equal(info.state.messages, 7, "adopting kept the messages");
      assert.equal(info.config.max_age, 7200e9);
      assert.equal(info.config.description, "now managed");
      assert.deepEqual(info.config.subjects, [`${c.subj}.>`, `${c.subj}2.>`]);
      assert.equal((await stream.diff(id, outs, { ...inputs, adopt: true })).changes, false);
    });

    it("adopt refuses a replace-only difference, naming it, and changes nothing", async () => {
      const c = ctxFor("AR", server);
      await (await api()).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory" });
      await publish(server, `${c.subj}.x`, 2);
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "file",
        description: "x",
        adopt: true,
      });
      await assert.rejects(stream.create(inputs), (err: Error) => {
        assert.match(err.message, /adopting it would need a replacement/);
        assert.match(err.message, /storage/);
        return true;
      });
      const info = await (await api()).streamInfo(c.name);
      assert.equal(info.config.storage, "memory");
      assert.equal(info.config.description ?? "", "");
      assert.equal(info.state.messages, 2);
    });

    it("adopts an existing consumer with a different configuration", async () => {
      const c = ctxFor("AC", server);
      await (await api()).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory" });
      await (
        await api()
      ).consumerCreate(c.name, { durable_name: "w", ack_policy: "explicit", ack_wait: 10e9 }, "create");
      const inputs = withConnection(server, { stream: c.name, name: "w", ackWait: "45s", maxDeliver: 3 });
      await assert.rejects(consumer.create(inputs), /already exists.*adopt: true/s);
      const { id, outs } = await consumer.create({ ...inputs, adopt: true });
      const info = await (await api()).consumerInfo(c.name, "w");
      assert.equal(info.config.ack_wait, 45e9);
      assert.equal(info.config.max_deliver, 3);
      assert.equal((await consumer.diff(id, outs, { ...inputs, adopt: true })).changes, false);
      // A replace-only difference (ack policy) is refused.
      const other = withConnection(server, { stream: c.name, name: "w", ackPolicy: "all", adopt: true });
      await assert.rejects(consumer.create(other), /ackPolicy/);
    });
  });

  describe("deletion", () => {
    it("refuses to delete a stream holding messages unless allowDataLoss; idempotent once gone", async () => {
      const c = ctxFor("DL", server);
      const inputs = withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" });
      const { id, outs } = await stream.create(inputs);
      await publish(server, `${c.subj}.x`, 5);
      await assert.rejects(stream.delete(id, outs), (err: Error) => {
        assert.ok(err instanceof DataLossError);
        assert.match(err.message, /holds 5 messages/);
        assert.match(err.message, /allowDataLoss/);
        return true;
      });
      assert.equal((await (await api()).streamInfo(c.name)).state.messages, 5, "still there");
      await stream.delete(id, { ...outs, allowDataLoss: true });
      await assert.rejects(
        (await api()).streamInfo(c.name),
        (e: JetStreamApiError) => e.code === ErrorCode.StreamNotFound,
      );
      await stream.delete(id, outs);
      await stream.delete(id, { ...outs, allowDataLoss: true });
    });

    it("an empty stream deletes without allowDataLoss; consumers delete idempotently, even with their stream gone", async () => {
      const c = ctxFor("DE", server);
      const s = await stream.create(
        withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
      );
      const k = await consumer.create(withConnection(server, { stream: c.name, name: "k" }));
      await consumer.delete(k.id, k.outs);
      await consumer.delete(k.id, k.outs);
      await stream.delete(s.id, s.outs);
      await consumer.delete(k.id, k.outs);
      assert.equal(await consumer.read(k.id, k.outs), undefined);
      assert.equal(await stream.read(s.id, s.outs), undefined);
    });
  });

  describe("server refusals name the field to change", () => {
    it("subjects overlapping another stream, at create and at update", async () => {
      const c = ctxFor("OV", server);
      await stream.create(
        withConnection(server, { name: `${c.name}A`, subjects: [`${c.subj}.a.>`], storage: "memory" }),
      );
      const b = withConnection(server, {
        name: `${c.name}B`,
        subjects: [`${c.subj}.*.x`],
        storage: "memory",
      });
      await assert.rejects(stream.create(b), /^ServerRefusalError: subjects: .*another stream/);
      const ok = withConnection(server, {
        name: `${c.name}B`,
        subjects: [`${c.subj}.b.>`],
        storage: "memory",
      });
      const { id, outs } = await stream.create(ok);
      await assert.rejects(
        stream.update(id, outs, { ...ok, subjects: [`${c.subj}.>`] }),
        /^ServerRefusalError: subjects: /,
      );
    });

    it("maxBytes beyond the server's storage", async () => {
      const c = ctxFor("BIG", server);
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "memory",
        maxBytes: "2GB",
      });
      await assert.rejects(stream.create(inputs), /maxBytes/);
      await assert.rejects(
        (await api()).streamInfo(c.name),
        (e: JetStreamApiError) => e.code === ErrorCode.StreamNotFound,
      );
    });

    it("maxBytes beyond the server's file storage", async () => {
      const c = ctxFor("BIGF", server);
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "file",
        maxBytes: "200GB",
      });
      await assert.rejects(stream.create(inputs), /maxBytes/);
    });

    it("a consumer on a stream that does not exist", async () => {
      const inputs = withConnection(server, { stream: "NO_SUCH_STREAM", name: "c" });
      await assert.rejects(consumer.create(inputs), /stream not found/);
    });
  });

  describe("durations and sizes", () => {
    it("sub-second durations survive the round trip with no diff (1.5s, 250ms, 100us, 1ns)", async () => {
      const c = ctxFor("DU", server);
      const sIn = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "memory",
        maxAge: "1.5s",
        duplicateWindow: "250ms",
      });
      const s = await stream.create(sIn);
      const kIn = withConnection(server, {
        stream: c.name,
        name: "precise",
        ackWait: "100us",
        inactiveThreshold: "1h0m0.000000001s",
        maxExpires: "1.25s",
      });
      const k = await consumer.create(kIn);
      const raw = await (await api()).streamInfo(c.name);
      assert.equal(raw.config.max_age, 1_500_000_000);
      assert.equal(raw.config.duplicate_window, 250_000_000);
      const rawK = await (await api()).consumerInfo(c.name, "precise");
      assert.equal(rawK.config.ack_wait, 100_000);
      assert.equal(rawK.config.inactive_threshold, 3600e9 + 1);
      assert.equal(rawK.config.max_expires, 1_250_000_000);
      for (const [core, r, inputs] of [
        [stream, s, sIn],
        [consumer, k, kIn],
      ] as const) {
        assert.equal((await core.diff(r.id, r.outs, inputs)).changes, false);
        const read = await core.read(r.id, r.outs);
        assert.equal((await core.diff(r.id, read!.props, inputs)).changes, false);
      }
      const read = await stream.read(s.id, s.outs);
      assert.equal(read!.props.maxAge, "1.5s", "no drift recorded");
      // The same duration written another way is no change; a nanosecond is.
      assert.equal(
        (await stream.diff(s.id, s.outs, { ...sIn, maxAge: "1500ms", duplicateWindow: 250 })).changes,
        false,
      );
      const ns = await stream.diff(s.id, s.outs, { ...sIn, maxAge: "1.500000001s" });
      assert.deepEqual(ns.fields, [{ property: "maxAge", kind: "update" }]);
    });

    it("times keep nanoseconds and any offset, in the server's UTC form, with no drift on refresh", async () => {
      const c = ctxFor("TI", server);
      await stream.create(
        withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
      );
      const inputs = withConnection(server, {
        stream: c.name,
        name: "timed",
        deliverPolicy: "by_start_time",
        optStartTime: "2026-01-01T02:00:00.123456789+02:00",
        pauseUntil: "2099-12-31T23:59:59.000Z",
      });
      const { id, outs } = await consumer.create(inputs);
      const raw = await (await api()).consumerInfo(c.name, "timed");
      assert.equal(raw.config.opt_start_time, "2026-01-01T00:00:00.123456789Z");
      assert.equal(raw.config.pause_until, "2099-12-31T23:59:59Z");
      assert.equal((await consumer.diff(id, outs, inputs)).changes, false);
      const read = await consumer.read(id, outs);
      assert.deepEqual(consumer.config(read!.props), consumer.config(outs), "no drift recorded");
      // A nanosecond later is another start time: a replacement.
      const later = { ...inputs, optStartTime: "2026-01-01T00:00:00.12345679Z" };
      assert.deepEqual((await consumer.diff(id, outs, later)).replaces, ["optStartTime"]);
    });

    it("sizes follow NATS: 10GB is 10GiB; the ambiguous 10G is refused naming the field", async () => {
      const c = ctxFor("SZ", server);
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "file",
        maxBytes: "10GB",
      });
      const { id, outs } = await stream.create(inputs);
      assert.equal((await (await api()).streamInfo(c.name)).config.max_bytes, 1024 * 1024 * 1024 * 10);
      for (const same of [1024 * 1024 * 1024 * 10, "10GiB", "10Gi", "10240MB", "10gb"]) {
        const diff = await stream.diff(id, outs, { ...inputs, maxBytes: same });
        assert.equal(diff.changes, false, `${same}: ${JSON.stringify(diff)}`);
      }
      assert.deepEqual(
        stream.check({ ...inputs, maxBytes: "10G" }).failures.map((f) => f.property),
        ["maxBytes"],
      );
      assert.match(stream.check({ ...inputs, maxBytes: "10G" }).failures[0].reason, /ambiguous.*10GiB/);
      await stream.delete(id, { ...outs, allowDataLoss: true });
    });

    it("adopting a stream made with the NATS CLI keeps its limit (10GB both ways)", async () => {
      const c = ctxFor("SZCLI", server);
      await natsCli(
        [
          "stream",
          "add",
          c.name,
          `--subjects=${c.subj}.>`,
          "--storage=file",
          "--max-bytes=10GB",
          "--defaults",
        ],
        { server: server.url },
      );
      const made = (await (await api()).streamInfo(c.name)).config;
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "file",
        maxBytes: "10GB",
        adopt: true,
      });
      const { outs } = await stream.create(inputs);
      const after = (await (await api()).streamInfo(c.name)).config;
      assert.equal(after.max_bytes, made.max_bytes, "the CLI's 10GB and ours are the same size");
      assert.equal(after.max_bytes, 1024 * 1024 * 1024 * 10);
      await stream.delete(c.name, { ...outs, allowDataLoss: true });
    });

    it("a state recorded before NATS units: the preview shows and explains the limit going to 10GiB", async () => {
      const c = ctxFor("SZOLD", server);
      // What an earlier version did with maxBytes "10GB": sent 10^9 bytes, recorded the text, no mark.
      await (
        await api()
      ).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "file", max_bytes: 10_000_000_000 });
      await publish(server, `${c.subj}.x`, 3);
      const inputs = withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "file",
        maxBytes: "10GB",
      });
      const recorded = { ...inputs, info: {} };
      const diff = await stream.diff(c.name, recorded, inputs);
      assert.equal(diff.changes, true, "not silent: the limit the server holds differs");
      assert.deepEqual(diff.fields, [{ property: "maxBytes", kind: "update" }]);
      const note = sizeUnitsChange(stream, recorded, inputs).sizeUnitsChange ?? "";
      assert.match(note, /maxBytes "10GB" was sent as 10000000000 bytes/);
      assert.match(note, /sets 10737418240 bytes/);
      assert.equal((await stream.read(c.name, recorded))?.props.maxBytes, "10GB", "a refresh sees no drift");

      const { outs } = await stream.update(c.name, recorded, inputs);
      const info = await (await api()).streamInfo(c.name);
      assert.equal(info.config.max_bytes, 1024 * 1024 * 1024 * 10);
      assert.equal(info.state.messages, 3, "raising the limit keeps every message");
      assert.equal((await stream.diff(c.name, outs, inputs)).changes, false, "marked: converged");
      assert.deepEqual(sizeUnitsChange(stream, outs, inputs), {});
      await stream.delete(c.name, { ...outs, allowDataLoss: true });
    });
  });

  describe("consumers at work", () => {
    it("a pull consumer (deliver all, explicit ack, max deliver 5, ack wait 30s) delivers to the JS client", async () => {
      const c = ctxFor("PU", server);
      await stream.create(
        withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
      );
      await publish(server, `${c.subj}.a`, 3);
      await publish(server, `${c.subj}.b`, 2);
      await consumer.create(
        withConnection(server, {
          stream: c.name,
          name: "pull",
          deliverPolicy: "all",
          ackPolicy: "explicit",
          maxDeliver: 5,
          ackWait: "30s",
          filterSubjects: [`${c.subj}.a`],
        }),
      );
      const nc = await server.connect();
      const { jetstream } = await import("@nats-io/jetstream");
      const js = jetstream(nc);
      const cons = await js.consumers.get(c.name, "pull");
      const batch = await cons.fetch({ max_messages: 10, expires: 1000 });
      const subjects: string[] = [];
      for await (const m of batch) {
        subjects.push(m.subject);
        m.ack();
        if (subjects.length === 3) break;
      }
      assert.deepEqual(subjects, [`${c.subj}.a`, `${c.subj}.a`, `${c.subj}.a`]);
      await nc.close();
    });

    it("a push consumer with a deliver group, flow control and heartbeats delivers to a queue subscriber", async () => {
      const c = ctxFor("PS", server);
      await stream.create(
        withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
      );
      await publish(server, `${c.subj}.x`, 4);
      const inputs = withConnection(server, {
        stream: c.name,
        name: "push",
        deliverSubject: `deliver.${c.subj}`,
        deliverGroup: "workers",
        flowControl: true,
        idleHeartbeat: "1s",
        ackPolicy: "none",
        filterSubjects: [`${c.subj}.x`, `${c.subj}.y`],
      });
      const nc = await server.connect();
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        nc.subscribe(`deliver.${c.subj}`, {
          queue: "workers",
          callback: (
            _: unknown,
            m: { reply?: string; data: Uint8Array; subject: string; respond(): boolean },
          ) => {
            if (m.reply && !m.data.length) {
              m.respond(); // flow control request
              return;
            }
            if (m.data.length) got.push(m.subject);
            if (got.length === 4) resolve();
          },
        });
      });
      await nc.flush();
      const { id, outs } = await consumer.create(inputs);
      await done;
      assert.equal(got.length, 4);
      const info = await (await api()).consumerInfo(c.name, "push");
      assert.equal(info.config.deliver_group, "workers");
      assert.equal(info.config.flow_control, true);
      assert.equal(info.config.idle_heartbeat, 1e9);
      assert.deepEqual(info.config.filter_subjects, [`${c.subj}.x`, `${c.subj}.y`]);
      const read = await consumer.read(id, outs);
      assert.equal((await consumer.diff(id, read!.props, inputs)).changes, false);
      await nc.close();
    });

    it("filter subjects change from many to one and back in place", async () => {
      const c = ctxFor("FI", server);
      await stream.create(
        withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
      );
      const many = withConnection(server, {
        stream: c.name,
        name: "f",
        filterSubjects: [`${c.subj}.a`, `${c.subj}.b`],
      });
      const one = { ...many, filterSubjects: [`${c.subj}.c`] };
      const { id, outs } = await consumer.create(many);
      const { outs: o1 } = await consumer.update(id, outs, one);
      let info = await (await api()).consumerInfo(c.name, "f");
      assert.equal(info.config.filter_subject, `${c.subj}.c`);
      assert.equal(info.config.filter_subjects, undefined);
      assert.equal((await consumer.diff(id, o1, one)).changes, false);
      const read = await consumer.read(id, o1);
      assert.equal((await consumer.diff(id, read!.props, one)).changes, false);
      const { outs: o2 } = await consumer.update(id, o1, many);
      info = await (await api()).consumerInfo(c.name, "f");
      assert.deepEqual(info.config.filter_subjects, [`${c.subj}.a`, `${c.subj}.b`]);
      assert.equal(info.config.filter_subject ?? "", "");
      assert.equal((await consumer.diff(id, o2, many)).changes, false);
      // No filter at all.
      const none = withConnection(server, { stream: c.name, name: "f" });
      await consumer.update(id, o2, none);
      info = await (await api()).consumerInfo(c.name, "f");
      assert.equal(info.config.filter_subject ?? "", "");
      assert.equal(info.config.filter_subjects, undefined);
    });

    it("a consumer created paused (pauseUntil) is resumed in place, keeping its metadata", async () => {
      const c = ctxFor("PA", server);
      await stream.create(
        withConnection(server, { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" }),
      );
      await publish(server, `${c.subj}.x`, 2);
      const future = new Date(Date.now() + 3600_000).toISOString();
      const inputs = withConnection(server, {
        stream: c.name,
        name: "p",
        pauseUntil: future,
        metadata: { app: "x" },
      });
      const { id, outs } = await consumer.create(inputs);
      let info = await (await api()).consumerInfo(c.name, "p");
      assert.equal(info.paused, true);
      assert.equal(info.config.metadata?.app, "x");
      const resumed = withConnection(server, { stream: c.name, name: "p", metadata: { app: "x" } });
      assert.deepEqual((await consumer.diff(id, outs, resumed)).fields, [
        { property: "pauseUntil", kind: "update" },
      ]);
      const { outs: after } = await consumer.update(id, outs, resumed);
      info = await (await api()).consumerInfo(c.name, "p");
      assert.ok(!info.paused, "resumed");
      assert.equal(info.config.metadata?.app, "x");
      assert.equal((await consumer.diff(id, after, resumed)).changes, false);
      const read = await consumer.read(id, after);
      assert.equal((await consumer.diff(id, read!.props, resumed)).changes, false);
    });
  });
});
