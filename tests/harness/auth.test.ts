// Authentication variants of the harness against real servers: the right
// credentials get in, wrong or missing ones are refused by the server.
import assert from "node:assert/strict";
import { createUser } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { natsCli, startServer, startCluster, type NatsServer } from "./index";

const refused = (err: unknown): boolean => {
  assert.ok(err instanceof Error);
  assert.match(err.message, /authorization violation/i);
  return true;
};

/** Connect with `opts`, check JetStream answers, close. */
async function canUseJetStream(server: NatsServer, opts = server.connectOptions()): Promise<void> {
  const nc = await connect({ ...opts, reconnect: false });
  try {
    const info = await (await jetstreamManager(nc)).getAccountInfo();
    assert.equal(typeof info.streams, "number");
  } finally {
    await nc.close();
  }
}

describe("harness: auth", function () {
  this.timeout(20_000);

  describe("user and password", () => {
    let server: NatsServer;
    before(async () => {
      server = await startServer({ auth: { type: "user", user: "alice" } });
    });
    after(() => server?.destroy());

    it("exposes the generated credentials and lets the right ones in", async () => {
      assert.equal(server.auth?.type, "user");
      assert.ok(
        server.auth?.type === "user" && server.auth.user === "alice" && server.auth.password.length >= 20,
      );
      await canUseJetStream(server);
    });

    it("refuses a wrong password", async () => {
      await assert.rejects(connect(server.connectOptions({ pass: "wrong", reconnect: false })), refused);
    });

    it("refuses a client without credentials", async () => {
      await assert.rejects(connect({ servers: server.url, reconnect: false }), refused);
    });

    it("passes the credentials to the NATS CLI, which is refused without them", async () => {
      await server.cli(["stream", "add", "VIA_CLI", "--subjects=cli.>", "--storage=memory", "--defaults"]);
      const info = await server.cli<{ config: { name: string; storage: string } }>(
        ["stream", "info", "VIA_CLI"],
        {
          json: true,
        },
      );
      assert.deepEqual([info.config.name, info.config.storage], ["VIA_CLI", "memory"]);
      await assert.rejects(natsCli(["account", "info"], { server: server.url }), /authorization violation/i);
    });
  });

  describe("token", () => {
    let server: NatsServer;
    before(async () => {
      server = await startServer({ auth: "token" });
    });
    after(() => server?.destroy());

    it("lets the token in and refuses another one", async () => {
      assert.ok(server.auth?.type === "token" && server.auth.token.length >= 20);
      await canUseJetStream(server);
      await assert.rejects(
        connect(server.connectOptions({ token: "not-the-token", reconnect: false })),
        refused,
      );
      await assert.rejects(connect({ servers: server.url, reconnect: false }), refused);
      assert.match(await server.cli(["account", "info"]), /JetStream Account Information/);
    });
  });

  describe("nkey", () => {
    let server: NatsServer;
    before(async () => {
      server = await startServer({ auth: "nkey" });
    });
    after(() => server?.destroy());

    it("lets the user seed in and refuses another user's seed", async () => {
      assert.ok(server.auth?.type === "nkey");
      assert.match(server.auth.seed, /^SU[A-Z2-7]+$/);
      assert.match(server.auth.publicKey, /^U[A-Z2-7]{55}$/);
      await canUseJetStream(server);
      const stranger = new TextDecoder().decode(createUser().getSeed());
      await assert.rejects(
        natsCli(["account", "info"], { server: server.url }),
        /authorization violation/i,
        "the CLI without the seed",
      );
      const strangerServer = await startServer({ auth: { type: "nkey", seed: stranger } });
      try {
        // The stranger's credentials against our server.
        await assert.rejects(
          connect({ ...strangerServer.connectOptions(), servers: server.url, reconnect: false }),
          refused,
        );
      } finally {
        await strangerServer.destroy();
      }
      assert.match(await server.cli(["account", "info"]), /JetStream Account Information/);
    });
  });

  describe("on a cluster", () => {
    it("applies the same credentials to every node", async () => {
      const cluster = await startCluster({ size: 3, auth: "user" });
      try {
        for (const node of cluster.servers) {
          await canUseJetStream(node);
          await assert.rejects(connect({ servers: node.url, reconnect: false }), refused);
        }
        const nc = await cluster.connect();
        await nc.close();
      } finally {
        await cluster.destroy();
      }
    });
  });
});
