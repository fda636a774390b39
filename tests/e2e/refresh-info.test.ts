// Issue 18, "outputs a program can act on", as a user sees it with the real
// Pulumi CLI: messages published and left unacknowledged show in the
// stream's and the consumer's `info` after `pulumi refresh`, the program
// reads them (stack outputs), and no counter ever makes a change:
// `preview --expect-no-changes` passes after up, after publishing and after
// the refresh. `refresh --run-program` updates the program's outputs too.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer } from "../harness";
import { publish } from "../jetstream/support";
import { inlineProject } from "./example-project";
import { PulumiStack, pulumiAvailable } from "./pulumi-cli";

const PROGRAM = (root: string) => `
const pulumi = require("@pulumi/pulumi");
const { Stream, Consumer } = require(${JSON.stringify(path.join(root, "bin/sdk/jetstream/dynamic.js"))});
const cfg = new pulumi.Config();
const connection = { servers: cfg.require("servers") };
const orders = new Stream("orders", { connection, name: "ORDERS", subjects: ["orders.>"] });
const billing = new Consumer("billing", { connection, stream: orders, name: "billing" });
exports.messages = orders.info.messages;
exports.bytes = orders.info.bytes;
exports.lastSeq = orders.info.lastSeq;
exports.pending = billing.info.pending;
exports.ackFloor = billing.info.ackFloorStreamSeq;
// Acting on lag: a number the program derives from the refreshed state.
exports.workers = billing.info.pending.apply((p) => Math.min(10, 1 + Math.floor(p / 10)));
`;

/** The state's `info` of the resource whose URN ends with `::name`. */
function infoOf(exported: {
  deployment: { resources: { urn: string; outputs?: Record<string, unknown> }[] };
}) {
  return (name: string) => {
    const r = exported.deployment.resources.find((x) => x.urn.endsWith(`::${name}`));
    assert.ok(r, `${name} is not in the state`);
    return r.outputs?.info as Record<string, number>;
  };
}

describe("e2e: refresh reads messages and lag into outputs, and never makes a change", function () {
  this.timeout(300_000);
  let server: NatsServer;
  let stack: PulumiStack;
  let dir: string;

  before(async function () {
    if (!pulumiAvailable()) this.skip();
    server = await startServer();
    dir = inlineProject("refresh-info", PROGRAM(repoRoot()));
    stack = await PulumiStack.create(dir);
    await stack.config("servers", server.url);
  });
  after(async () => {
    await stack?.config("allowDataLoss", "true").catch(() => undefined);
    await stack?.dispose().catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  const noChanges = () =>
    stack.run(["preview", "--diff", "--expect-no-changes"], { expectCode: 0 }).then((r) => r.output);
  const outputs = async () =>
    JSON.parse((await stack.run(["stack", "output", "--json"], { expectCode: 0 })).stdout) as Record<
      string,
      number
    >;
  const exported = async () =>
    JSON.parse((await stack.run(["stack", "export"], { expectCode: 0 })).stdout) as Parameters<
      typeof infoOf
    >[0];

  it("shows N messages and N pending after publish and refresh; previews no change throughout", async () => {
    await stack.up();
    assert.deepEqual(
      { ...(await outputs()), bytes: 0 },
      { messages: 0, bytes: 0, lastSeq: 0, pending: 0, ackFloor: 0, workers: 1 },
    );
    await noChanges();

    const n = 37;
    await publish(server, "orders.placed", n);
    await noChanges();

    await stack.run(["refresh", "--yes", "--skip-preview"], { expectCode: 0 });
    const info = infoOf(await exported());
    assert.equal(info("orders").messages, n, "the stream's messages in the state");
    assert.equal(info("orders").lastSeq, n);
    assert.equal(info("billing").pending, n, "the consumer's pending in the state");
    assert.equal(info("billing").ackFloorStreamSeq, 0);
    await noChanges();

    // The program reads the refreshed state: its outputs follow (up changes nothing else).
    await stack.run(["up", "--yes", "--skip-preview", "--expect-no-changes"], { expectCode: 0 });
    const after = await outputs();
    assert.equal(after.messages, n);
    assert.equal(after.pending, n);
    assert.equal(after.lastSeq, n);
    assert.equal(after.workers, 4);
    assert.ok(after.bytes > 0);
    await noChanges();

    // refresh --run-program reads the servers and runs the program: the outputs follow at once.
    await publish(server, "orders.placed", 5);
    const rerun = await stack.run(["refresh", "--yes", "--skip-preview", "--run-program"], { expectCode: 0 });
    assert.match(rerun.output, /~ messages: 37 => 42/);
    assert.match(rerun.output, /~ pending : 37 => 42/);
    assert.deepEqual(
      { ...(await outputs()), bytes: 0 },
      { messages: 42, bytes: 0, lastSeq: 42, pending: 42, ackFloor: 0, workers: 5 },
    );
    await noChanges();

    // up --refresh: the program runs on the refreshed state, and nothing is updated.
    await publish(server, "orders.placed", 3);
    const up = await stack.run(["up", "--yes", "--skip-preview", "--refresh", "--diff"], { expectCode: 0 });
    assert.match(up.output, /~ pending : 42 => 45/);
    assert.doesNotMatch(up.output, /\d+ (updated|created|deleted|replaced)\b/);
    assert.match(up.output, /3 unchanged/);
    assert.equal((await outputs()).pending, 45);
    await noChanges();

    // Pulumi 3.260's refresh shows what changes for the program's inputs (none
    // here); its legacy display shows the outputs that moved.
    await publish(server, "orders.placed", 4);
    const legacy = await stack.run(["refresh", "--yes", "--skip-preview", "--diff"], {
      expectCode: 0,
      env: { PULUMI_ENABLE_LEGACY_REFRESH_DIFF: "true" },
    });
    assert.match(legacy.output, /~ messages\s*: 45 => 49/);
    assert.match(legacy.output, /~ pending\s*: 45 => 49/);
    assert.equal(infoOf(await exported())("billing").pending, 49);
    await noChanges();
  });
});
