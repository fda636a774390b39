// The configurations `check` now refuses are the ones the server refuses at
// `pulumi up` (sent raw, past check, they fail with the server's codes), and
// the server errors check cannot foresee come back naming the input to change
// (errors.ts: SERVER_ERROR_FIELDS).
import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { ErrorCode, JetStreamApiError, ServerRefusalError } from "../../sdk/jetstream/errors";
import { closeSessions, cores, withConnection } from "./support";
import { ctxFor } from "./table-runner";

describe("server refusals: check foresees them, or the error names the field", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const stream = cores.stream;
  const consumer = cores.consumer;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });
  const api = async () => (await stream.session(withConnection(server, {}))).api;
  const code = (n: number) => (err: unknown) => err instanceof JetStreamApiError && err.code === n;

  it("a stream sourcing itself: the server answers 10052 'detected cycle'; check names sources[0].name", async () => {
    const c = ctxFor("SELF", server);
    const config = { name: c.name, subjects: [`${c.subj}.>`], sources: [{ name: c.name }] };
    await assert.rejects(
      (await api()).streamCreate(stream.kind.desired(config)),
      (err: JetStreamApiError) => err.code === ErrorCode.StreamInvalidConfig && /cycle/.test(err.description),
    );
    const failures = stream.check(withConnection(server, config)).failures;
    assert.deepEqual(
      failures.map((f) => f.property),
      ["sources[0].name"],
    );
  });

  it("a republish destination inside the stream's subjects: the server answers 10052; check names republish.dest", async () => {
    const c = ctxFor("REPUB", server);
    const config = {
      name: c.name,
      subjects: [`${c.subj}.>`],
      republish: { src: ">", dest: `${c.subj}.copy.>` },
    };
    await assert.rejects(
      (await api()).streamCreate(stream.kind.desired(config)),
      (err: JetStreamApiError) =>
        err.code === ErrorCode.StreamInvalidConfig &&
        /republish destination forms a cycle/.test(err.description),
    );
    assert.deepEqual(
      stream.check(withConnection(server, config)).failures.map((f) => f.property),
      ["republish.dest"],
    );
  });

  it("overlapping filterSubjects: the server answers 10138; check names filterSubjects[1]", async () => {
    const c = ctxFor("FILT", server);
    await (await api()).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory" });
    const config = { stream: c.name, name: "w", filterSubjects: [`${c.subj}.>`, `${c.subj}.a`] };
    const body = consumer.kind.desired(config);
    const { _stream, ...request } = body;
    void _stream;
    await assert.rejects(
      (await api()).consumerCreate(c.name, request, "create"),
      code(ErrorCode.ConsumerFiltersOverlap),
    );
    assert.deepEqual(
      consumer.check(withConnection(server, config)).failures.map((f) => f.property),
      ["filterSubjects[1]"],
    );
  });

  it("a cycle through another stream passes check; the server's 10052 comes back naming mirror/sources", async () => {
    const c = ctxFor("LOOP", server);
    const a = withConnection(server, { name: `${c.name}A`, subjects: [`${c.subj}.a.>`], storage: "memory" });
    const made = await stream.create(a);
    const b = withConnection(server, {
      name: `${c.name}B`,
      subjects: [`${c.subj}.b.>`],
      storage: "memory",
      sources: [{ name: `${c.name}A` }],
    });
    await stream.create(b);
    const loop = { ...a, sources: [{ name: `${c.name}B` }] };
    assert.deepEqual(stream.check(loop).failures, []);
    await assert.rejects(stream.update(made.id, made.outs, loop), (err: Error) => {
      assert.ok(err instanceof ServerRefusalError, String(err));
      assert.equal(err.property, "mirror/sources");
      assert.match(err.message, /^mirror\/sources: detected cycle; the stream would copy from itself/);
      assert.match(err.message, /JetStream error 10052/);
      return true;
    });
  });
});
