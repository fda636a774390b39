// A TypeScript program using the plugin provider (`pulumi-nats/plugin`) with
// the real Pulumi CLI against a real 3-node cluster: the project names the
// package as its plugin in Pulumi.yaml, the resources are the plugin's types, the
// password stays out of the state, and up, an in-place update, and destroy work.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startCluster, natsCli, repoRoot } from "../harness";
import type { NatsCluster } from "../harness";
import { PulumiStack } from "./pulumi-cli";

function pluginProject(): string {
  const root = repoRoot();
  const program = path.join(root, "bin", "tests", "e2e", "plugin-typescript", "index.js");
  if (!fs.existsSync(program)) throw new Error(`${program} is missing: run npm run build`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-nats-plugin-ts-"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      "name: plugin-typescript",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      `main: ${program}`,
      "plugins:",
      "  providers:",
      "    - name: nats",
      // The package root, as \`node_modules/pulumi-nats\` in an installed project:
      // the engine serves it through PulumiPlugin.yaml (runtime nodejs).
      `      path: ${root}`,
      "",
    ].join("\n"),
  );
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

describe("e2e: a TypeScript program through the nats plugin (pulumi-nats/plugin)", function () {
  this.timeout(300_000);
  const password = "e2e-Plug1n-pass";
  let cluster: NatsCluster;
  let stack: PulumiStack;
  let dir: string;
  const maxAge = async () =>
    (
      (await natsCli(["stream", "info", "ORDERS"], { server: cluster, json: true })) as {
        config: { max_age: number };
      }
    ).config.max_age;

  before(async () => {
    cluster = await startCluster({ auth: { type: "user", user: "app", password }, maxFileStore: "4GB" });
    dir = pluginProject();
    stack = await PulumiStack.create(dir, "plugin");
    await stack.config("servers", cluster.url);
    await stack.config("password", password, true);
  });
  after(async () => {
    await stack?.dispose();
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates the stream and the consumer as the plugin's resource types", async () => {
    const up = await stack.up();
    assert.match(up.output, /\+ 3 created/);
    assert.equal(await maxAge(), 7 * 24 * 3600 * 1e9);
    const consumer = (await natsCli(["consumer", "info", "ORDERS", "fulfilment"], {
      server: cluster,
      json: true,
    })) as {
      config: { ack_wait: number };
    };
    assert.equal(consumer.config.ack_wait, 30e9);
    const state = stack.stateText();
    assert.match(state, /nats:jetstream:Stream::orders/);
    assert.match(state, /nats:jetstream:Consumer::fulfilment/);
    assert.doesNotMatch(state, /pulumi-nodejs:dynamic/);
    assert.doesNotMatch(state, /__provider/);
  });

  it("keeps the password out of the state in plain text", () => {
    const state = stack.stateText();
    assert.ok(state.includes("ORDERS"));
    assert.ok(!state.includes(password), "the password must only be stored encrypted");
  });

  it("previews no change after the apply, then applies an in-place update", async () => {
    const preview = await stack.preview();
    assert.match(preview.output, /3 unchanged/);
    await stack.config("ordersMaxAge", "14d");
    const diff = await stack.preview();
    assert.match(diff.output, /~ 1 to update/);
    await stack.up();
    assert.equal(await maxAge(), 14 * 24 * 3600 * 1e9);
  });

  it("destroys the stream and the consumer", async () => {
    const destroyed = await stack.run(["destroy", "--yes", "--skip-preview"], { expectCode: 0 });
    assert.match(destroyed.output, /- 3 deleted/);
    const list = (await natsCli(["stream", "ls", "--names"], { server: cluster })) as unknown;
    assert.doesNotMatch(String(list), /ORDERS/);
  });
});
