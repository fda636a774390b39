// Construct of NatsCluster over gRPC: the plugin process is started with the
// address of a fake engine (tests/provider/fake-engine.ts) that serves the
// resource monitor, so the component's children are registered as with the
// real engine (whose Kubernetes provider and cluster are not available here).
import assert from "node:assert/strict";
import { FakeEngine } from "./fake-engine";
import { PluginProcess } from "./plugin-client";
import type { Props } from "./plugin-client";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Props)[SIG] === SECRET;

describe("NatsCluster through the plugin's Construct over gRPC (fake engine)", function () {
  this.timeout(60_000);
  let engine: FakeEngine;
  let plugin: PluginProcess;

  before(async () => {
    engine = await FakeEngine.start();
    plugin = await PluginProcess.start(engine.address);
  });
  after(async () => {
    await plugin?.stop();
    await engine?.stop();
  });

  it("registers the component and its children with the monitor and returns its state", async () => {
    const { urn, state } = await plugin.construct(
      "nats:index:NatsCluster",
      "events",
      {
        zones: ["zone-a", "zone-b", "zone-c"],
        platform: { kubernetes: { kubeconfig: { [SIG]: SECRET, value: "apiVersion: v1\n" } } },
        access: { mode: "url", url: "nats://nats.internal:4222" },
      },
      engine.address,
    );
    assert.equal(urn, "urn:pulumi:test::project::nats:index:NatsCluster::events");
    const types = engine.registrations.map((r) => r.type);
    assert.ok(types.includes("nats:index:NatsCluster"));
    assert.ok(types.includes("kubernetes:helm.sh/v4:Chart"), types.join(", "));
    const children = engine.registrations.filter((r) => r.parent === urn);
    assert.ok(children.length >= 4, `children: ${children.map((c) => c.type).join(", ")}`);
    assert.deepEqual(state.zones, ["zone-a", "zone-b", "zone-c"]);
    assert.equal(state.replicas, 3);
    assert.ok(isSecret(state.connection), "connection is secret");
    const conn = (state.connection as Props).value as Props;
    assert.deepEqual(conn.servers, ["nats://nats.internal:4222"]);
    assert.ok(isSecret(state.appPassword), "the app password is secret");
  });

  it("reports args the planner refuses as an error of the Construct call", async () => {
    await assert.rejects(
      plugin.construct("nats:index:NatsCluster", "bad", { zones: [], platform: {} }, engine.address),
      /zones|platform/,
    );
  });
});
