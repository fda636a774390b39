// The plugin for other languages, driven over gRPC as the engine drives it,
// against a real nats-server: schema, config, and the whole life of a Stream
// (and a Consumer) with secrets, unknowns and the detailed diff.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer } from "../harness";
import { publish } from "../jetstream/support";
import { PluginProcess } from "./plugin-client";
import type { Props } from "./plugin-client";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const secret = (value: unknown) => ({ [SIG]: SECRET, value });
const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Props)[SIG] === SECRET;

const STREAM = "urn:pulumi:test::project::nats:jetstream:Stream::events";
const CONSUMER = "urn:pulumi:test::project::nats:jetstream:Consumer::workers";

describe("the nats plugin over gRPC", function () {
  this.timeout(60_000);
  let server: NatsServer;
  let plugin: PluginProcess;
  let schema: Props & { types: Record<string, { properties: Record<string, unknown> }> };
  let connection: Props;

  before(async () => {
    server = await startServer({ auth: { type: "user", user: "app", password: "s3cret-pa55" } });
    plugin = await PluginProcess.start();
    schema = JSON.parse(fs.readFileSync(path.join(repoRoot(), "schema.json"), "utf8"));
    connection = { servers: [server.url], user: "app", password: secret("s3cret-pa55"), readyTimeout: "30s" };
  });
  after(async () => {
    await plugin?.stop();
    await server?.stop();
  });

  it("serves schema.json, its version, and accepts an empty configuration", async () => {
    const served = await plugin.getSchema();
    assert.equal(served, fs.readFileSync(path.join(repoRoot(), "schema.json"), "utf8"));
    assert.equal(await plugin.pluginVersion(), schema.version);
    const config = await plugin.checkConfig({ version: "0.1.0" });
    assert.deepEqual(config, { inputs: { version: "0.1.0" }, failures: 0 });
    assert.deepEqual(await plugin.configure(), { acceptSecrets: true, acceptResources: true });
  });

  it("checks, creates, diffs, updates, reads and deletes a Stream, keeping credentials secret", async () => {
    const inputs: Props = { connection, name: "PLUGGED", subjects: ["plugged.>"], maxAge: "1h" };
    const checked = await plugin.check(STREAM, {}, inputs);
    assert.deepEqual(checked.failures, []);
    assert.ok(isSecret((checked.inputs.connection as Props).password), "check keeps the secret wrapped");

    const { id, outs } = await plugin.create(STREAM, checked.inputs);
    assert.equal(id, "PLUGGED");
    const outConn = outs.connection as Props;
    assert.deepEqual(outConn.password, secret("s3cret-pa55"));
    assert.deepEqual(outConn.servers, [server.url]);
    const info = outs.info as Props;
    assert.equal(info.streamName, "PLUGGED");
    const declared = Object.keys(schema.types["nats:jetstream:StreamInfo"].properties);
    assert.deepEqual(
      Object.keys(info).filter((k) => !declared.includes(k)),
      [],
      "info keys not in the schema",
    );

    const same = await plugin.diff(STREAM, id, outs, inputs);
    assert.equal(same.changes, "none");
    assert.deepEqual(same.detailed, {});

    const longer = { ...inputs, maxAge: "2h", description: "events" };
    const update = await plugin.diff(STREAM, id, outs, longer);
    assert.deepEqual(update, {
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
      hasDetailedDiff: true,
      detailed: { maxAge: "UPDATE", description: "ADD" },
    });

    const replace = await plugin.diff(STREAM, id, outs, { ...inputs, storage: "memory", noAck: undefined });
    assert.equal(replace.changes, "some");
    assert.deepEqual(replace.replaces, ["storage"]);
    assert.equal(replace.deleteBeforeReplace, true);
    assert.deepEqual(replace.detailed, { storage: "ADD_REPLACE" });

    const { outs: updated } = await plugin.update(STREAM, id, outs, longer);
    assert.equal(updated.maxAge, "2h");
    assert.ok(isSecret((updated.connection as Props).password));

    const read = await plugin.read(STREAM, id, updated);
    assert.equal(read.id, "PLUGGED");
    assert.ok(isSecret((read.props.connection as Props).password));
    assert.equal(read.inputs?.info, undefined, "read's inputs are the inputs, without info");
    assert.equal(read.inputs?.maxAge, "2h");
    assert.equal((await plugin.diff(STREAM, id, read.props, longer)).changes, "none");

    await plugin.delete(STREAM, id, updated);
    assert.equal((await plugin.read(STREAM, id, updated)).id, "");
  });

  it("check marks every credential secret, as sent by an SDK that marks none, and servers with user:pass@", async () => {
    // Generated SDKs do not mark nested fields secret: the credentials arrive in plain text.
    const plainConnection: Props = {
      servers: [server.url.replace("nats://", "nats://app:s3cret-pa55@")],
      user: "app",
      password: "s3cret-pa55",
      token: "a-token",
      nkeySeed: "SUAPLAINSEED",
      creds: "-----BEGIN NATS USER JWT-----",
      tls: { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM" },
      kubeconfig: "apiVersion: v1",
      readyTimeout: "30s",
    };
    const checked = await plugin.check(STREAM, {}, { connection: plainConnection, name: "CREDS" });
    assert.deepEqual(checked.failures, []);
    const conn = checked.inputs.connection as Props;
    for (const key of ["password", "token", "nkeySeed", "creds", "kubeconfig", "servers"]) {
      assert.ok(
        isSecret(conn[key]),
        `connection.${key} is secret in check's result: ${JSON.stringify(conn[key])}`,
      );
    }
    assert.ok(isSecret((conn.tls as Props).key), "connection.tls.key is secret");
    assert.deepEqual(secret("s3cret-pa55"), conn.password, "the value itself is kept");
    for (const key of ["user", "readyTimeout"])
      assert.ok(!isSecret(conn[key]), `connection.${key} stays readable`);
    assert.ok(!isSecret((conn.tls as Props).ca), "connection.tls.ca stays readable");

    // Servers without credentials in the URL stay readable.
    const bare = await plugin.check(STREAM, {}, { connection: { servers: [server.url] }, name: "CREDS" });
    assert.deepEqual((bare.inputs.connection as Props).servers, [server.url]);
    // A secret the SDK did mark stays secret, once.
    const marked = await plugin.check(STREAM, {}, { connection, name: "CREDS" });
    assert.deepEqual((marked.inputs.connection as Props).password, secret("s3cret-pa55"));
  });

  it("reports drift on refresh, as the server has it", async () => {
    const inputs: Props = { connection, name: "DRIFTED", subjects: ["drifted.>"], maxMsgs: 10 };
    const { id, outs } = await plugin.create(STREAM, inputs);
    const nc = await server.connect();
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const jsm = await jetstreamManager(nc);
    await jsm.streams.update("DRIFTED", { max_msgs: 20 });
    await nc.close();
    const read = await plugin.read(STREAM, id, outs);
    assert.equal(read.props.maxMsgs, 20);
    const back = await plugin.diff(STREAM, id, read.props, inputs);
    assert.deepEqual(back.detailed, { maxMsgs: "UPDATE" });
    await plugin.delete(STREAM, id, outs);
  });

  it("validates in preview with unknown inputs and shows what may change", async () => {
    const pending: Props = { connection: UNKNOWN, name: "LATER", subjects: ["later.>"], maxAge: UNKNOWN };
    assert.deepEqual((await plugin.check(STREAM, {}, pending)).failures, []);

    const inputs: Props = { connection, name: "KNOWN", subjects: ["known.>"] };
    const { id, outs } = await plugin.create(STREAM, inputs);
    const preview = await plugin.diff(STREAM, id, outs, { ...inputs, maxAge: UNKNOWN, storage: UNKNOWN });
    assert.equal(preview.changes, "some");
    assert.deepEqual(preview.detailed, { maxAge: "ADD", storage: "ADD_REPLACE" });
    assert.deepEqual(preview.replaces, ["storage"]);
    await plugin.delete(STREAM, id, outs);
  });

  it("reports every bad input with its field", async () => {
    const checked = await plugin.check(
      STREAM,
      {},
      {
        connection: { user: "app" },
        name: "bad.name",
        maxAge: "7 days",
        colour: 1,
      },
    );
    const properties = checked.failures.map((f) => f.property).sort();
    assert.ok(properties.includes("maxAge"), JSON.stringify(checked.failures));
    assert.ok(properties.includes("colour"));
    assert.ok(properties.includes("connection.servers"));
  });

  it("refuses a replacement that would destroy messages unless allowDataLoss is set", async () => {
    const inputs: Props = { connection, name: "PRECIOUS", subjects: ["precious.>"] };
    const { id, outs } = await plugin.create(STREAM, inputs);
    await publish(server, "precious.a", 3);
    await assert.rejects(
      plugin.diff(STREAM, id, outs, { ...inputs, storage: "memory" }),
      /holds 3 messages.*allowDataLoss/s,
    );
    const allowed = await plugin.diff(STREAM, id, outs, {
      ...inputs,
      storage: "memory",
      allowDataLoss: true,
    });
    assert.deepEqual(allowed.detailed, { storage: "ADD_REPLACE", allowDataLoss: "ADD" });
    await plugin.delete(STREAM, id, { ...outs, allowDataLoss: true });
  });

  it("creates a Consumer whose info keys are all declared", async () => {
    const stream = await plugin.create(STREAM, { connection, name: "ORDERS", subjects: ["orders.>"] });
    const { id, outs } = await plugin.create(CONSUMER, {
      connection,
      stream: "ORDERS",
      name: "workers",
      ackWait: "45s",
    });
    assert.equal(id, "ORDERS/workers");
    const declared = Object.keys(schema.types["nats:jetstream:ConsumerInfo"].properties);
    const info = outs.info as Props;
    assert.equal(info.streamName, "ORDERS");
    assert.deepEqual(
      Object.keys(info).filter((k) => !declared.includes(k)),
      [],
    );
    const change = await plugin.diff(CONSUMER, id, outs, {
      connection,
      stream: "ORDERS",
      name: "workers",
      ackPolicy: "all",
    });
    assert.deepEqual(change.detailed, { ackWait: "DELETE", ackPolicy: "ADD_REPLACE" });
    await plugin.delete(CONSUMER, id, outs);
    await plugin.delete(STREAM, stream.id, { ...stream.outs, allowDataLoss: true });
  });

  it("records the engine's URN as the owner: a renamed resource takes the stream over, the old delete removes nothing", async () => {
    const inputs: Props = { connection, name: "RENAMED", subjects: ["renamed.>"] };
    const renamed = "urn:pulumi:test::project::nats:jetstream:Stream::events-v2";
    const old = await plugin.create(STREAM, (await plugin.check(STREAM, {}, inputs)).inputs);
    await publish(server, "renamed.x", 3);
    const taken = await plugin.create(renamed, (await plugin.check(renamed, {}, inputs)).inputs);
    assert.equal(taken.id, "RENAMED");
    await plugin.delete(STREAM, old.id, old.outs);
    const nc = await server.connect();
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const info = await (await jetstreamManager(nc)).streams.info("RENAMED");
    assert.equal(info.state.messages, 3, "the old resource's delete removed nothing");
    assert.equal(info.config.metadata?.["pulumi-nats.owner"], renamed);
    await nc.close();
    // An alias (same resource, new URN): an update records the new owner.
    const aliased = "urn:pulumi:test::project::nats:jetstream:Stream::events-v3";
    const diff = await plugin.diff(aliased, taken.id, taken.outs, inputs);
    assert.equal(diff.changes, "some");
    assert.deepEqual(diff.detailed, { owner: "UPDATE" });
    await plugin.delete(renamed, taken.id, { ...taken.outs, allowDataLoss: true });
  });
});
