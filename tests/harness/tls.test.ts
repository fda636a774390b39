// TLS with certificates generated at test time: a client that trusts the
// generated CA gets in; one that does not (or trusts another CA) is refused.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { generateTls, natsCli, startCluster, startServer, type NatsServer, type TlsMaterial } from "./index";

describe("harness: TLS", function () {
  this.timeout(20_000);

  describe("server certificate", () => {
    let server: NatsServer;
    let otherCa: TlsMaterial;
    before(async () => {
      server = await startServer({ tls: true, auth: "user" });
      otherCa = await generateTls(undefined, "some other CA");
    });
    after(() => server?.destroy());

    it("generates a CA and a server certificate for 127.0.0.1 signed by it", () => {
      const material = server.tls?.material;
      assert.ok(material);
      const ca = new crypto.X509Certificate(material.ca.certPem);
      const cert = new crypto.X509Certificate(material.server.certPem);
      assert.ok(ca.ca);
      assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
      assert.ok(cert.checkIP("127.0.0.1"));
      assert.match(material.server.keyPem, /PRIVATE KEY/);
    });

    it("lets a client that trusts the CA in (PEM in connect options)", async () => {
      const opts = server.connectOptions({ reconnect: false });
      assert.equal(opts.tls?.ca, server.tls?.material.ca.certPem);
      const nc = await connect(opts);
      try {
        assert.equal(nc.info?.tls_required, true);
        assert.equal(typeof (await (await jetstreamManager(nc)).getAccountInfo()).streams, "number");
      } finally {
        await nc.close();
      }
    });

    it("also accepts the CA as a file path", async () => {
      const material = server.tls?.material;
      assert.ok(material);
      const nc = await connect(
        server.connectOptions({ tls: { caFile: material.ca.certFile }, reconnect: false }),
      );
      await nc.close();
    });

    it("refuses a client without the CA, and one trusting another CA", async () => {
      await assert.rejects(connect(server.connectOptions({ tls: {}, reconnect: false })), /certificate/i);
      await assert.rejects(
        connect(server.connectOptions({ tls: { ca: otherCa.ca.certPem }, reconnect: false })),
        /certificate/i,
      );
    });

    it("refuses a plain-text client: TLS is required", async () => {
      await assert.rejects(connect(server.connectOptions({ tls: null, reconnect: false })));
    });

    it("passes the CA to the NATS CLI, which fails with another CA", async () => {
      assert.match(await server.cli(["account", "info"]), /TLS Verified: issuer CN=pulumi-nats test CA/);
      assert.ok(server.auth?.type === "user");
      await assert.rejects(
        natsCli(["account", "info"], {
          server: server.url,
          user: server.auth.user,
          password: server.auth.password,
          tlsca: otherCa.ca.certFile,
        }),
        /certificate/i,
      );
    });
  });

  describe("mutual TLS (verify)", () => {
    let server: NatsServer;
    before(async () => {
      server = await startServer({ tls: { verify: true } });
    });
    after(() => server?.destroy());

    it("lets a client with the generated client certificate in", async () => {
      const opts = server.connectOptions({ reconnect: false });
      assert.equal(opts.tls?.cert, server.tls?.material.client.certPem);
      const nc = await connect(opts);
      await nc.close();
      assert.match(await server.cli(["account", "info"]), /TLS Verified: issuer CN=pulumi-nats test CA/);
    });

    it("refuses a client that has the CA but no client certificate", async () => {
      await assert.rejects(
        connect(server.connectOptions({ tls: { ca: server.tls?.material.ca.certPem }, reconnect: false })),
      );
    });
  });

  describe("cluster", () => {
    it("runs client and route TLS on every node", async () => {
      const cluster = await startCluster({ tls: true });
      try {
        const nc = await cluster.connect({ reconnect: false });
        try {
          assert.equal(nc.info?.tls_required, true);
          const jsm = await jetstreamManager(nc);
          const si = await jsm.streams.add({ name: "TLS", subjects: ["tls"], num_replicas: 3 });
          assert.equal(si.config.num_replicas, 3);
        } finally {
          await nc.close();
        }
        for (const node of cluster.servers) {
          const varz = await node.varz<{ cluster?: { tls_required?: boolean } }>();
          assert.equal(varz.cluster?.tls_required, true, `${node.name} routes use TLS`);
        }
      } finally {
        await cluster.destroy();
      }
    });
  });
});
