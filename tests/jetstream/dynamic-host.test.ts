import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { DynamicHost } from "./host-client";
import { captureRegistrations } from "./capture";
import type { Registration } from "./capture";
import { Stream } from "../../sdk/jetstream/dynamic";

const URN = "urn:pulumi:test::project::pulumi-nodejs:dynamic/jetstream:Stream::events";

describe("JetStream resources through the dynamic provider host over gRPC", function () {
  this.timeout(60_000);
  let server: NatsServer;
  let host: DynamicHost;
  let registered: Registration;

  before(async () => {
    server = await startServer({ auth: { type: "user", user: "app", password: "s3cret-pa55" } });
    const regs = await captureRegistrations(() => {
      new Stream("events", {
        connection: { servers: server.url, user: "app", password: "s3cret-pa55" },
        name: "HOSTED",
        subjects: ["hosted.>"],
        maxAge: "1h",
      });
    });
    registered = regs[0];
    host = await DynamicHost.start();
  });
  after(async () => {
    await host?.stop();
    await server?.stop();
  });

  it("registers a dynamic resource whose serialized provider holds no secret", () => {
    assert.equal(registered.type, "pulumi-nodejs:dynamic/jetstream:Stream");
    const provider = String(registered.inputs.__provider);
    assert.ok(provider.length > 0);
    assert.ok(!provider.includes("s3cret-pa55"), "the password must not be in the serialized provider");
    assert.deepEqual(registered.secretInputs, ["credentials"]);
    assert.equal((registered.plain.credentials as { password: string }).password, "s3cret-pa55");
    assert.equal((registered.inputs.connection as { password?: string }).password, undefined);
  });

  it("checks, creates, diffs, reads, updates and deletes through the host", async () => {
    const inputs = registered.plain;
    const checked = await host.check(URN, {}, inputs);
    assert.deepEqual(checked.failures, []);

    const { id, outs } = await host.create(URN, checked.inputs);
    assert.equal(id, "HOSTED");
    assert.equal((outs.info as { streamName: string }).streamName, "HOSTED");

    assert.equal((await host.diff(URN, id, outs, inputs)).changes, "none");

    const longer = { ...inputs, maxAge: "2h" };
    const updateDiff = await host.diff(URN, id, outs, longer);
    assert.deepEqual(updateDiff, {
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
      hasDetailedDiff: false,
      detailed: {},
    });
    const { outs: updated } = await host.update(URN, id, outs, longer);
    assert.equal(updated.maxAge, "2h");

    const replaceDiff = await host.diff(URN, id, updated, { ...longer, storage: "memory" });
    assert.deepEqual(replaceDiff, {
      changes: "some",
      replaces: ["storage"],
      deleteBeforeReplace: true,
      hasDetailedDiff: false,
      detailed: {},
    });

    const read = await host.read(URN, id, updated);
    assert.equal(read.id, "HOSTED");
    assert.equal((await host.diff(URN, id, read.props, longer)).changes, "none");

    await host.delete(URN, id, updated);
    const gone = await host.read(URN, id, updated);
    assert.equal(gone.id, "");
  });

  it("reports every bad input with its field through Check", async () => {
    const checked = await host.check(
      URN,
      {},
      { ...registered.plain, maxAge: "7 days", name: "bad.name", colour: 1 },
    );
    const properties = checked.failures.map((f: { property: string }) => f.property).sort();
    assert.deepEqual(properties, ["colour", "maxAge", "name"]);
  });

  it("previews unknown inputs without calling the server", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const checked = await host.check(URN, {}, { ...registered.plain, connection: unknown, storage: unknown });
    assert.deepEqual(checked.failures, []);
    const diff = await host.diff(URN, "HOSTED", registered.plain, { ...registered.plain, storage: unknown });
    assert.deepEqual(diff, {
      changes: "some",
      replaces: ["storage"],
      deleteBeforeReplace: true,
      hasDetailedDiff: false,
      detailed: {},
    });
  });
});
