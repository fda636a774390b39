// The harness's cluster: a real 3-node JetStream cluster on loopback, its
// meta leader, and node faults (SIGKILL, restart, rejoin).
import assert from "node:assert/strict";
import { jetstream, jetstreamManager, type StreamInfo } from "@nats-io/jetstream";
import {
  isProcessAlive,
  startCluster,
  waitFor,
  type NatsCluster,
  type NatsConnection,
  type NatsServer,
} from "./index";

/** Retry `fn` until it succeeds (elections and reconnects take a moment). */
function eventually<T>(
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 15_000,
): Promise<Exclude<T, undefined>> {
  return waitFor(fn, { what, timeoutMs, intervalMs: 100 });
}

/** Publish messages `from..to` to the stream with message ids, so retries never duplicate. */
async function publishRange(nc: NatsConnection, from: number, to: number): Promise<void> {
  const js = jetstream(nc, { timeout: 2000 });
  for (let i = from; i <= to; i++) {
    await eventually(`publish ${i}`, () => js.publish(`faults.${i % 5}`, `message ${i}`, { msgID: `m${i}` }));
  }
}

/** The stream as stored by one node's own replica, from its /jsz. */
async function localState(
  node: NatsServer,
  stream: string,
): Promise<{ messages: number; last_seq: number } | undefined> {
  const jsz = await node.jsz<{
    account_details?: { stream_detail?: { name: string; state: { messages: number; last_seq: number } }[] }[];
  }>("streams=true");
  for (const account of jsz.account_details ?? []) {
    const found = account.stream_detail?.find((s) => s.name === stream);
    if (found) return found.state;
  }
  return undefined;
}

describe("harness: 3-node cluster", function () {
  this.timeout(60_000);
  let cluster: NatsCluster;
  let nc: NatsConnection;

  before(async () => {
    cluster = await startCluster({ clusterName: "faults", tags: (i) => [`az:${"abc"[i]}`], uniqueTag: "az" });
    nc = await cluster.connect();
  });
  after(async () => {
    await nc?.close();
    await cluster?.destroy();
  });

  it("starts n1..n3 routed on 127.0.0.1 with one meta leader they all agree on", async () => {
    assert.deepEqual(
      cluster.servers.map((s) => s.name),
      ["n1", "n2", "n3"],
    );
    assert.equal(cluster.urls.length, 3);
    assert.equal(cluster.url, cluster.urls.join(","));
    const leader = await cluster.metaLeader();
    assert.ok(leader, "a meta leader");
    for (const node of cluster.servers) {
      const jsz = await node.jsz();
      assert.equal(jsz.meta_cluster?.leader, leader.name);
      assert.equal(jsz.meta_cluster?.cluster_size, 3);
      assert.equal(jsz.meta_cluster?.name, "faults");
      const varz = await node.varz<{ tags?: string[]; cluster?: { urls?: string[] } }>();
      assert.deepEqual(varz.tags, [`az:${"abc"[cluster.servers.indexOf(node)]}`]);
    }
    assert.equal(cluster.node("n2"), cluster.servers[1]);
    assert.equal(cluster.node(2), cluster.servers[2]);
    assert.throws(() => cluster.node("n9"), /no node "n9"/);
  });

  it("keeps an R3 stream serving with one node SIGKILLed; the node rejoins and catches up", async () => {
    const jsm = await jetstreamManager(nc);
    const created = await jsm.streams.add({ name: "FAULTS", subjects: ["faults.>"], num_replicas: 3 });
    assert.equal(created.config.num_replicas, 3);
    await publishRange(nc, 1, 50);

    // A replica that leads neither the stream nor the meta group.
    const streamLeader = (await jsm.streams.info("FAULTS")).cluster?.leader;
    const metaLeader = (await cluster.metaLeader())?.name;
    const victim = cluster.servers.find((s) => s.name !== streamLeader && s.name !== metaLeader);
    assert.ok(victim, `a follower (stream leader ${streamLeader}, meta leader ${metaLeader})`);
    const pid = victim.pid;
    assert.ok(pid);
    await victim.kill();
    assert.equal(victim.isRunning, false);
    assert.equal(isProcessAlive(pid), false);

    // Two of three: writes and reads go on.
    await publishRange(nc, 51, 75);
    const during = await eventually("stream info with a node down", () => jsm.streams.info("FAULTS"));
    assert.equal(during.state.messages, 75);
    assert.equal(during.state.last_seq, 75);
    assert.equal((await jsm.streams.getMessage("FAULTS", { seq: 60 }))?.string(), "message 60");
    const down = during.cluster?.replicas?.find((r) => r.name === victim.name);
    assert.ok(
      down && (down.offline || !down.current),
      `${victim.name} is reported behind: ${JSON.stringify(down)}`,
    );

    // Same ports, same store: the node rejoins; "healthy" means its replica is current.
    await victim.start();
    assert.equal(victim.isRunning, true);
    const local = await eventually("the rejoined replica to catch up", async () => {
      const state = await localState(victim, "FAULTS");
      return state?.messages === 75 ? state : undefined;
    });
    assert.equal(local.last_seq, 75);

    // Cross-check with the NATS CLI, an independent client.
    const viaCli = await eventually("all replicas current per the NATS CLI", async () => {
      const info = await cluster.cli<StreamInfo>(["stream", "info", "FAULTS"], { json: true });
      return info.cluster?.replicas?.length === 2 && info.cluster.replicas.every((r) => r.current)
        ? info
        : undefined;
    });
    assert.equal(viaCli.state.messages, 75);
    assert.equal(viaCli.state.last_seq, 75);
    assert.equal(viaCli.config.num_replicas, 3);
  });

  it("elects a new meta leader when the leader is SIGKILLed; the old one rejoins as a follower", async () => {
    const old = await cluster.waitForMetaLeader();
    await old.kill();
    const started = Date.now();
    const next = await cluster.waitForMetaLeader({ notName: old.name, timeoutMs: 20_000 });
    assert.notEqual(next.name, old.name);
    assert.equal(next.isRunning, true);
    const electionMs = Date.now() - started;
    assert.ok(electionMs < 20_000, `election took ${electionMs} ms`);

    // JetStream keeps working without the old leader.
    await publishRange(nc, 76, 80);
    const jsm = await jetstreamManager(nc);
    assert.equal((await eventually("stream info", () => jsm.streams.info("FAULTS"))).state.last_seq, 80);

    await old.start();
    const leader = await cluster.waitForMetaLeader();
    for (const node of cluster.servers) assert.equal((await node.jsz()).meta_cluster?.leader, leader.name);
    assert.equal(
      (
        await eventually("caught up", async () => {
          const s = await localState(old, "FAULTS");
          return s?.last_seq === 80 ? s : undefined;
        })
      ).messages,
      80,
    );
  });
});

describe("harness: cluster placement options", function () {
  this.timeout(30_000);

  it("applies server tags, unique_tag and the name prefix", async () => {
    const cluster = await startCluster({
      clusterName: "placement",
      namePrefix: "p-",
      tags: [["az:a"], ["az:a"], ["az:b"]],
      uniqueTag: "az",
    });
    try {
      assert.deepEqual(
        cluster.servers.map((s) => s.name),
        ["p-n1", "p-n2", "p-n3"],
      );
      assert.equal(cluster.node("n3").name, "p-n3");
      const nc = await cluster.connect();
      try {
        const jsm = await jetstreamManager(nc);
        // Only two distinct zones: three replicas cannot be placed uniquely.
        await assert.rejects(
          jsm.streams.add({ name: "R3", subjects: ["r3"], num_replicas: 3 }),
          /no suitable peers for placement/i,
        );
        const r2 = await jsm.streams.add({ name: "R2", subjects: ["r2"], num_replicas: 2 });
        const placed = [r2.cluster?.leader, ...(r2.cluster?.replicas ?? []).map((r) => r.name)];
        assert.equal(placed.length, 2);
        assert.ok(placed.includes("p-n3"), `one replica in az:b, got ${placed.join(", ")}`);
      } finally {
        await nc.close();
      }
    } finally {
      await cluster.destroy();
    }
  });
});
