// Every row of the KV and object-store tables against a real server, and the
// buckets as the KV and object-store clients see them.
import assert from "node:assert/strict";
import { startServer, waitFor } from "../harness";
import type { NatsServer } from "../harness";
import { keyValueFields, objectStoreFields } from "../../sdk/jetstream/tables/bucket";
import { DataLossError, ErrorCode, JetStreamApiError } from "../../sdk/jetstream/errors";
import { closeSessions, cores, withConnection } from "./support";
import { ctxFor, tableTests } from "./table-runner";
import {
  keyValueExamples,
  keyValueSuite,
  objectStoreExamples,
  objectStoreSuite,
  kvPut,
  objPut,
} from "./bucket-examples";
import { holds } from "./stream-examples";

describe("KV and object-store tables: every row against a real server", function () {
  this.timeout(30_000);
  let server: NatsServer;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });

  describe("KV bucket rows", () => {
    tableTests(keyValueSuite, keyValueFields, keyValueExamples, {
      cluster: false,
      prefix: "KT",
      target: () => server,
      identity: ["bucket"],
    });
  });

  describe("object-store rows", () => {
    tableTests(objectStoreSuite, objectStoreFields, objectStoreExamples, {
      cluster: false,
      prefix: "OT",
      target: () => server,
      identity: ["bucket"],
    });
  });

  describe("KV buckets with the KV client", () => {
    const core = cores.keyValue;

    it("a created bucket is usable by the KV client (put/get), with its history", async () => {
      const c = ctxFor("KU", server);
      const inputs = withConnection(server, { bucket: c.name, history: 3, storage: "memory" });
      await core.create(inputs);
      const nc = await server.connect();
      const { Kvm } = await import("@nats-io/kv");
      const kv = await new Kvm(nc).open(c.name);
      for (const v of ["a", "b", "c", "d"]) await kv.put("key", v);
      assert.equal((await kv.get("key"))?.string(), "d");
      const history = [];
      for await (const e of await kv.history({ key: "key" })) history.push(e.string());
      assert.deepEqual(history, ["b", "c", "d"]);
      const status = await kv.status();
      assert.equal(status.history, 3);
      await nc.close();
    });

    it("history, ttl, max value size and metadata change in place, keeping values and metadata", async () => {
      const c = ctxFor("KM", server);
      const inputs = withConnection(server, {
        bucket: c.name,
        storage: "memory",
        metadata: { owner: "team-a" },
      });
      const { id, outs } = await core.create(inputs);
      await kvPut(server, c.name, 5);
      const next = { ...inputs, history: 10, ttl: "12h", maxValueSize: "64KiB", description: "changed" };
      const diff = await core.diff(id, outs, next);
      assert.deepEqual(diff.replaces, []);
      assert.deepEqual(diff.fields.map((f) => f.property).sort(), [
        "description",
        "history",
        "maxValueSize",
        "ttl",
      ]);
      await core.update(id, outs, next);
      const info = await (await core.session(inputs)).api.streamInfo(`KV_${c.name}`);
      assert.equal(info.state.messages, 5);
      assert.equal(info.config.max_msgs_per_subject, 10);
      assert.equal(info.config.max_age, 12 * 3600e9);
      assert.equal(info.config.max_msg_size, 64 * 1024);
      // The existing tools wiped the bucket's metadata on update.
      assert.equal(info.config.metadata?.owner, "team-a");
      const nc = await server.connect();
      const { Kvm } = await import("@nats-io/kv");
      const kv = await new Kvm(nc).open(c.name);
      assert.equal((await kv.get("k4"))?.string(), "v4");
      await nc.close();
    });

    it("removing limitMarkerTtl is a guarded replacement: the server cannot turn per-message TTLs off", async () => {
      const c = ctxFor("KL", server);
      const inputs = withConnection(server, { bucket: c.name, storage: "memory", limitMarkerTtl: "1m" });
      const { id, outs } = await core.create(inputs);
      await kvPut(server, c.name, 2);
      const next = { ...inputs, limitMarkerTtl: undefined };
      await assert.rejects(core.diff(id, outs, next), DataLossError);
      const diff = await core.diff(id, outs, { ...next, allowDataLoss: true });
      assert.deepEqual(diff.replaces, ["limitMarkerTtl"]);
      // The server's own refusal of the in-place change.
      const s = await core.session(inputs);
      const info = await s.api.streamInfo(`KV_${c.name}`);
      await assert.rejects(
        s.api.streamUpdate({
          ...(info.config as unknown as Record<string, unknown>),
          subject_delete_marker_ttl: 0,
          allow_msg_ttl: false,
        }),
        (err: JetStreamApiError) => err.code === ErrorCode.StreamInvalidConfig,
      );
      // Turning it on later is an update.
      const plain = withConnection(server, { bucket: `${c.name}P`, storage: "memory" });
      const created = await core.create(plain);
      const on = await core.diff(created.id, created.outs, { ...plain, limitMarkerTtl: "5s" });
      assert.deepEqual(on.replaces, []);
      await core.update(created.id, created.outs, { ...plain, limitMarkerTtl: "5s" });
    });

    it("adopts a bucket created by the KV client without losing values", async () => {
      const c = ctxFor("KA", server);
      const nc = await server.connect();
      const { Kvm } = await import("@nats-io/kv");
      const kv = await new Kvm(nc).create(c.name, { history: 5, storage: "memory" as never });
      await kv.put("a", "1");
      await kv.put("b", "2");
      const inputs = withConnection(server, { bucket: c.name, history: 5, storage: "memory" });
      // The KV client's bucket is exactly what the provider would create: a
      // create with the same configuration succeeds (the server's create is idempotent).
      const same = await core.create(inputs);
      assert.equal((await core.diff(same.id, same.outs, inputs)).changes, false);
      // A different configuration needs adopt.
      await assert.rejects(
        core.create({ ...inputs, description: "adopted" }),
        /already exists.*adopt: true/s,
      );
      const { id, outs } = await core.create({ ...inputs, adopt: true, description: "adopted" });
      assert.equal(id, c.name);
      const info = await (await core.session(inputs)).api.streamInfo(`KV_${c.name}`);
      assert.equal(info.state.messages, 2);
      assert.equal(info.config.description, "adopted");
      assert.equal((await kv.get("b"))?.string(), "2");
      const diff = await core.diff(id, outs, { ...inputs, adopt: true, description: "adopted" });
      assert.equal(diff.changes, false, JSON.stringify(diff.fields));
      await nc.close();
    });

    it("a mirror bucket holds the origin's keys as the KV client expects; a sourcing bucket serves them", async () => {
      const c = ctxFor("KS", server);
      const origin = withConnection(server, { bucket: `${c.name}O`, storage: "memory" });
      await core.create(origin);
      const mirror = withConnection(server, {
        bucket: `${c.name}M`,
        storage: "memory",
        mirror: { name: `${c.name}O` },
      });
      const sourcing = withConnection(server, {
        bucket: `${c.name}S`,
        storage: "memory",
        sources: [{ name: `${c.name}O` }],
      });
      for (const inputs of [mirror, sourcing]) {
        const { id, outs } = await core.create(inputs);
        const read = await core.read(id, outs);
        assert.equal((await core.diff(id, read!.props, inputs)).changes, false);
      }
      await kvPut(server, `${c.name}O`, 2);
      // A mirror keeps the origin's subjects (the KV clients create mirrors so,
      // for mirror_direct reads of the origin bucket); a source rewrites them.
      const s = await core.session(origin);
      await holds(s.api, `KV_${c.name}M`, 2);
      const last = await s.api.request<{ message: { subject: string } }>(`STREAM.MSG.GET.KV_${c.name}M`, {
        last_by_subj: `$KV.${c.name}O.k1`,
      });
      assert.equal(last.message.subject, `$KV.${c.name}O.k1`);
      const nc = await server.connect();
      const { Kvm } = await import("@nats-io/kv");
      const kv = await new Kvm(nc).open(`${c.name}S`);
      const value = await waitFor(async () => (await kv.get("k1"))?.string() || undefined, {
        timeoutMs: 10_000,
        what: `k1 in ${c.name}S`,
      });
      assert.equal(value, "v1");
      await nc.close();
    });

    it("republish without a source republishes the bucket's own keys", async () => {
      const c = ctxFor("KP", server);
      const inputs = withConnection(server, {
        bucket: c.name,
        storage: "memory",
        republish: { dest: `rp.${c.subj}.>` },
      });
      assert.deepEqual(core.check(inputs).failures, []);
      const { id, outs } = await core.create(inputs);
      const info = await (await core.session(inputs)).api.streamInfo(`KV_${c.name}`);
      assert.deepEqual(info.config.republish, { src: `$KV.${c.name}.>`, dest: `rp.${c.subj}.>` });
      const read = await core.read(id, outs);
      assert.deepEqual(core.config(read!.props), core.config(outs));
      assert.equal((await core.diff(id, read!.props, inputs)).changes, false);
    });

    it("a KV client's default bucket is exactly what the provider creates (no false diff, no drift)", async () => {
      const c = ctxFor("KC", server);
      const nc = await server.connect();
      const { Kvm } = await import("@nats-io/kv");
      await new Kvm(nc).create(c.name);
      await nc.close();
      const inputs = withConnection(server, { bucket: c.name });
      const { id, outs } = await core.create(inputs);
      const read = await core.read(id, outs);
      assert.deepEqual(core.config(read!.props), core.config(outs));
      assert.equal((await core.diff(id, read!.props, inputs)).changes, false);
    });

    it("a short ttl sets the duplicate window to the ttl, as the KV client does", async () => {
      const c = ctxFor("KT", server);
      const inputs = withConnection(server, { bucket: c.name, storage: "memory", ttl: "30s" });
      const { id, outs } = await core.create(inputs);
      const info = await (await core.session(inputs)).api.streamInfo(`KV_${c.name}`);
      assert.equal(info.config.duplicate_window, 30e9);
      const read = await core.read(id, outs);
      assert.equal((await core.diff(id, read!.props, inputs)).changes, false);
      const longer = { ...inputs, ttl: "10m" };
      await core.update(id, outs, longer);
      const after = await (await core.session(inputs)).api.streamInfo(`KV_${c.name}`);
      assert.equal(after.config.duplicate_window, 120e9);
    });

    it("refuses to delete a bucket holding values unless allowDataLoss; idempotent once gone", async () => {
      const c = ctxFor("KD", server);
      const inputs = withConnection(server, { bucket: c.name, storage: "memory" });
      const { id, outs } = await core.create(inputs);
      await kvPut(server, c.name, 2);
      await assert.rejects(core.delete(id, outs), (err: Error) => {
        assert.ok(err instanceof DataLossError);
        assert.match(err.message, /holds 2 values/);
        return true;
      });
      await core.delete(id, { ...outs, allowDataLoss: true });
      await core.delete(id, { ...outs, allowDataLoss: true });
      assert.equal(await core.read(id, outs), undefined);
    });
  });

  describe("object stores with the object-store client", () => {
    const core = cores.objectStore;

    it("a created store is usable by the client; description and ttl update in place", async () => {
      const c = ctxFor("OU", server);
      const inputs = withConnection(server, { bucket: c.name, storage: "memory", description: "blobs" });
      const { id, outs } = await core.create(inputs);
      const nc = await server.connect();
      const { Objm } = await import("@nats-io/obj");
      const os = await new Objm(nc).open(c.name);
      const data = new TextEncoder().encode("hello object");
      await os.putBlob({ name: "greeting" }, data);
      assert.equal(new TextDecoder().decode((await os.getBlob("greeting"))!), "hello object");
      const next = { ...inputs, description: "more blobs", ttl: "30d" };
      const diff = await core.diff(id, outs, next);
      assert.deepEqual(diff.replaces, []);
      const { outs: after } = await core.update(id, outs, next);
      const status = await os.status();
      assert.equal(status.description, "more blobs");
      assert.equal(status.ttl, 30 * 24 * 3600e9);
      assert.equal(new TextDecoder().decode((await os.getBlob("greeting"))!), "hello object");
      assert.equal((await core.diff(id, after, next)).changes, false);
      await nc.close();
    });

    it("adopts a store created by the object-store client, keeping its objects", async () => {
      const c = ctxFor("OA", server);
      const nc = await server.connect();
      const { Objm, StorageType } = await import("@nats-io/obj");
      const os = await new Objm(nc).create(c.name, {
        storage: StorageType.Memory,
        description: "made by hand",
      });
      await os.putBlob({ name: "a" }, new TextEncoder().encode("A"));
      const inputs = withConnection(server, {
        bucket: c.name,
        storage: "memory",
        description: "made by hand",
      });
      const same = await core.create(inputs);
      assert.equal((await core.diff(same.id, same.outs, inputs)).changes, false);
      const read = await core.read(same.id, same.outs);
      assert.deepEqual(
        core.config(read!.props),
        core.config(same.outs),
        "no drift from the client's settings",
      );
      const next = { ...inputs, description: "managed", ttl: "1d", adopt: true };
      await assert.rejects(core.create({ ...next, adopt: false }), /already exists.*adopt: true/s);
      const { id, outs } = await core.create(next);
      assert.equal((await core.diff(id, outs, next)).changes, false);
      assert.equal(new TextDecoder().decode((await os.getBlob("a"))!), "A");
      assert.equal((await os.status()).description, "managed");
      await nc.close();
    });

    it("refuses to delete a store holding objects unless allowDataLoss", async () => {
      const c = ctxFor("OD", server);
      const inputs = withConnection(server, { bucket: c.name, storage: "memory" });
      const { id, outs } = await core.create(inputs);
      const count = await objPut(server, c.name, 1);
      await assert.rejects(core.delete(id, outs), (err: Error) => {
        assert.ok(err instanceof DataLossError);
        assert.match(err.message, new RegExp(`holds ${count} `));
        assert.match(err.message, /allowDataLoss/);
        return true;
      });
      await core.delete(id, { ...outs, allowDataLoss: true });
      await core.delete(id, outs);
    });
  });
});
