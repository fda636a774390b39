// Issue 14, points 1-3, as a user sees them with the real Pulumi CLI:
// `pulumi preview` refuses a consumer replacement that empties an interest
// stream and a lowered maxMsgs, each with the count; allowDataLoss turns the
// second into a visible plannedDataLoss note and `pulumi up` removes exactly
// that many; a durable consumer's replacement resumes from its ack floor.
// Messages are counted on the server before and after each step.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer, NatsConnection } from "../harness";
import { inlineProject } from "./example-project";
import { PulumiStack, pulumiAvailable } from "./pulumi-cli";

const PROGRAM = (root: string) => `
const pulumi = require("@pulumi/pulumi");
const { Stream, Consumer } = require(${JSON.stringify(path.join(root, "bin/sdk/jetstream/dynamic.js"))});
const cfg = new pulumi.Config();
const connection = { servers: cfg.require("servers") };
const interest = new Stream("interest", { connection, name: "INTR", subjects: ["intr.>"], retention: "interest" });
new Consumer("ci", { connection, stream: interest, name: "ci", ackPolicy: cfg.get("ciAck") || "explicit" });
const limited = cfg.getNumber("maxMsgs");
new Stream("limited", {
  connection,
  name: "LIM",
  subjects: ["lim.>"],
  ...(limited ? { maxMsgs: limited } : {}),
  allowDataLoss: cfg.getBoolean("allowDataLoss") || false,
});
const work = new Stream("work", { connection, name: "POS", subjects: ["pos.>"] });
new Consumer("worker", { connection, stream: work, name: "worker", ackPolicy: cfg.get("workerAck") || "explicit" });
`;

describe("data loss at preview: with the real Pulumi CLI", function () {
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
    dir = inlineProject("loss-e2e", PROGRAM(root));
    stack = await PulumiStack.create(dir);
    await stack.config("servers", server.url);
  });
  after(async () => {
    await nc?.close();
    await stack?.dispose().catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  /** Shows what the user reads (the lines naming the resource) in the test log. */
  const show = (output: string, pattern: RegExp) =>
    console.log(
      output
        .split("\n")
        .filter((l) => pattern.test(l))
        .map((l) => `      | ${l.trim()}`)
        .join("\n"),
    );

  const count = async (stream: string) => {
    const { jetstreamManager } = await import("@nats-io/jetstream");
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  };
  const publish = async (subject: string, n: number) => {
    const { jetstream } = await import("@nats-io/jetstream");
    const js = jetstream(nc);
    for (let i = 0; i < n; i++) await js.publish(subject, `m${i}`);
  };

  it("refuses the interest consumer's replacement and a lowered maxMsgs with counts; keeps a replaced consumer's position", async () => {
    await stack.up();
    await publish("intr.a", 10);
    await publish("lim.a", 10);
    await publish("pos.a", 10);
    const { jetstream, jetstreamManager } = await import("@nats-io/jetstream");
    const worker = await jetstream(nc).consumers.get("POS", "worker");
    const acked: number[] = [];
    while (acked.length < 4) {
      for await (const m of await worker.fetch({ max_messages: 4 - acked.length, expires: 2000 })) {
        await m.ackAck();
        acked.push(m.seq);
      }
    }
    assert.deepEqual(acked, [1, 2, 3, 4]);

    // 1. The interest stream's only consumer replaced: the preview refuses, with the count.
    await stack.config("ciAck", "all");
    const interest = await stack.preview(1);
    assert.match(
      interest.output,
      /Consumer INTR\/ci: replacing it \(ackPolicy cannot change in place\) deletes it first, and on interest stream INTR the server then removes 10 of its 10 messages/,
    );
    show(interest.output, /INTR\/ci:/);
    assert.equal(await count("INTR"), 10, "nothing changed");
    await stack.config("ciAck", "explicit");

    // 2. maxMsgs lowered below what is held: refused, then agreed with a visible note, then applied.
    await stack.config("maxMsgs", "4");
    const lowered = await stack.preview(1);
    assert.match(lowered.output, /Stream LIM: maxMsgs unlimited -> 4 removes 6 of its 10 messages/);
    assert.match(lowered.output, /allowDataLoss: true/);
    show(lowered.output, /Stream LIM:/);
    assert.equal(await count("LIM"), 10, "nothing changed");
    await stack.config("allowDataLoss", "true");
    const agreed = await stack.preview();
    assert.match(
      agreed.output,
      /plannedDataLoss\s*: "Stream LIM: maxMsgs unlimited -> 4 removes 6 of its 10 messages"/,
    );
    assert.match(agreed.output, /~ pulumi-nodejs:dynamic\/jetstream:Stream: \(update\)/);
    show(agreed.output, /plannedDataLoss|maxMsgs/);

    // 3. The durable consumer replaced: a plain replacement that resumes after its ack floor.
    await stack.config("workerAck", "all");
    const replace = await stack.preview();
    assert.match(replace.output, /\+-pulumi-nodejs:dynamic\/jetstream:Consumer: \(replace\)/);
    await stack.up();
    assert.equal(await count("LIM"), 4, "the agreed loss is what the preview counted");
    assert.equal(await count("INTR"), 10);
    const ci = await (await jetstreamManager(nc)).consumers.info("POS", "worker");
    assert.equal(ci.config.ack_policy, "all");
    assert.equal(ci.ack_floor.stream_seq, 4, "the position is kept");
    assert.equal(ci.num_pending, 6, "nothing pending is skipped");
    const next = await (await jetstream(nc).consumers.get("POS", "worker")).next({ expires: 2000 });
    assert.equal(next?.seq, 5, "no acknowledged message is delivered again");

    const after = await stack.preview();
    assert.doesNotMatch(after.output, /to update|to replace|plannedDataLoss/);
  });
});
