// NatsCluster with auth.mode "jwt": under Pulumi mocks the credentials
// Secret holds the operator/resolver include and the .creds of the system
// and application users, each tenant user's Secret its .creds, and every
// connection output logs in with .creds (no password anywhere). Then that
// very include runs on three real servers from the rendered config: the
// component's `connection` creates a stream through the provider core, and
// the system user's .creds reach the system account, as the cluster
// operations need.
import assert from "node:assert/strict";
import { plan } from "../../sdk/cluster/plan/plan";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { renderRoutesInclude } from "../../sdk/cluster/security/auth";
import { connectSystem } from "../../sdk/cluster/ops/connect";
import { cores } from "../../sdk/jetstream/core";
import { closeAll } from "../../sdk/jetstream/connection";
import type { ConnectionArgs } from "../../sdk/jetstream/connection-args";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { awsArgs } from "./fixtures";
import { buildCluster, isSecret, plain, valueOf, type Build } from "./mocks";
import { startRenderedServers, type RenderedServers } from "./rendered-servers";

type Cluster = import("../../sdk/cluster/component").NatsCluster;

const ARGS: NatsClusterArgs = awsArgs({
  access: { mode: "url", url: "nats://nats.vpn.example.com:4222" },
  auth: {
    mode: "jwt",
    accounts: [
      {
        name: "ACME",
        jetstream: { maxFile: "1Mi", maxFileStreamBytes: "512Ki" },
        users: [{ name: "acme-app" }, { name: "acme-gone", revoked: true }],
      },
    ],
  },
});

describe('auth.mode "jwt"', function () {
  this.timeout(90_000);
  let b: Build<Cluster>;
  let data: Record<string, string>;
  let servers: RenderedServers | undefined;

  before(async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    b = await buildCluster((transformations) => new NatsCluster("events", ARGS, { transformations }));
    const creds = b.captured.find((c) => c.name === "events-credentials")!;
    assert.ok(await isSecret(creds.props.stringData));
    data = (await plain(creds.props.stringData)) as Record<string, string>;
  });
  after(async () => {
    await closeAll();
    servers?.stop();
  });

  it("refuses what JWT mode does not take, each naming its field", () => {
    try {
      plan("events", {
        ...awsArgs(),
        leafnodes: {},
        auth: {
          mode: "jwt",
          appPassword: "x".repeat(20),
          accounts: [
            {
              name: "A",
              users: [{ name: "a", password: "y".repeat(20) }],
              exports: [{ stream: "a.>", accounts: ["B"] }],
            },
            { name: "B" },
          ],
        },
      });
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof NatsClusterArgsError, String(e));
      assert.deepEqual(e.issues.map((i) => i.path).sort(), [
        "auth.accounts[0].exports[0].accounts",
        "auth.accounts[0].users[0].password",
        "auth.appPassword",
        "leafnodes",
      ]);
    }
  });

  it("stores the operator's include and the .creds, never a password", async () => {
    assert.match(data["auth.conf"], /^operator: "eyJ/m);
    assert.match(data["auth.conf"], /resolver: MEMORY/);
    assert.ok(!/password/.test(data["auth.conf"]));
    assert.match(data["app.creds"], /-----BEGIN NATS USER JWT-----/);
    assert.match(data["system.creds"], /-----BEGIN USER NKEY SEED-----/);
    assert.equal(data["app-password"], undefined);
    const user = b.captured.find((c) => c.name === "events-user-acme-app")!;
    const userData = (await plain(user.props.stringData)) as Record<string, string>;
    assert.match(userData["user.creds"], /-----BEGIN NATS USER JWT-----/);
    assert.equal(userData.password, undefined);
    const connection = (await valueOf(b.value.connection)) as ConnectionArgs;
    assert.equal(connection.password, undefined);
    assert.equal(connection.creds, data["app.creds"]);
    const users = (await valueOf(b.value.users)) as Record<string, ConnectionArgs>;
    assert.equal(users["acme-app"].creds, userData["user.creds"]);
    assert.ok(await isSecret(b.value.users));
  });

  it("runs on real servers: the connection creates streams, the system .creds reach the system account, a revoked user is refused", async () => {
    const p = plan("events", ARGS);
    servers = await startRenderedServers(data["auth.conf"], (hosts) =>
      renderRoutesInclude(p.routes!, "RoutePass8901def", hosts),
    );
    const users = (await valueOf(b.value.users)) as Record<string, ConnectionArgs>;
    const app = {
      ...((await valueOf(b.value.connection)) as object),
      servers: servers.clientUrls,
      readyTimeout: "30s",
    };
    const out = await cores.stream.create({ connection: app, name: "APPS", subjects: ["apps.>"] });
    assert.equal(out.id, "APPS");
    const acme = { ...users["acme-app"], servers: servers.clientUrls, readyTimeout: "30s" };
    await cores.stream.create({ connection: acme, name: "ACME", subjects: ["acme.>"], maxBytes: "512KiB" });
    const sys = await connectSystem({ servers: servers.clientUrls, creds: data["system.creds"] }, 10_000);
    try {
      const reply = await sys.request("$SYS.REQ.SERVER.PING.JSZ", "", { timeout: 5000 });
      assert.ok(reply.json<{ server: { name: string } }>().server.name);
    } finally {
      await sys.close();
    }
    const gone = (await valueOf(b.value.users)) as Record<string, ConnectionArgs>;
    await assert.rejects(
      connectSystem({ servers: servers.clientUrls, creds: gone["acme-gone"].creds as string }, 2000),
      /Authorization Violation|cannot connect/i,
    );
  });
});
