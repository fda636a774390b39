// A TypeScript program's connection is split into public settings and secret
// credentials (dynamic.ts, splitConnection). Server URLs are credentials too
// when they carry user:pass@ (or the program marked them secret): they must
// reach the state only inside the secret `credentials`, and still connect.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { Stream, splitConnection } from "../../sdk/jetstream/dynamic";
import { captureRegistrations } from "./capture";
import { DynamicHost } from "./host-client";

const URN = "urn:pulumi:test::project::pulumi-nodejs:dynamic/jetstream:Stream::events";

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

describe("splitConnection keeps server URLs with credentials secret", function () {
  this.timeout(60_000);
  let server: NatsServer;
  let host: DynamicHost;

  before(async () => {
    server = await startServer({ auth: { type: "user", user: "app", password: "s3cret-pa55" } });
    host = await DynamicHost.start();
  });
  after(async () => {
    await host?.stop();
    await server?.stop();
  });

  const withUserinfo = () => server.url.replace("nats://", "nats://app:s3cret-pa55@");

  it("a URL with user:pass@ travels in the secret credentials; the public part shows it without them", async () => {
    const { connection, credentials } = splitConnection({ servers: [withUserinfo()] });
    assert.equal(await pulumi.isSecret(connection), false, "the public settings stay readable");
    assert.equal(await pulumi.isSecret(credentials), true);
    const pub = await valueOf(connection);
    assert.ok(!JSON.stringify(pub).includes("s3cret-pa55"), JSON.stringify(pub));
    assert.deepEqual(pub.servers, [server.url]);
    assert.deepEqual((await valueOf(credentials)).servers, [withUserinfo()]);
  });

  it("servers the program marked secret stay secret", async () => {
    const { connection, credentials } = splitConnection({ servers: pulumi.secret(server.url) });
    const pub = await valueOf(connection);
    assert.ok(!JSON.stringify(pub).includes(server.url), JSON.stringify(pub));
    assert.equal((await valueOf(credentials)).servers, server.url);
  });

  it("plain URLs stay in the public settings, and credentials carry no servers", async () => {
    const { connection, credentials } = splitConnection({ servers: server.url, user: "app", password: "pw" });
    assert.equal((await valueOf(connection)).servers, server.url);
    assert.equal((await valueOf(credentials)).servers, undefined);
  });

  it("a Stream reached through nats://user:pass@ connects, and the password is only in the secret input", async () => {
    const [registered] = await captureRegistrations(() => {
      new Stream("events", {
        connection: { servers: withUserinfo() },
        name: "USERINFO",
        subjects: ["userinfo.>"],
      });
    });
    assert.deepEqual(registered.secretInputs, ["credentials"]);
    const { credentials: _secret, ...visible } = registered.inputs;
    assert.ok(!JSON.stringify(visible).includes("s3cret-pa55"), JSON.stringify(visible));
    const checked = await host.check(URN, {}, registered.plain);
    assert.deepEqual(checked.failures, []);
    const { id, outs } = await host.create(URN, checked.inputs);
    assert.equal(id, "USERINFO");
    await host.delete(URN, id, outs);
  });
});
