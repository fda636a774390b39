// Leaf nodes on real servers: a 3-server hub configured as NatsCluster's chart
// renders it with `leafnodes` (auth include with the leaf user, limited to
// leaf connections; a leafnodes listener), and a leaf server whose config is
// NatsLeafNode's include file (renderLeafConfig: local account and user, the
// remote with the hub's leaf credentials). Messages flow both ways between
// the leaf's local account and the hub's application account.
import assert from "node:assert/strict";
import { renderAuthInclude } from "../../sdk/cluster/security/auth";
import { renderLeafConfig } from "../../sdk/cluster/gateways/leafnodes";
import { AUTH, log } from "./support";
import {
  freePorts,
  getJson,
  startCluster,
  startServer,
  waitFor,
  type NatsCluster,
  type NatsConnection,
  type NatsServer,
} from "../harness";

const APP_PW = "AppHubPassword0123456789abcdefgh";
const LEAF_PW = "LeafHubPassword0123456789abcdefg";
const LOCAL_PW = "LocalEdgePassword0123456789abcde";

async function roundTrip(from: NatsConnection, to: NatsConnection, subject: string): Promise<string> {
  const sub = to.subscribe(subject, { max: 1 });
  await to.flush();
  const got = (async () => {
    for await (const m of sub) return m.string();
  })();
  const timer = setInterval(() => from.publish(subject, `payload of ${subject}`), 100);
  try {
    return await Promise.race([
      got,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${subject} never arrived`)), 10_000)),
    ]);
  } finally {
    clearInterval(timer);
  }
}

describe("leaf node joining a 3-server hub with credentials (real servers)", function () {
  this.timeout(60_000);
  let hub: NatsCluster;
  let leaf: NatsServer;
  let leafPorts: number[];
  const open: NatsConnection[] = [];

  before(async () => {
    leafPorts = await freePorts(3);
    hub = await startCluster({
      clusterName: "hub",
      namePrefix: "hub-",
      extraConfig: (i) =>
        [
          renderAuthInclude(AUTH, "SysHubPassword0123456789abcdefgh", APP_PW, {
            user: "leaf",
            password: LEAF_PW,
          }),
          `leafnodes { listen: "127.0.0.1:${leafPorts[i]}", no_advertise: true }`,
        ].join("\n"),
    });
    leaf = await startServer({
      serverName: "edge-1",
      jetstream: false,
      extraConfig: renderLeafConfig({
        urls: leafPorts.map((p) => `nats-leaf://127.0.0.1:${p}`),
        user: "leaf",
        password: LEAF_PW,
        account: "APP",
        localUsers: [{ user: "app", password: LOCAL_PW }],
      }),
    });
  });
  after(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await leaf?.destroy();
    await hub?.destroy();
  });

  it("connects the leaf to the hub as the leaf user, bound to the APP account", async () => {
    const leafz = await waitFor(
      async () => {
        for (const s of hub.servers) {
          const a = await getJson<{ leafs?: { account: string; name: string }[] }>(`${s.monitorUrl}/leafz`);
          if (a.body.leafs?.length) return { server: s.name, leafs: a.body.leafs };
        }
        return undefined;
      },
      { timeoutMs: 15_000, what: "the leaf connection on the hub" },
    );
    assert.equal(leafz.leafs.length, 1);
    assert.equal(leafz.leafs[0].account, "APP");
    assert.equal(leafz.leafs[0].name, "edge-1");
    log(`hub server ${leafz.server} has leaf ${leafz.leafs[0].name} in account ${leafz.leafs[0].account}`);
  });

  it("exchanges messages both ways between the leaf's local clients and the hub's app account", async () => {
    const atHub = await hub.connect({ user: "app", pass: APP_PW });
    const atLeaf = await leaf.connect({ user: "app", pass: LOCAL_PW });
    open.push(atHub, atLeaf);
    assert.equal(await roundTrip(atHub, atLeaf, "edge.commands"), "payload of edge.commands");
    assert.equal(await roundTrip(atLeaf, atHub, "edge.telemetry"), "payload of edge.telemetry");
    log("edge.commands: hub -> leaf; edge.telemetry: leaf -> hub");
  });

  it("keeps the leaf user to leaf connections only", async () => {
    await assert.rejects(
      hub.connect({ user: "leaf", pass: LEAF_PW, reconnect: false, maxReconnectAttempts: 0 }),
    );
  });

  it("refuses a leaf with a wrong password", async () => {
    const bad = await startServer({
      serverName: "edge-bad",
      jetstream: false,
      extraConfig: renderLeafConfig({
        urls: [`nats-leaf://127.0.0.1:${leafPorts[0]}`],
        user: "leaf",
        password: "wrong",
        account: "APP",
        localUsers: [{ user: "app", password: LOCAL_PW }],
      }),
    });
    try {
      await waitFor(
        async () =>
          hub.servers[0].logs().some((l) => /lid:.*authentication error - User "leaf"/.test(l))
            ? true
            : undefined,
        {
          timeoutMs: 10_000,
          what: "the hub to refuse the leaf",
        },
      );
      const a = await getJson<{ leafs?: { name: string }[] }>(`${hub.servers[0].monitorUrl}/leafz`);
      assert.ok(!(a.body.leafs ?? []).some((l) => l.name === "edge-bad"));
    } finally {
      await bad.destroy();
    }
  });
});
