// The plugin under the real Pulumi engine (the CLI built by
// scripts/install-pulumi.sh), against a real nats-server: a program that
// registers nats:jetstream:Stream and Consumer by type token, as an SDK
// generated from schema.json does, with the plugin found through Pulumi.yaml's
// `plugins.providers` (tests/provider/engine-program). Skipped without the CLI.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer } from "../harness";
import { publish } from "../jetstream/support";
import { PulumiStack, pulumiAvailable } from "./pulumi-cli";

const PASSWORD = "plugin-pa55-e2e";

describe("the nats plugin under the Pulumi engine", function () {
  this.timeout(240_000);
  let server: NatsServer;
  let stack: PulumiStack | undefined;

  before(async function () {
    if (!pulumiAvailable()) this.skip();
    server = await startServer({ auth: { type: "user", user: "app", password: PASSWORD } });
    stack = await PulumiStack.create(path.join(repoRoot(), "tests/provider/engine-program"), "plugin");
    await stack.config("url", server.url);
    await stack.config("password", PASSWORD, true);
  });
  after(async () => {
    if (stack) {
      await stack.config("allowDataLoss", "true");
      await stack.dispose();
    }
    await server?.stop();
  });

  it("creates, previews an update and a replacement, refuses data loss, and keeps the password secret", async () => {
    const s = stack!;
    const up = await s.up();
    assert.match(up.output, /\+ nats:jetstream:Stream: \(create\)/);
    const outputs = JSON.parse((await s.run(["stack", "output", "--json"], { expectCode: 0 })).stdout);
    assert.equal(outputs.streamName, "VIA_PLUGIN");
    assert.equal(outputs.consumerStream, "VIA_PLUGIN");
    assert.equal(outputs.connection, "[secret]");
    assert.ok(!s.stateText().includes(PASSWORD), "the password is in the state in plain text");

    assert.match((await s.preview()).output, /0 to update|unchanged/);

    await s.config("maxAge", "2h");
    const update = (await s.preview()).output;
    assert.match(update, /~ nats:jetstream:Stream: \(update\)/);
    assert.match(update, /~ maxAge: "1h" => "2h"/);

    await s.config("storage", "memory");
    const replace = (await s.preview()).output;
    assert.match(replace, /\+-nats:jetstream:Stream: \(replace\)/);
    assert.match(
      replace,
      /\+ storage: "memory"/,
      "the detailed diff names the field that forces the replacement",
    );

    await publish(server, "via_plugin.a", 2);
    const refused = await s.preview(1);
    assert.match(refused.output, /holds 2 messages.*allowDataLoss/s);

    await s.config("allowDataLoss", "true");
    const accepted = await s.up();
    assert.match(accepted.output, /replaced/);
  });

  it("is served by the package itself as a nodejs plugin (PulumiPlugin.yaml) when the main module calls startIfRunAsPlugin", async () => {
    // A package like this one, whose main module calls the hook first and then
    // exports the public API (NatsCluster included), in a scratch directory.
    const root = repoRoot();
    const scratch = fs.mkdtempSync(path.join(root, ".cache", "plugin-e2e-"));
    const pkg = path.join(scratch, "package");
    const program = path.join(scratch, "program");
    fs.mkdirSync(pkg);
    fs.mkdirSync(program);
    fs.writeFileSync(
      path.join(pkg, "PulumiPlugin.yaml"),
      fs.readFileSync(path.join(root, "PulumiPlugin.yaml")),
    );
    fs.writeFileSync(
      path.join(pkg, "package.json"),
      JSON.stringify({ name: "nats-plugin-e2e", main: "index.js" }),
    );
    fs.writeFileSync(
      path.join(pkg, "index.js"),
      `require(${JSON.stringify(path.join(root, "bin/sdk/provider/plugin-mode"))}).startIfRunAsPlugin(module);\n` +
        `module.exports = require(${JSON.stringify(path.join(root, "bin/sdk/index.js"))});\n`,
    );
    const source = path.join(root, "tests/provider/engine-program");
    fs.copyFileSync(path.join(source, "index.js"), path.join(program, "index.js"));
    fs.writeFileSync(
      path.join(program, "Pulumi.yaml"),
      fs
        .readFileSync(path.join(source, "Pulumi.yaml"), "utf8")
        .replace("../../../sdk/provider", "../package"),
    );
    const s = await PulumiStack.create(program, "nodejs-plugin");
    try {
      await s.config("url", server.url);
      await s.config("password", PASSWORD, true);
      // Our Check runs (the experimental component host would accept anything).
      await s.config("maxAge", "7 days");
      assert.match((await s.preview(1)).output, /"7 days" is not a duration/);
      await s.config("maxAge", "1h");
      await s.config("streamName", "FROM_PACKAGE");
      await s.config("storage", "memory");
      const up = await s.run(["up", "--yes", "--skip-preview"], { expectCode: 0 });
      assert.match(up.output, /streamName\s*:\s*"FROM_PACKAGE"/);
    } finally {
      await s.dispose();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
