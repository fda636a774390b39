// Ownership (issue 14, point 4) against a real server: every asset records
// the URN of the resource that owns it; a create of an existing asset that
// is not ours needs adopt: true, even with an identical configuration; an
// asset moves between resources of one stack (a rename) and the old
// resource's delete then removes nothing, messages and consumer positions kept.
import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { closeSessions, cores, publish, withConnection } from "./support";
import { ctxFor } from "./table-runner";

/** A URN as the engine writes it: the owner the dynamic resources and the plugin record. */
const urn = (type: string, name: string, stack = "dev", project = "app") =>
  `urn:pulumi:${stack}::${project}::pulumi-nodejs:dynamic/jetstream:${type}::${name}`;

describe("ownership: owner metadata, adoption, renames", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const stream = cores.stream;
  const consumer = cores.consumer;
  const kv = cores.keyValue;

  before(async () => {
    server = await startServer({});
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });
  const api = async () => (await stream.session(withConnection(server, {}))).api;
  const messages = async (name: string) => (await (await api()).streamInfo(name)).state.messages;
  const metadataOf = async (name: string) => (await (await api()).streamInfo(name)).config.metadata ?? {};

  it("records the owner's URN in the metadata; a refresh and a diff do not show it", async () => {
    const c = ctxFor("OW", server);
    const inputs = withConnection(server, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      metadata: { team: "a" },
      owner: urn("Stream", "orders"),
    });
    const { id, outs } = await stream.create(inputs);
    const metadata = await metadataOf(c.name);
    assert.equal(metadata["pulumi-nats.owner"], urn("Stream", "orders"));
    assert.equal(metadata.team, "a");
    const refreshed = await stream.read(id, outs);
    assert.deepEqual(refreshed?.props.metadata, { team: "a" }, "no drift from the owner's key");
    assert.equal((await stream.diff(id, outs, inputs)).changes, false);
    // A user's update of the metadata keeps the owner.
    const updated = { ...inputs, metadata: { team: "b" } };
    await stream.update(id, outs, updated);
    assert.equal((await metadataOf(c.name))["pulumi-nats.owner"], urn("Stream", "orders"));
    assert.equal((await metadataOf(c.name)).team, "b");
  });

  it("refuses a key of the package's own in the user's metadata, naming it", () => {
    const { failures } = stream.check(
      withConnection(server, { name: "S", subjects: ["s.>"], metadata: { "pulumi-nats.owner": "me" } }),
    );
    assert.deepEqual(
      failures.map((f) => f.property),
      ["metadata.pulumi-nats.owner"],
    );
  });

  it("a create identical to a stream made outside Pulumi is refused without adopt: true (it took it over before)", async () => {
    const c = ctxFor("OI", server);
    await (await api()).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory" });
    await publish(server, `${c.subj}.x`, 4);
    const inputs = withConnection(server, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      owner: urn("Stream", "s"),
    });
    await assert.rejects(stream.create(inputs), (err: Error) => {
      assert.match(err.message, new RegExp(`Stream ${c.name}: a stream with this name already exists`));
      assert.match(err.message, /records no owner/);
      assert.match(err.message, /adopt: true/);
      return true;
    });
    assert.equal((await metadataOf(c.name))["pulumi-nats.owner"], undefined, "not taken over");
    await stream.create({ ...inputs, adopt: true });
    assert.equal((await metadataOf(c.name))["pulumi-nats.owner"], urn("Stream", "s"));
    assert.equal(await messages(c.name), 4);
  });

  it("a create of another stack's stream is refused, naming the owner; adopt: true takes it over", async () => {
    const c = ctxFor("OS", server);
    const config = { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" };
    await stream.create(withConnection(server, { ...config, owner: urn("Stream", "s", "prod") }));
    await publish(server, `${c.subj}.x`, 3);
    const mine = withConnection(server, { ...config, owner: urn("Stream", "s", "dev") });
    await assert.rejects(stream.create(mine), new RegExp(`belongs to ${urn("Stream", "s", "prod")}`));
    assert.equal((await metadataOf(c.name))["pulumi-nats.owner"], urn("Stream", "s", "prod"));
    // The other stack's delete still owns it, and removes it only with its agreement.
    const { id, outs } = await stream.create({ ...mine, adopt: true });
    assert.equal((await metadataOf(c.name))["pulumi-nats.owner"], urn("Stream", "s", "dev"));
    await stream.delete(id, { ...outs, owner: urn("Stream", "s", "prod"), allowDataLoss: true });
    assert.equal(await messages(c.name), 3, "the previous owner's delete removed nothing");
  });

  it("an identical consumer made outside Pulumi is refused without adopt: true", async () => {
    const c = ctxFor("OC", server);
    await (await api()).streamCreate({ name: c.name, subjects: [`${c.subj}.>`], storage: "memory" });
    await (await api()).consumerCreate(c.name, { durable_name: "w", ack_policy: "explicit" }, "create");
    const inputs = withConnection(server, { stream: c.name, name: "w", owner: urn("Consumer", "w") });
    await assert.rejects(consumer.create(inputs), /already exists and was not created by this stack/);
    await consumer.create({ ...inputs, adopt: true });
    const info = await (await api()).consumerInfo(c.name, "w");
    assert.equal(info.config.metadata?.["pulumi-nats.owner"], urn("Consumer", "w"));
  });

  it("a create retried after its answer was lost finds its own asset and keeps it", async () => {
    const c = ctxFor("OR", server);
    const inputs = withConnection(server, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      owner: urn("Stream", "s"),
    });
    await stream.create(inputs);
    await publish(server, `${c.subj}.x`, 2);
    await stream.create(inputs);
    const k = withConnection(server, { stream: c.name, name: "k", owner: urn("Consumer", "k") });
    await consumer.create(k);
    await consumer.create(k);
    assert.equal(await messages(c.name), 2);
  });

  it("a renamed stream and durable consumer: the new resources take them over, the old deletes remove nothing", async () => {
    const c = ctxFor("RN", server);
    const config = { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" };
    const oldStream = await stream.create(withConnection(server, { ...config, owner: urn("Stream", "a") }));
    const k = { stream: c.name, name: "k", ackPolicy: "explicit" };
    const oldConsumer = await consumer.create(withConnection(server, { ...k, owner: urn("Consumer", "ka") }));
    await publish(server, `${c.subj}.x`, 6);
    // Two messages delivered and acknowledged: the consumer's position.
    const nc = await server.connect();
    const { jetstream } = await import("@nats-io/jetstream");
    const reader = await jetstream(nc).consumers.get(c.name, "k");
    for (let i = 0; i < 2; i++) {
      const m = await reader.next({ expires: 5000 });
      assert.ok(m);
      await m.ackAck();
    }
    await nc.close();
    const before = await (await api()).consumerInfo(c.name, "k");
    assert.equal(before.ack_floor.stream_seq, 2);

    // The engine creates the renamed resources first, then deletes the old ones.
    const newStream = await stream.create(withConnection(server, { ...config, owner: urn("Stream", "b") }));
    const newConsumer = await consumer.create(withConnection(server, { ...k, owner: urn("Consumer", "kb") }));
    const metadata = await metadataOf(c.name);
    assert.equal(metadata["pulumi-nats.owner"], urn("Stream", "b"));
    assert.equal(metadata["pulumi-nats.previous-owner"], urn("Stream", "a"));
    await consumer.delete(oldConsumer.id, oldConsumer.outs);
    await stream.delete(oldStream.id, oldStream.outs);
    assert.equal(await messages(c.name), 6, "every message kept");
    const after = await (await api()).consumerInfo(c.name, "k");
    assert.equal(after.ack_floor.stream_seq, 2, "the consumer kept its position");
    assert.equal(after.num_pending, 4);

    // The new owner's own delete works as ever: refused with messages, done with agreement.
    await assert.rejects(stream.delete(newStream.id, newStream.outs), /holds 6 messages/);
    await consumer.delete(newConsumer.id, newConsumer.outs);
    await assert.rejects((await api()).consumerInfo(c.name, "k"));
    await stream.delete(newStream.id, { ...newStream.outs, allowDataLoss: true });
    await assert.rejects((await api()).streamInfo(c.name));
  });

  it("a renamed empty stream is not deleted by the old resource", async () => {
    const c = ctxFor("RE", server);
    const config = { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" };
    const old = await stream.create(withConnection(server, { ...config, owner: urn("Stream", "a") }));
    await stream.create(withConnection(server, { ...config, owner: urn("Stream", "inComponent") }));
    await stream.delete(old.id, old.outs);
    assert.equal(await messages(c.name), 0, "still there");
  });

  it("a rename with an alias (or a renamed stack) records the new owner with an update", async () => {
    const c = ctxFor("RA", server);
    const config = withConnection(server, { bucket: c.name, history: 2 });
    const { id, outs } = await kv.create({ ...config, owner: urn("KeyValue", "a") });
    const renamed = { ...config, owner: urn("KeyValue", "b") };
    assert.equal((await kv.diff(id, outs, renamed)).changes, true);
    const updated = await kv.update(id, outs, renamed);
    assert.equal((await metadataOf(`KV_${c.name}`))["pulumi-nats.owner"], urn("KeyValue", "b"));
    assert.equal((await kv.diff(id, updated.outs, renamed)).changes, false);
    // A state written before ownership (no owner) records one at its next update.
    const legacy = { ...outs };
    delete legacy.owner;
    assert.equal((await kv.diff(id, legacy, renamed)).changes, true);
  });
});
