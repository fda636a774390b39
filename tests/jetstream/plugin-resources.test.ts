// pulumi-nats/plugin registers the plugin's type tokens with the connection
// inline: servers as a list, and the whole connection secret whenever it
// carries a credential (under Pulumi's mocks; the real CLI and plugin are in
// tests/e2e/plugin-typescript.test.ts).
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stream, KeyValue } from "../../sdk/jetstream/plugin";
import type { ConnectionArgs } from "../../sdk/jetstream/connection-args";
import { captureRegistrations } from "./capture";

const stream = async (connection: ConnectionArgs) =>
  (
    await captureRegistrations(() => {
      new Stream("orders", { connection, name: "ORDERS", subjects: ["orders.>"] });
    })
  )[0];

describe("pulumi-nats/plugin resources", () => {
  it("register the plugin's type tokens with plain inputs and no serialized provider", async () => {
    const reg = await stream({ servers: "nats://127.0.0.1:4222" });
    assert.equal(reg.type, "nats:jetstream:Stream");
    assert.equal(reg.plain.name, "ORDERS");
    assert.equal(reg.plain.__provider, undefined);
    const kv = (
      await captureRegistrations(() => {
        new KeyValue("config", { connection: { servers: "nats://127.0.0.1:4222" }, bucket: "config" });
      })
    )[0];
    assert.equal(kv.type, "nats:jetstream:KeyValue");
  });

  it("send servers as a list, splitting a comma-separated string", async () => {
    const reg = await stream({ servers: "nats://127.0.0.1:4222, nats://127.0.0.1:4223" });
    assert.deepEqual((reg.plain.connection as { servers: string[] }).servers, [
      "nats://127.0.0.1:4222",
      "nats://127.0.0.1:4223",
    ]);
    assert.deepEqual(reg.secretInputs, []);
  });

  const credentials: [string, ConnectionArgs][] = [
    ["password", { servers: "nats://127.0.0.1:4222", user: "app", password: "s3cret" }],
    ["secret password", { servers: "nats://127.0.0.1:4222", user: "app", password: pulumi.secret("s3cret") }],
    ["token", { servers: "nats://127.0.0.1:4222", token: "t0ken" }],
    ["nkey seed", { servers: "nats://127.0.0.1:4222", nkeySeed: "SUAB" }],
    ["creds", { servers: "nats://127.0.0.1:4222", creds: "-----BEGIN NATS USER JWT-----" }],
    ["TLS key", { servers: "nats://127.0.0.1:4222", tls: { key: "-----BEGIN PRIVATE KEY-----" } }],
    ["user:pass@ in a URL", { servers: ["nats://app:s3cret@127.0.0.1:4222"] }],
  ];
  for (const [what, connection] of credentials) {
    it(`register the connection as a secret when it carries a ${what}`, async () => {
      const reg = await stream(connection);
      assert.deepEqual(reg.secretInputs, ["connection"]);
    });
  }
});
