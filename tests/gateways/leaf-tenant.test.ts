// A leaf node bound to a tenant's account and to its own JetStream domain, on
// real servers: the hub runs NatsCluster's auth include with a tenant ACME
// whose user `edge-link` may only open leaf connections; the leaf runs
// NatsLeafNode's include (renderLeafConfig) with JetStream in domain "edge".
// The leaf's messages reach ACME, not the application account, and a stream
// in the hub's ACME account mirrors a stream of the leaf's domain.
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { plan } from "../../sdk/cluster/plan/plan";
import { renderAuthInclude, tenantCredential } from "../../sdk/cluster/security/auth";
import { renderLeafConfig, planLeafNode } from "../../sdk/cluster/gateways/leafnodes";
import { awsArgs } from "../cluster/fixtures";
import { freePort, getJson, startServer, waitFor, type NatsConnection, type NatsServer } from "../harness";

const SYS_PW = "SysHubPassword0123456789abcdefgh";
const APP_PW = "AppHubPassword0123456789abcdefgh";
const ACME_PW = "AcmeAppPassword0123456789abcdef";
const LINK_PW = "EdgeLinkPassword0123456789abcde";
const LOCAL_PW = "LocalEdgePassword0123456789abcde";

describe("a leaf node bound to a tenant account and its own JetStream domain (real servers)", function () {
  this.timeout(60_000);
  let hub: NatsServer;
  let leaf: NatsServer;
  const open: NatsConnection[] = [];

  before(async () => {
    const p = plan("events", {
      ...awsArgs(),
      auth: {
        accounts: [
          {
            name: "ACME",
            users: [
              { name: "acme-app" },
              { name: "edge-link", allowedConnectionTypes: ["LEAFNODE"], jetstreamApi: false },
            ],
          },
        ],
      },
    });
    const leafPort = await freePort();
    hub = await startServer({
      serverName: "hub-1",
      jetstreamDomain: "hub",
      extraConfig: [
        renderAuthInclude(p.auth!, SYS_PW, APP_PW, undefined, {
          "acme-app": tenantCredential("ACME", "acme-app", { password: ACME_PW }),
          "edge-link": tenantCredential("ACME", "edge-link", { password: LINK_PW }),
        }),
        `leafnodes { listen: "127.0.0.1:${leafPort}", no_advertise: true }`,
      ].join("\n"),
    });
    leaf = await startServer({
      serverName: "edge-1",
      jetstreamDomain: "edge",
      extraConfig: renderLeafConfig({
        urls: [`nats-leaf://127.0.0.1:${leafPort}`],
        user: "edge-link",
        password: LINK_PW,
        account: "EDGE",
        jetstream: true,
        localUsers: [{ user: "local", password: LOCAL_PW }],
      }),
    });
    await waitFor(
      async () => {
        const a = await getJson<{ leafs?: { account: string }[] }>(`${hub.monitorUrl}/leafz`);
        return a.body.leafs?.length ? a.body.leafs : undefined;
      },
      { timeoutMs: 15_000, what: "the leaf connection on the hub" },
    );
  });
  after(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await leaf?.destroy();
    await hub?.destroy();
  });

  it("binds the leaf connection to ACME on the hub; the application account sees none of its messages", async () => {
    const leafz = await getJson<{ leafs: { account: string; name: string }[] }>(`${hub.monitorUrl}/leafz`);
    assert.deepEqual(
      leafz.body.leafs.map((l) => [l.name, l.account]),
      [["edge-1", "ACME"]],
    );
    const acme = await hub.connect({ user: "acme-app", pass: ACME_PW });
    const app = await hub.connect({ user: "app", pass: APP_PW });
    const local = await leaf.connect({ user: "local", pass: LOCAL_PW });
    open.push(acme, app, local);
    const appGot: string[] = [];
    app.subscribe("sensors.>", {
      callback: (_e: Error | null, m: { subject: string }) => appGot.push(m.subject),
    });
    const sub = acme.subscribe("sensors.>", { max: 1 });
    await Promise.all([acme.flush(), app.flush()]);
    const got = (async () => {
      for await (const m of sub) return m.subject;
    })();
    // The interest crosses the leaf connection asynchronously: publish until it arrives.
    const timer = setInterval(() => local.publish("sensors.t1", "21.5"), 100);
    try {
      assert.equal(await got, "sensors.t1");
    } finally {
      clearInterval(timer);
    }
    // The application account's own traffic marks the point by which a leaked message would be there.
    const marker = app.subscribe("marker", { max: 1 });
    app.publish("marker");
    for await (const m of marker) void m;
    assert.deepEqual(appGot, []);
  });

  it("a stream in the hub's ACME account mirrors a stream of the leaf's JetStream domain", async () => {
    const local = await leaf.connect({ user: "local", pass: LOCAL_PW });
    const acme = await hub.connect({ user: "acme-app", pass: ACME_PW });
    open.push(local, acme);
    const edge = await jetstreamManager(local);
    await edge.streams.add({ name: "SENSORS", subjects: ["readings.>"] });
    for (let i = 0; i < 5; i++) await local.request("readings.t1", `r${i}`, { timeout: 5000 });
    const hubJsm = await jetstreamManager(acme);
    await hubJsm.streams.add({ name: "SENSORS_COPY", mirror: { name: "SENSORS", domain: "edge" } });
    const info = await waitFor(
      async () => {
        const i = await hubJsm.streams.info("SENSORS_COPY");
        return i.state.messages === 5 ? i : undefined;
      },
      { timeoutMs: 20_000, what: "the mirror to copy the leaf's 5 messages" },
    );
    assert.equal(info.state.messages, 5);
  });

  it("NatsLeafNode's chart gets JetStream in that domain", () => {
    const p = planLeafNode("edge", {
      hub: { urls: ["nats-leaf://hub:7422"], user: "edge-link", password: "x" },
      account: "EDGE",
      jetstream: { domain: "edge", fileStorage: "5Gi" },
    });
    const js = (p.values.config as { jetstream: Record<string, unknown> }).jetstream;
    assert.deepEqual(js.merge, { domain: "edge" });
    assert.deepEqual((js.fileStore as { pvc: unknown }).pvc, { enabled: true, size: "5Gi" });
    assert.throws(
      () =>
        planLeafNode("edge", {
          hub: { urls: [], user: "u", password: "p" },
          jetstream: { domain: "bad domain" },
        }),
      /jetstream\.domain/,
    );
  });
});
