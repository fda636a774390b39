// The JetStream-only example run for real: the program users copy, applied
// with the real Pulumi CLI against a local server.
import assert from "node:assert/strict";
import { startServer, natsCli } from "../harness";
import type { NatsServer } from "../harness";
import { PulumiStack } from "./pulumi-cli";
import { exampleProject } from "./example-project";

describe("e2e: examples/jetstream-only with the real Pulumi CLI", function () {
  this.timeout(300_000);
  const password = "example-Pa55";
  let server: NatsServer;
  let project: ReturnType<typeof exampleProject>;
  let stack: PulumiStack;

  before(async () => {
    server = await startServer({ auth: { type: "user", user: "shop", password }, maxFileStore: "20GB" });
    project = exampleProject("jetstream-only");
    stack = await PulumiStack.create(project.dir, "dev");
    await stack.config("servers", server.url);
    await stack.config("user", "shop");
    await stack.config("password", password, true);
    await stack.config("replicas", "1");
  });
  after(async () => {
    await stack?.dispose();
    project?.dispose();
    await server?.stop();
  });

  it("applies the example and the NATS CLI sees every asset", async () => {
    const up = await stack.up();
    assert.match(up.output, /\+ 7 created/);
    const streams = String(await natsCli(["stream", "ls", "--names"], { server }));
    for (const name of ["ORDERS", "SHIPMENTS", "KV_sessions", "OBJ_invoices"])
      assert.match(streams, new RegExp(name));
    const orders = (await natsCli(["stream", "info", "ORDERS"], { server, json: true })) as {
      config: { max_age: number; duplicate_window: number; metadata: Record<string, string> };
    };
    assert.equal(orders.config.max_age, 30 * 24 * 3600 * 1e9);
    assert.equal(orders.config.duplicate_window, 5 * 60 * 1e9);
    assert.equal(orders.config.metadata.owner, "shop-team");
    const fulfilment = (await natsCli(["consumer", "info", "ORDERS", "fulfilment"], {
      server,
      json: true,
    })) as {
      config: { backoff: number[]; ack_wait: number; filter_subject?: string };
    };
    assert.deepEqual(fulfilment.config.backoff, [60e9, 300e9, 1800e9]);
    assert.equal(fulfilment.config.filter_subject, "orders.placed");
  });

  it("previews no change on a second run", async () => {
    const preview = await stack.preview();
    assert.match(preview.output, /7 unchanged/);
  });

  it("destroys what it created", async () => {
    const destroy = await stack.run(["destroy", "--yes", "--skip-preview"], { expectCode: 0 });
    assert.match(destroy.output, /- 7 deleted/);
  });
});
