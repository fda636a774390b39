import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { cores, withConnection, publish, closeSessions } from "./support";
import { DataLossError } from "../../sdk/jetstream/errors";

describe("stream core against a single server", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const core = cores.stream;

  before(async () => {
    server = await startServer({ maxFileStore: "100GB", maxMemoryStore: "1GB" });
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });

  it("creates the tutorial stream and reads back exactly what was declared", async () => {
    const inputs = withConnection(server, {
      name: "EVENTS",
      subjects: ["events.>"],
      retention: "limits",
      maxAge: "7d",
      maxBytes: "10GB",
      storage: "file",
      discard: "old",
    });
    assert.deepEqual(core.check(inputs).failures, []);
    const { id, outs } = await core.create(inputs);
    assert.equal(id, "EVENTS");
    const info = await (await core.session(inputs)).api.streamInfo("EVENTS");
    assert.equal(info.config.max_age, 7 * 24 * 3600 * 1e9);
    assert.equal(info.config.max_bytes, 1024 * 1024 * 1024 * 10);
    assert.deepEqual(info.config.subjects, ["events.>"]);
    const diff = await core.diff(id, outs, inputs);
    assert.equal(diff.changes, false, JSON.stringify(diff));
    const read = await core.read(id, outs);
    assert.ok(read);
    const again = await core.diff(id, read.props, inputs);
    assert.equal(again.changes, false, JSON.stringify(again));
  });

  it("updates max age in place and keeps the messages", async () => {
    const inputs = withConnection(server, { name: "UPD", subjects: ["upd.>"], maxAge: "1h" });
    const { id, outs } = await core.create(inputs);
    await publish(server, "upd.a", 10);
    const next = { ...inputs, maxAge: "2h" };
    const diff = await core.diff(id, outs, next);
    assert.deepEqual(diff.fields, [{ property: "maxAge", kind: "update" }]);
    assert.deepEqual(diff.replaces, []);
    const { outs: after } = await core.update(id, outs, next);
    assert.equal((after.info as { messages: number }).messages, 10);
  });

  it("refuses a replacement that would destroy messages, and allows it when agreed", async () => {
    const inputs = withConnection(server, { name: "REPL", subjects: ["repl.>"] });
    const { id, outs } = await core.create(inputs);
    await publish(server, "repl.x", 3);
    const next = { ...inputs, storage: "memory" };
    await assert.rejects(core.diff(id, outs, next), (err: Error) => {
      assert.ok(err instanceof DataLossError);
      assert.match(err.message, /holds 3 messages/);
      assert.match(err.message, /allowDataLoss/);
      return true;
    });
    const allowed = await core.diff(id, outs, { ...next, allowDataLoss: true });
    assert.deepEqual(allowed.replaces, ["storage"]);
    assert.equal(allowed.deleteBeforeReplace, true);
  });

  it("finds drift made behind the program's back", async () => {
    const inputs = withConnection(server, { name: "DRIFT", subjects: ["drift.>"], maxMsgs: 100 });
    const { id, outs } = await core.create(inputs);
    const s = await core.session(inputs);
    const info = await s.api.streamInfo("DRIFT");
    await s.api.streamUpdate({ ...(info.config as unknown as Record<string, unknown>), max_msgs: 5 });
    const read = await core.read(id, outs);
    assert.ok(read);
    assert.equal(read.props.maxMsgs, 5);
    const diff = await core.diff(id, read.props, inputs);
    assert.deepEqual(diff.fields, [{ property: "maxMsgs", kind: "update" }]);
    await s.api.streamDelete("DRIFT");
    assert.equal(await core.read(id, outs), undefined);
  });
});
