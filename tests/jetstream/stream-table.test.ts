// Every row of the stream table against a real nats-server 2.14: round trip,
// no false diff, and changes that follow the server's own update rules.
import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { streamFields } from "../../sdk/jetstream/tables/stream";
import { DataLossError, ErrorCode, JetStreamApiError } from "../../sdk/jetstream/errors";
import { closeSessions, cores } from "./support";
import { ctxFor, fillSubject, tableTests } from "./table-runner";
import { streamExamples, streamSuite, streamInputs, holds } from "./stream-examples";

describe("stream table: every row against a real server", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const core = cores.stream;

  before(async () => {
    server = await startServer({ maxFileStore: "1GB", maxMemoryStore: "512MB" });
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });

  tableTests(streamSuite, streamFields, streamExamples, {
    cluster: false,
    prefix: "ST",
    target: () => server,
    identity: ["name"],
  });

  describe("version-dependent and one-way rules at 2.14.2", () => {
    it("retention limits -> workqueue is a guarded replacement, and the server refuses it in place (10052)", async () => {
      const c = ctxFor("WQ", server);
      const inputs = streamInputs(server, { name: c.name, subjects: [`${c.subj}.>`] });
      const { id, outs } = await core.create(inputs);
      await fillSubject(server, `${c.subj}.x`, 4);
      const next = { ...inputs, retention: "workqueue" };
      await assert.rejects(core.diff(id, outs, next), (err: Error) => {
        assert.ok(err instanceof DataLossError);
        assert.match(err.message, /holds 4 messages/);
        assert.match(err.message, /retention/);
        return true;
      });
      const allowed = await core.diff(id, outs, { ...next, allowDataLoss: true });
      assert.deepEqual(allowed.replaces, ["retention"]);
      const s = await core.session(inputs);
      const info = await s.api.streamInfo(c.name);
      await assert.rejects(
        s.api.streamUpdate({
          ...(info.config as unknown as Record<string, unknown>),
          retention: "workqueue",
        }),
        (err: JetStreamApiError) => err.code === ErrorCode.StreamInvalidConfig,
      );
      // ... and from workqueue back to limits as well.
      const wq = streamInputs(server, {
        name: `${c.name}W`,
        subjects: [`${c.subj}w.>`],
        retention: "workqueue",
      });
      const created = await core.create(wq);
      const back = await core.diff(created.id, created.outs, { ...wq, retention: "interest" });
      assert.deepEqual(back.replaces, ["retention"]);
    });

    it("oneWay flags: turning on is an update, turning off a replacement", async () => {
      for (const key of ["denyDelete", "denyPurge", "sealed", "allowMsgTtl", "allowMsgSchedules"]) {
        const c = ctxFor("OW", server);
        const rollup = key === "allowMsgSchedules" ? { allowRollup: true } : {};
        const base = streamInputs(server, { name: c.name, subjects: [`${c.subj}.>`], ...rollup });
        const { id, outs } = await core.create(base);
        const on = await core.diff(id, outs, { ...base, [key]: true });
        assert.deepEqual(on.replaces, [], key);
        const { outs: after } = await core.update(id, outs, { ...base, [key]: true });
        const off = await core.diff(id, after, { ...base, [key]: false, allowDataLoss: true });
        assert.ok(off.replaces.includes(key), `${key}: ${JSON.stringify(off.replaces)}`);
      }
    });

    it("a mirror's configuration cannot change in place (the server refuses it), removing it can", async () => {
      const c = ctxFor("MC", server);
      const s = await core.session(streamInputs(server, {}));
      await s.api.streamCreate({ name: `${c.name}A`, subjects: [`${c.subj}a.>`], storage: "memory" });
      await s.api.streamCreate({ name: `${c.name}B`, subjects: [`${c.subj}b.>`], storage: "memory" });
      const inputs = streamInputs(server, { name: c.name, mirror: { name: `${c.name}A` } });
      const { id, outs } = await core.create(inputs);
      await fillSubject(server, `${c.subj}a.x`, 2);
      await holds(s.api, c.name, 2);
      const next = { ...inputs, mirror: { name: `${c.name}B` } };
      await assert.rejects(core.diff(id, outs, next), DataLossError);
      const allowed = await core.diff(id, outs, { ...next, allowDataLoss: true });
      assert.deepEqual(allowed.replaces, ["mirror"]);
      const info = await s.api.streamInfo(c.name);
      await assert.rejects(
        s.api.streamUpdate({
          ...(info.config as unknown as Record<string, unknown>),
          mirror: { name: `${c.name}B` },
        }),
        (err: JetStreamApiError) => err.code === 10055,
      );
    });

    it("a source in another domain round-trips (domain is shorthand for the external API prefix)", async () => {
      const c = ctxFor("DO", server);
      const inputs = streamInputs(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        sources: [{ name: "REMOTE", domain: "hub", optStartTime: "2026-01-01T00:00:00.5Z" }],
      });
      const { id, outs } = await core.create(inputs);
      const info = await (await core.session(inputs)).api.streamInfo(c.name);
      assert.deepEqual(info.config.sources?.[0].external, { api: "$JS.hub.API", deliver: "" });
      assert.equal(info.config.sources?.[0].opt_start_time, "2026-01-01T00:00:00.5Z");
      assert.equal((await core.diff(id, outs, inputs)).changes, false);
      const read = await core.read(id, outs);
      assert.deepEqual(core.config(read!.props), core.config(outs), "no drift recorded");
      assert.equal((await core.diff(id, read!.props, inputs)).changes, false);
    });

    it("mirrorDirect follows the origin's allowDirect: pedantic mode refuses a mirror that differs", async () => {
      const c = ctxFor("MD", server);
      const s = await core.session(streamInputs(server, {}));
      await s.api.streamCreate({
        name: `${c.name}O`,
        subjects: [`${c.subj}.>`],
        storage: "memory",
        allow_direct: true,
      });
      const inputs = streamInputs(server, { name: c.name, mirror: { name: `${c.name}O` } });
      await assert.rejects(core.create(inputs), (err: JetStreamApiError) => err.code === ErrorCode.Pedantic);
      await assert.rejects(
        s.api.streamInfo(c.name),
        (err: JetStreamApiError) => err.code === ErrorCode.StreamNotFound,
      );
    });
  });
});
