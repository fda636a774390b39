// The migration as a user sees it, with the real Pulumi CLI: refuse names the
// count, recreate previews a replacement with the count, migrate previews an
// update with `plannedMigration` (the consumer is not replaced), `pulumi up`
// keeps every message and the consumer's position, and the next preview shows
// no change.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer, NatsConnection } from "../harness";
import { inlineProject } from "./example-project";
import { PulumiStack, pulumiAvailable } from "./pulumi-cli";
import { fill, consumeSome } from "../migrate/support";

const PROGRAM = (root: string) => `
const pulumi = require("@pulumi/pulumi");
const { Stream, Consumer } = require(${JSON.stringify(path.join(root, "bin/sdk/jetstream/dynamic.js"))});
const cfg = new pulumi.Config();
const connection = { servers: cfg.require("servers") };
const orders = new Stream("orders", {
  connection,
  name: "ORDERS",
  subjects: ["orders.>"],
  storage: cfg.get("storage") || "file",
  replaceStrategy: cfg.get("strategy") || "refuse",
});
new Consumer("billing", { connection, stream: orders, name: "billing", ackPolicy: "explicit" });
`;

describe("migrate: with the real Pulumi CLI", function () {
  this.timeout(300_000);
  let server: NatsServer;
  let nc: NatsConnection;
  let stack: PulumiStack;
  let dir: string;

  before(async function () {
    if (!pulumiAvailable()) this.skip();
    server = await startServer();
    nc = await server.connect();
    const root = repoRoot();
    dir = inlineProject("migrate-e2e", PROGRAM(root));
    stack = await PulumiStack.create(dir);
    await stack.config("servers", server.url);
  });
  after(async () => {
    await nc?.close();
    await stack?.config("strategy", "recreate").catch(() => undefined);
    await stack?.dispose().catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  it("refuse, recreate and migrate as previews; migrate applied keeps messages and the consumer's position", async () => {
    await stack.up();
    await fill(nc, ["orders.a", "orders.b"], 1000);
    await consumeSome(nc, "ORDERS", "billing-probe", 0).catch(() => undefined);
    // Acknowledge part of the declared consumer's messages.
    const { jetstream, jetstreamManager } = await import("@nats-io/jetstream");
    const c = await jetstream(nc).consumers.get("ORDERS", "billing");
    let acked = 0;
    while (acked < 400) {
      const batch = await c.fetch({ max_messages: 100, expires: 2000 });
      for await (const m of batch) {
        await m.ackAck();
        acked++;
      }
    }
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete("ORDERS", "billing-probe").catch(() => undefined);

    await stack.config("storage", "memory");
    const refused = await stack.preview(1);
    assert.match(
      refused.output,
      /Stream ORDERS holds 1000 messages; replacing it \(storage cannot change in place\)/,
    );
    assert.match(refused.output, /replaceStrategy: "migrate"/);

    await stack.config("strategy", "recreate");
    const recreate = await stack.preview();
    assert.match(recreate.output, /\+-pulumi-nodejs:dynamic\/jetstream:Stream: \(replace\)/);
    assert.match(recreate.output, /plannedDataLoss\s*: "Stream ORDERS holds 1000 messages; replacing it/);

    await stack.config("strategy", "migrate");
    const preview = await stack.preview();
    console.log(
      preview.output
        .split("\n")
        .filter((l) => /Stream|Consumer|plannedMigration|storage|to update|to replace|unchanged/.test(l))
        .map((l) => `      | ${l}`)
        .join("\n"),
    );
    assert.match(preview.output, /~ pulumi-nodejs:dynamic\/jetstream:Stream: \(update\)/);
    assert.match(
      preview.output,
      /\+ plannedMigration\s*: "storage file -> memory: migrate via copy MIGRATING_ORDERS; keeps messages, sequences, consumer positions; 2 short write pauses"/,
    );
    assert.match(preview.output, /~ storage\s*: "file" => "memory"/);
    assert.doesNotMatch(preview.output, /\(replace\)/);
    assert.doesNotMatch(preview.output, /Consumer: \(/);

    await stack.up();
    const info = await jsm.streams.info("ORDERS");
    assert.equal(info.config.storage, "memory");
    assert.equal(info.state.messages, 1000);
    assert.equal(info.state.last_seq, 1000);
    const ci = await jsm.consumers.info("ORDERS", "billing");
    assert.equal(ci.ack_floor.stream_seq, 400);

    const after = await stack.preview();
    assert.match(after.output, /3 unchanged/);
    assert.doesNotMatch(after.output, /to update|to replace|plannedMigration/);
  });
});
