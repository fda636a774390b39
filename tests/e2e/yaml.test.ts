// Pulumi YAML programs through the nats provider plugin, with the real CLI and
// Pulumi's YAML language host (scripts/install-pulumi-yaml.sh), against real
// nats-server processes: examples/yaml's life (up, an in-place update shown by
// preview --diff, a replacement refused while the stream holds messages,
// destroy), and every way of presenting credentials kept out of the state.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { natsCli, repoRoot, sharedTls, startServer } from "../harness";
import type { NatsServer } from "../harness";
import { publish } from "../jetstream/support";
import { PulumiStack } from "./pulumi-cli";

function requireYamlHost(): void {
  const host = path.join(repoRoot(), ".cache", "pulumi", "bin", "pulumi-language-yaml");
  if (!fs.existsSync(host))
    throw new Error(`${host} is missing: run bash scripts/install-pulumi-yaml.sh (scripts/test.sh does)`);
}

describe("e2e: a Pulumi YAML program through the nats plugin (examples/yaml)", function () {
  this.timeout(300_000);
  const password = "yaml-Pa55-example";
  let server: NatsServer;
  let stack: PulumiStack;

  before(async () => {
    requireYamlHost();
    server = await startServer({ auth: { type: "user", user: "app", password } });
    stack = await PulumiStack.create(path.join(repoRoot(), "examples", "yaml"), "yaml");
    await stack.config("url", server.url);
    await stack.config("password", password, true);
  });
  after(async () => {
    if (stack) {
      await stack.config("allowDataLoss", "true");
      await stack.dispose();
    }
    await server?.stop();
  });

  it("creates the stream, consumer and KV bucket", async () => {
    const up = await stack.up();
    assert.match(up.output, /\+ 4 created/);
    const outputs = JSON.parse((await stack.run(["stack", "output", "--json"], { expectCode: 0 })).stdout);
    assert.equal(outputs.ordersStream, "ORDERS");
    const names = String(await natsCli(["stream", "ls", "--names"], { server }));
    for (const name of ["ORDERS", "KV_settings"]) assert.match(names, new RegExp(name));
    assert.match(String(await natsCli(["consumer", "ls", "ORDERS", "--names"], { server })), /fulfilment/);
    assert.ok(!stack.stateText().includes(password), "the password is in the state in plain text");
  });

  it("previews no change, then an in-place update field by field", async () => {
    assert.match((await stack.preview()).output, /4 unchanged/);
    await stack.config("ordersMaxAge", "14d");
    const update = (await stack.preview()).output;
    assert.match(update, /~ nats:jetstream:Stream: \(update\)/);
    assert.match(update, /~ maxAge: "7d" => "14d"/);
    assert.match(update, /1 to update/);
    await stack.up();
    const info = (await natsCli(["stream", "info", "ORDERS"], { server, json: true })) as {
      config: { max_age: number };
    };
    assert.equal(info.config.max_age, 14 * 24 * 3600 * 1e9);
  });

  it("refuses at preview a replacement that would destroy the stream's messages", async () => {
    await publish(server, "orders.placed", 3);
    await stack.config("ordersStorage", "memory");
    const refused = await stack.preview(1);
    assert.match(refused.output, /holds 3 messages.*allowDataLoss/s);
    const info = (await natsCli(["stream", "info", "ORDERS"], { server, json: true })) as {
      state: { messages: number };
    };
    assert.equal(info.state.messages, 3, "the refused preview touched the stream");
    await stack.config("ordersStorage", "file");
  });

  it("reads the messages and the consumer's lag in a refresh, and previews no change after it", async () => {
    // Left from the previous test: 3 messages, none delivered.
    const expectNoChanges = () => stack.run(["preview", "--diff", "--expect-no-changes"], { expectCode: 0 });
    await expectNoChanges();
    const refresh = await stack.run(["refresh", "--yes", "--skip-preview", "--run-program"], {
      expectCode: 0,
    });
    assert.match(refresh.output, /~ fulfilmentPending: 0 => 3/);
    const outputs = JSON.parse((await stack.run(["stack", "output", "--json"], { expectCode: 0 })).stdout);
    assert.equal(outputs.ordersMessages, 3);
    assert.equal(outputs.fulfilmentPending, 3);
    await expectNoChanges();
    await stack.run(["refresh", "--yes", "--skip-preview"], { expectCode: 0 });
    await expectNoChanges();
  });

  it("destroys what it created", async () => {
    await stack.config("allowDataLoss", "true");
    await stack.up();
    const destroy = await stack.run(["destroy", "--yes", "--skip-preview"], { expectCode: 0 });
    assert.match(destroy.output, /- 4 deleted/);
    assert.doesNotMatch(String(await natsCli(["stream", "ls", "--names"], { server })), /ORDERS|KV_settings/);
  });
});

describe("e2e: credentials given to the nats plugin from YAML stay out of the state", function () {
  this.timeout(300_000);
  const password = "yaml-url-Pa55";
  const servers: NatsServer[] = [];
  let stack: PulumiStack;
  let secrets: Record<string, string>;

  before(async () => {
    requireYamlHost();
    const tls = await sharedTls();
    const [userServer, openServer, tokenServer, nkeyServer, tlsServer] = await Promise.all([
      startServer({ auth: { type: "user", user: "app", password } }),
      // The NATS client does not present a URL's user:password@ (a server
      // requiring them answers "Authorization Violation"), so that bucket
      // lives on a server without auth: what matters is what the state keeps.
      startServer(),
      startServer({ auth: "token" }),
      startServer({ auth: "nkey" }),
      startServer({ tls: { verify: true, material: tls } }),
    ]);
    servers.push(userServer, openServer, tokenServer, nkeyServer, tlsServer);
    const token = tokenServer.auth?.type === "token" ? tokenServer.auth.token : "";
    const seed = nkeyServer.auth?.type === "nkey" ? nkeyServer.auth.seed : "";
    // A .creds file: a user JWT and the nkey seed. The server is not in
    // operator mode, so it checks the seed's signature against its nkey users.
    const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJ5YW1sIjoiY3JlZHMtdGVzdCJ9.c2lnbmF0dXJl";
    const creds =
      `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n` +
      `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
    const urlWithCredentials = openServer.url.replace("nats://", `nats://app:${password}@`);
    secrets = {
      password,
      "servers with user:password@": `app:${password}@`,
      token,
      "nkey seed": seed,
      "creds JWT": jwt,
      "TLS key": tls.client.keyPem.split("\n").filter((l) => l && !l.startsWith("-----"))[1],
    };
    stack = await PulumiStack.create(path.join(repoRoot(), "tests", "e2e", "yaml-credentials"), "creds");
    const config: Record<string, string> = {
      userUrl: userServer.url,
      password,
      urlWithCredentials,
      tokenUrl: tokenServer.url,
      token,
      nkeyUrl: nkeyServer.url,
      nkeySeed: seed,
      creds,
      tlsUrl: tlsServer.url,
      tlsCa: tls.ca.certPem,
      tlsCert: tls.client.certPem,
      tlsKey: tls.client.keyPem,
    };
    // Plain (not --secret) config: only the plugin can mark them secret.
    // set-all takes key=value as a flag's value, so PEM text starting with
    // "-----" is not read as a flag.
    const pairs = Object.entries(config).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]);
    await stack.run(["config", "set-all", ...pairs], { expectCode: 0 });
  });
  after(async () => {
    await stack?.dispose();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("creates one KV bucket per kind of credential, each reaching its server", async () => {
    const up = await stack.up();
    assert.match(up.output, /\+ 7 created/);
  });

  // Credentials from plain config: only the plugin's check can mark them
  // secret (every `secret: true` field of the schema, and servers whose URL
  // carries user:password@).
  it("keeps the password, URL credentials, token, nkey seed, creds and TLS key out of the state", () => {
    const state = stack.stateText();
    const leaked = Object.entries(secrets)
      .filter(([, value]) => value && state.includes(value))
      .map(([name]) => name);
    assert.deepEqual(leaked, [], `in the state in plain text: ${leaked.join(", ")}`);
  });
});
