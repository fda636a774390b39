// Construct of NatsCluster through the plugin's provider object, in process
// under Pulumi mocks: the resolution of engine-shaped inputs (Outputs for
// values with dependencies or secrets) and the returned state. The same
// method over gRPC, with a fake resource monitor, is in construct-grpc.test.ts.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { buildCluster, valueOf, isSecret } from "../cluster/mocks";
import { NatsProvider, COMPONENT_TOKEN, defaultSchemaPath } from "../../sdk/provider/provider";
import { resolvePlainInputs } from "../../sdk/provider/plain-inputs";

/** An Output as the provider server deserializes one: known or not, secret or not. */
function output<T>(value: T, opts: { secret?: boolean; known?: boolean } = {}): pulumi.Output<T> {
  const OutputImpl = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<T>;
  return new OutputImpl(
    [],
    Promise.resolve(value),
    Promise.resolve(opts.known ?? true),
    Promise.resolve(opts.secret ?? false),
    Promise.resolve([]),
  );
}

describe("NatsCluster through the plugin's construct (in process, under mocks)", function () {
  this.timeout(60_000);
  const provider = NatsProvider.fromFile();
  const schema = JSON.parse(fs.readFileSync(defaultSchemaPath(), "utf8"));

  it("builds the component from engine-shaped inputs and returns its urn and every declared output", async () => {
    const build = await buildCluster(() =>
      provider.construct(
        "events",
        COMPONENT_TOKEN,
        {
          // A graph-shaping arg that arrived as an Output (it had a dependency): resolved to its value.
          zones: output(["zone-a", "zone-b", "zone-c"]),
          platform: { kubernetes: { kubeconfig: output("apiVersion: v1\n", { secret: true }) } },
          access: { mode: "url", url: "nats://nats.internal:4222" },
          replicas: 3,
        },
        {},
      ),
    );
    const result = await build.value;
    const urn = await valueOf(pulumi.output(result.urn));
    assert.match(urn, /::nats:index:NatsCluster::events$/);
    assert.ok(build.registered.some((r) => r.type === COMPONENT_TOKEN && r.name === "events"));
    assert.deepEqual(
      Object.keys(result.state).sort(),
      Object.keys(schema.resources[COMPONENT_TOKEN].properties).sort(),
    );
    assert.deepEqual(await valueOf(result.state.zones as pulumi.Output<string[]>), [
      "zone-a",
      "zone-b",
      "zone-c",
    ]);
    assert.equal(await valueOf(result.state.replicas as pulumi.Output<number>), 3);
    const conn = await valueOf(result.state.connection as pulumi.Output<{ servers: unknown; user?: string }>);
    assert.deepEqual(conn.servers, ["nats://nats.internal:4222"]);
    assert.equal(conn.user, "app");
    assert.equal(await isSecret(result.state.connection), true);
    assert.equal(await isSecret(result.state.appPassword), true);
  });

  it("keeps Outputs where the args accept Inputs and refuses unknown plain values", async () => {
    const types = schema.types;
    const props = schema.resources[COMPONENT_TOKEN].inputProperties;
    const kubeconfig = output("kc", { secret: true });
    const resolved = (await resolvePlainInputs(
      {
        zones: output(["a"]),
        platform: output({ kubernetes: { kubeconfig } }),
        resources: output({ requests: { cpu: "1", memory: "1Gi" } }),
      },
      props,
      types,
    )) as { zones: unknown; platform: { kubernetes: { kubeconfig: unknown } }; resources: unknown };
    assert.deepEqual(resolved.zones, ["a"]);
    assert.equal(
      resolved.platform.kubernetes.kubeconfig,
      kubeconfig,
      "an Input-typed field keeps its Output",
    );
    assert.deepEqual(resolved.resources, { requests: { cpu: "1", memory: "1Gi" } });

    await assert.rejects(
      resolvePlainInputs({ zones: output(undefined, { known: false }) }, props, types),
      (err: Error & { propertyPath?: string }) =>
        err.propertyPath === "zones" && /must be known/.test(err.message),
    );
  });

  it("refuses other component types", async () => {
    await assert.rejects(provider.construct("x", "nats:index:Other", {}, {}), /unknown component type/);
  });
});
