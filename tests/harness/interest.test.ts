// awaitStreamInterest: waits for a stream to answer publishes, storing nothing.
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { awaitStreamInterest, startCluster, startServer, type NatsCluster, type NatsServer } from "./index";

describe("harness: awaiting a stream's interest", function () {
  this.timeout(20_000);
  let server: NatsServer;

  before(async () => {
    server = await startServer({ serverName: "interest" });
  });
  after(() => server?.destroy());

  it("returns once the stream answers, and the probe stores no message", async () => {
    const nc = await server.connect();
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "PROBED", subjects: ["probed.>"] });
      await awaitStreamInterest(nc, "probed.a");
      const info = await jsm.streams.info("PROBED");
      assert.equal(info.state.messages, 0);
      assert.equal(info.state.last_seq, 0);
    } finally {
      await nc.close();
    }
  });

  it("gives up after its timeout, naming the subject, when no stream takes it", async () => {
    const nc = await server.connect();
    try {
      await assert.rejects(
        awaitStreamInterest(nc, "nobody.listens", 300),
        /timed out after 300 ms waiting for a stream to answer publishes to nobody\.listens/,
      );
    } finally {
      await nc.close();
    }
  });
});

describe("harness: a stream's interest on another server of a cluster", function () {
  this.timeout(60_000);
  let cluster: NatsCluster;

  before(async () => {
    cluster = await startCluster({ size: 3 });
  });
  after(() => cluster?.destroy());

  // Created through n1, published to through n3: without the wait, a few
  // of 40 such publishes got "no responders" on a loaded 2-core machine.
  it("after the wait, a publish through another server right after the create always lands", async () => {
    const creator = await cluster.servers[0].connect();
    const publisher = await cluster.servers[2].connect();
    try {
      const jsm = await jetstreamManager(creator);
      for (let i = 0; i < 10; i++) {
        await jsm.streams.add({ name: `FRESH${i}`, subjects: [`fresh${i}.>`], num_replicas: 1 });
        await awaitStreamInterest(publisher, `fresh${i}.x`);
        const ack = await jetstream(publisher).publish(`fresh${i}.x`, "first");
        assert.deepEqual({ stream: ack.stream, seq: ack.seq }, { stream: `FRESH${i}`, seq: 1 });
      }
    } finally {
      await creator.close();
      await publisher.close();
    }
  });
});
