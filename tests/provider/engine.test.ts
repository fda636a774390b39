// The plugin under the real Pulumi engine (the CLI built by
// scripts/install-pulumi.sh), against a real nats-server: a program that
// registers nats:jetstream:Stream and Consumer by type token, as an SDK
// generated from schema.json does, with the plugin found through Pulumi.yaml's
// `plugins.providers` (tests/provider/engine-program). Skipped without the CLI.
import assert from "node:assert/strict";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer } from "../harness";
import { publish } from "../jetstream/support";
import { PulumiStack, pulumiAvailable } from "../e2e/pulumi-cli";

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

    await publish(server, "plugin.a", 2);
    const refused = await s.preview(1);
    assert.match(refused.output, /holds 2 messages.*allowDataLoss/s);

    await s.config("allowDataLoss", "true");
    const accepted = await s.up();
    assert.match(accepted.output, /replaced/);
  });
});
