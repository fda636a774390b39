// Issue 14, points 4 and 5, with the real Pulumi CLI and a real server:
// - a Stream and a durable Consumer renamed in the program (no alias), or
//   moved into a component: `pulumi up` keeps the stream, every message and
//   the consumer's position, and the stack ends clean (it used to delete the
//   empty stream, or fail with messages and leave the stack stuck);
// - with the Inventory the docs recommend, removing a stream holding
//   messages, or the last consumer of an interest stream, fails `pulumi
//   preview` with the count; `pulumi destroy` deletes nothing while an asset
//   would lose messages, and everything once allowed.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer, NatsConnection } from "../harness";
import { inlineProject } from "./example-project";
import { PulumiStack, pulumiAvailable } from "./pulumi-cli";

const PROGRAM = (root: string) => `
const pulumi = require("@pulumi/pulumi");
const { Stream, Consumer, Inventory } = require(${JSON.stringify(path.join(root, "bin/sdk/jetstream/dynamic.js"))});
const cfg = new pulumi.Config();
const connection = { servers: cfg.require("servers") };
const allowDataLoss = cfg.getBoolean("allowDataLoss") || false;
const [streamName, consumerName] = (cfg.get("names") || "orders,billing").split(",");
const parent = cfg.getBoolean("inComponent") ? new pulumi.ComponentResource("app:index:Orders", "app") : undefined;
const assets = [];
if (!cfg.getBoolean("dropOrders")) {
  const orders = new Stream(streamName, { connection, name: "ORDERS", subjects: ["orders.>"], allowDataLoss }, { parent });
  const billing = new Consumer(consumerName, { connection, stream: orders, name: "billing", ackPolicy: "explicit", allowDataLoss }, { parent });
  assets.push(orders, billing);
}
const events = new Stream("events", { connection, name: "EVENTS", subjects: ["events.>"], retention: "interest", allowDataLoss });
assets.push(events);
if (!cfg.getBoolean("dropWatcher"))
  assets.push(new Consumer("watcher", { connection, stream: events, name: "watcher", ackPolicy: "explicit", allowDataLoss }));
if (cfg.getBoolean("inventory")) new Inventory("jetstream", { connection, assets });
`;

describe("data safety with the real Pulumi CLI: renames, removals, destroy", function () {
  this.timeout(600_000);
  let server: NatsServer;
  let nc: NatsConnection;
  const dirs: string[] = [];
  const stacks: PulumiStack[] = [];

  before(async function () {
    if (!pulumiAvailable()) this.skip();
    server = await startServer();
    nc = await server.connect();
  });
  after(async () => {
    await nc?.close();
    for (const s of stacks) {
      await s.config("allowDataLoss", "true").catch(() => undefined);
      await s.up().catch(() => undefined);
      await s.dispose().catch(() => undefined);
    }
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await server?.stop();
  });

  async function newStack(name: string): Promise<PulumiStack> {
    const root = repoRoot();
    const dir = inlineProject("safety-e2e", PROGRAM(root));
    dirs.push(dir);
    const stack = await PulumiStack.create(dir, name);
    stacks.push(stack);
    await stack.config("servers", server.url);
    return stack;
  }

  const jsm = async () => (await import("@nats-io/jetstream")).jetstreamManager(nc);
  const messages = async (stream: string) => (await (await jsm()).streams.info(stream)).state.messages;
  const consumerInfo = async (stream: string, name: string) => (await jsm()).consumers.info(stream, name);
  const streamExists = async (stream: string) =>
    (await jsm()).streams.info(stream).then(
      () => true,
      () => false,
    );
  async function publish(subject: string, count: number) {
    const js = (await import("@nats-io/jetstream")).jetstream(nc);
    for (let i = 0; i < count; i++) await js.publish(subject, `m${i}`);
  }
  async function ack(stream: string, consumer: string, count: number) {
    const c = await (await import("@nats-io/jetstream")).jetstream(nc).consumers.get(stream, consumer);
    for (let done = 0; done < count;) {
      const m = await c.next({ expires: 5000 });
      if (!m) continue;
      await m.ackAck();
      done++;
    }
  }
  async function resourcesInState(stack: PulumiStack): Promise<string[]> {
    const out = await stack.run(["stack", "export"], { expectCode: 0 });
    const deployment = JSON.parse(out.stdout).deployment;
    return (deployment.resources ?? []).map((r: { urn: string }) => r.urn.split("::").pop());
  }

  it("a renamed Stream and durable Consumer, then moved into a component: up keeps messages and position, the stack ends clean", async () => {
    const stack = await newStack("rename");
    await stack.up();
    await publish("orders.x", 6);
    await ack("ORDERS", "billing", 2);
    assert.equal(await messages("ORDERS"), 6);

    await stack.config("names", "orders-v2,billing-v2");
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.equal(up.code, 0, `renaming failed:\n${up.output}`);
    assert.equal(await messages("ORDERS"), 6, "every message kept");
    let ci = await consumerInfo("ORDERS", "billing");
    assert.equal(ci.ack_floor.stream_seq, 2, "the consumer kept its position");
    assert.equal(ci.num_pending, 4);
    let clean = await stack.preview();
    assert.doesNotMatch(clean.output, /to create|to update|to delete|to replace/);
    assert.ok((await resourcesInState(stack)).includes("orders-v2"));
    assert.ok(!(await resourcesInState(stack)).includes("orders"));

    await stack.config("inComponent", "true");
    const moved = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.equal(moved.code, 0, `moving into a component failed:\n${moved.output}`);
    assert.equal(await messages("ORDERS"), 6);
    ci = await consumerInfo("ORDERS", "billing");
    assert.equal(ci.ack_floor.stream_seq, 2);
    clean = await stack.preview();
    assert.doesNotMatch(clean.output, /to create|to update|to delete|to replace/);
    const owner = (await (await jsm()).streams.info("ORDERS")).config.metadata?.["pulumi-nats.owner"];
    assert.match(
      String(owner),
      /^urn:pulumi:rename::safety-e2e::app:index:Orders\$pulumi-nodejs:dynamic\/jetstream:Stream::orders-v2$/,
    );
  });

  it("with the Inventory: removals that lose messages fail preview with the count; destroy is all or nothing", async () => {
    // The first test's stack owns ORDERS and EVENTS (and would refuse to hand them over).
    for (const name of ["ORDERS", "EVENTS"]) await (await jsm()).streams.delete(name).catch(() => undefined);
    const stack = await newStack("inventory");
    await stack.config("inventory", "true");
    await stack.up();
    await publish("orders.x", 5);
    await publish("events.x", 5);
    assert.equal(await messages("EVENTS"), 5, "the watcher's interest keeps them");

    // The last consumer of an interest stream.
    await stack.config("dropWatcher", "true");
    const watcher = await stack.run(["preview", "--diff"]);
    assert.notEqual(watcher.code, 0);
    assert.match(
      watcher.output,
      /Consumer EVENTS\/watcher: its stream EVENTS keeps messages only while a consumer still has to acknowledge them \(retention: interest\), so the server drops 5 messages with it/,
    );
    assert.match(watcher.output, /allowDataLoss: true/);
    assert.equal(await messages("EVENTS"), 5);
    await stack.run(["config", "rm", "dropWatcher"], { expectCode: 0 });

    // A stream holding messages (and its consumer).
    await stack.config("dropOrders", "true");
    const orders = await stack.run(["preview", "--diff"]);
    assert.notEqual(orders.code, 0);
    assert.match(orders.output, /removing from the program these JetStream assets would destroy messages/);
    assert.match(orders.output, /Stream ORDERS holds 5 messages/);
    assert.doesNotMatch(orders.output, /Consumer ORDERS\/billing/, "counted with its stream");
    const refusedUp = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notEqual(refusedUp.code, 0);
    assert.equal(await messages("ORDERS"), 5, "up deleted nothing");
    assert.ok(await consumerInfo("ORDERS", "billing"));
    await stack.run(["config", "rm", "dropOrders"], { expectCode: 0 });
    assert.doesNotMatch((await stack.preview()).output, /to create|to update|to delete|to replace/);

    // destroy: the inventory goes first and refuses; nothing is deleted, state and server agree.
    const before = await resourcesInState(stack);
    const destroy = await stack.run(["destroy", "--yes", "--skip-preview"]);
    assert.notEqual(destroy.code, 0);
    assert.match(destroy.output, /destroying these JetStream assets would destroy messages/);
    assert.match(destroy.output, /Stream ORDERS holds 5 messages/);
    assert.match(destroy.output, /Stream EVENTS holds 5 messages/);
    assert.equal(await messages("ORDERS"), 5);
    assert.equal(await messages("EVENTS"), 5);
    assert.ok(await consumerInfo("ORDERS", "billing"));
    assert.ok(await consumerInfo("EVENTS", "watcher"));
    assert.deepEqual(await resourcesInState(stack), before, "every resource still in the state");

    // Allowed: destroy removes everything.
    await stack.config("allowDataLoss", "true");
    await stack.up();
    await stack.run(["destroy", "--yes", "--skip-preview"], { expectCode: 0 });
    assert.equal(await streamExists("ORDERS"), false);
    assert.equal(await streamExists("EVENTS"), false);
  });
});
