// The root Pulumi.yaml program driven by the real Pulumi CLI against a real
// 3-node cluster: the review cycle a user goes through, asserted on the CLI's
// own preview output.
import assert from "node:assert/strict";
import { startCluster, natsCli, repoRoot } from "../harness";
import type { NatsCluster } from "../harness";
import { PulumiStack } from "./pulumi-cli";

interface StreamInfoJson {
  config: { max_age: number; storage: string; max_msgs: number; num_replicas: number };
  state: { messages: number; last_seq: number };
}

describe("e2e: the default program with the real Pulumi CLI", function () {
  this.timeout(300_000);
  const password = "e2e-Pa55word";
  let cluster: NatsCluster;
  let stack: PulumiStack;
  const streamInfo = async () =>
    (await natsCli(["stream", "info", "EVENTS"], { server: cluster, json: true })) as StreamInfoJson;

  before(async () => {
    cluster = await startCluster({
      auth: { type: "user", user: "app", password },
      maxFileStore: "40GB",
      maxMemoryStore: "12GB",
    });
    stack = await PulumiStack.create(repoRoot());
    await stack.config("servers", cluster.url);
    await stack.config("password", password, true);
  });
  after(async () => {
    await stack?.config("allowDataLoss", "true").catch(() => undefined);
    await stack?.run(["up", "--yes", "--skip-preview"]).catch(() => undefined);
    await stack?.dispose();
    await cluster?.stop();
  });

  it("creates the tutorial's assets, checked with the NATS CLI", async () => {
    const up = await stack.up();
    assert.match(up.output, /\+ 4 created/);
    const info = await streamInfo();
    assert.equal(info.config.max_age, 7 * 24 * 3600 * 1e9);
    assert.equal(info.config.num_replicas, 3);
    const consumer = (await natsCli(["consumer", "info", "EVENTS", "event-processor"], {
      server: cluster,
      json: true,
    })) as {
      config: { max_deliver: number; ack_wait: number; ack_policy: string };
    };
    assert.equal(consumer.config.max_deliver, 5);
    assert.equal(consumer.config.ack_wait, 30e9);
    assert.equal(consumer.config.ack_policy, "explicit");
  });

  it("keeps the password out of the state in plain text", () => {
    const state = stack.stateText();
    assert.ok(state.includes("EVENTS"));
    assert.ok(!state.includes(password), "the password must only be stored encrypted");
  });

  it("previews no change right after the apply", async () => {
    const preview = await stack.preview();
    assert.match(preview.output, /4 unchanged/);
    assert.doesNotMatch(preview.output, /to update|to replace|to create/);
  });

  it("previews an updatable edit as an update and applies it without losing messages", async () => {
    await natsCli(["pub", "events.signup", "hello", "--count", "25"], { server: cluster });
    await stack.config("eventsMaxAge", "14d");
    const preview = await stack.preview();
    assert.match(preview.output, /~ pulumi-nodejs:dynamic\/jetstream:Stream: \(update\)/);
    assert.match(preview.output, /~ maxAge\s*: "7d" => "14d"/);
    assert.match(preview.output, /~ 1 to update/);
    await stack.up();
    const info = await streamInfo();
    assert.equal(info.config.max_age, 14 * 24 * 3600 * 1e9);
    assert.equal(info.state.messages, 25);
    assert.equal(info.state.last_seq, 25);
  });

  it("refuses a replacement while the stream holds messages, then applies it once allowed", async () => {
    await stack.config("eventsStorage", "memory");
    const refused = await stack.preview(1);
    assert.match(
      refused.output,
      /Stream EVENTS holds 25 messages; replacing it \(storage cannot change in place\)/,
    );
    assert.match(refused.output, /allowDataLoss: true/);
    assert.equal((await streamInfo()).state.messages, 25, "the refused preview changed nothing");

    await stack.config("allowDataLoss", "true");
    const preview = await stack.preview();
    assert.match(preview.output, /\+-pulumi-nodejs:dynamic\/jetstream:Stream: \(replace\)/);
    assert.match(preview.output, /~ storage\s*: "file" => "memory"/);
    // The server deletes a stream's consumers with it: the consumer is replaced too.
    assert.match(preview.output, /\+-pulumi-nodejs:dynamic\/jetstream:Consumer: \(replace\)/);
    await stack.up();
    const info = await streamInfo();
    assert.equal(info.config.storage, "memory");
    assert.equal(info.state.messages, 0);
    const consumer = (await natsCli(["consumer", "info", "EVENTS", "event-processor"], {
      server: cluster,
      json: true,
    })) as {
      config: { durable_name: string };
    };
    assert.equal(consumer.config.durable_name, "event-processor");
  });

  it("finds a change made behind the program's back with refresh", async () => {
    await natsCli(["stream", "edit", "EVENTS", "--max-msgs", "100", "-f"], { server: cluster });
    const refresh = await stack.run(["refresh", "--yes", "--diff"], { expectCode: 0 });
    assert.match(refresh.output, /maxMsgs\s*: 100/);
    const preview = await stack.preview();
    assert.match(preview.output, /- maxMsgs\s*: 100/);
    assert.match(preview.output, /~ 1 to update/);
    assert.doesNotMatch(preview.output, /to create|to replace/);
    await stack.up();
    assert.equal((await streamInfo()).config.max_msgs, -1);
  });

  it("destroys everything it created", async () => {
    const destroy = await stack.run(["destroy", "--yes", "--skip-preview"], { expectCode: 0 });
    assert.match(destroy.output, /- 4 deleted/);
    const names = (await natsCli(["stream", "ls", "--names"], { server: cluster })) as string;
    assert.doesNotMatch(String(names), /EVENTS|KV_settings/);
  });
});
