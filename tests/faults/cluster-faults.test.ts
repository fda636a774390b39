// Fault tests on real 3-node clusters (slow: each test starts its own
// cluster). A deploy often runs while a cluster rolls, scales or recovers;
// these check the provider core keeps its promises then: no lost data, no
// half-applied state a rerun cannot converge, clear errors within the
// configured timeout. See docs/faults.md. Tagged @slow: `mocha --grep @slow
// --invert` leaves them out.
import assert from "node:assert/strict";
import { startCluster, sleep } from "../harness";
import type { NatsCluster } from "../harness";
import { connectionsOpened } from "../../sdk/jetstream/connection";
import { ErrorCode, JetStreamApiError, NotReadyError } from "../../sdk/jetstream/errors";
import { startPartitionableCluster } from "./partition";
import type { PartitionableCluster } from "./partition";
import {
  assertExactly,
  assertMessages,
  closeSessions,
  connection,
  cores,
  declare,
  listing,
  Publisher,
  run,
  settled,
  within,
} from "./support";
import type { RunResult } from "./support";
import type { Props } from "../../sdk/jetstream/core";

/** Clear errors a create may fail with while a server is down. */
const CLEAR = /quorum|offline|server is down|restarting|replicas/i;

describe("faults @slow: 3-node cluster", function () {
  this.timeout(60_000);
  let cluster: NatsCluster | undefined;
  let partitioned: PartitionableCluster | undefined;
  let pub: Publisher | undefined;

  afterEach(async () => {
    await pub?.stop().catch(() => undefined);
    pub = undefined;
    await closeSessions();
    await cluster?.destroy();
    cluster = undefined;
    await partitioned?.destroy();
    partitioned = undefined;
  });

  /** A R3 stream with `before` messages, and a publisher that keeps adding to it. */
  async function data(c: NatsCluster, conn: Props, before = 100, servers?: string[]): Promise<Publisher> {
    await cores.stream.create({ name: "DATA", subjects: ["data.>"], replicas: 3, ...conn });
    pub = new Publisher(c, "data.x", servers);
    await pub.burst(before);
    await pub.start();
    return pub;
  }

  /** Stops the publisher and checks every acknowledged message is stored, in order. */
  async function assertData(c: NatsCluster, p: Publisher): Promise<void> {
    await p.stop();
    assert.ok(p.acked > 100, `published during the fault too (${p.acked})`);
    await assertMessages(c, "DATA", p.acked);
  }

  function report(what: string, r: RunResult, p?: Publisher): void {
    const failed = r.failed.length ? ` (e.g. ${r.failed[0].error.message})` : "";
    const msgs = p ? `; ${p.acked} messages, ${p.retries} publish retries` : "";
    console.log(
      `      ${what}: ${r.ms} ms, ${r.created.length} done, ${r.failed.length} failed${failed}${msgs}`,
    );
  }

  it("one server killed while 100 R3 assets are created: the run completes or fails clearly, a rerun converges", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const conn = connection(c.urls, { readyTimeout: "20s" });
    const p = await data(c, conn);
    const assets = declare("K", 100, conn);
    const victim = c.node("n3");
    let killed: Promise<void> | undefined;
    const first = await run(assets, {
      onProgress: (done) => {
        if (done === 40) killed = victim.kill();
      },
    });
    await killed;
    report("first run", first, p);
    for (const f of first.failed) assert.match(f.error.message, CLEAR, f.error.stack);
    await victim.start();
    await c.waitForMetaLeader();
    // The rerun creates what the first run did not record, as `pulumi up` would.
    const rerun = await run(assets.filter((a) => !first.created.includes(a.id)));
    assert.deepEqual(
      rerun.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    await assertExactly(c, assets, ["DATA"]);
    await assertData(c, p);
  });

  it("the meta leader killed mid-run: retries carry the run through", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const conn = connection(c.urls, { readyTimeout: "25s" });
    const p = await data(c, conn);
    const assets = declare("L", 30, conn, 4);
    const leader = await c.waitForMetaLeader();
    let killed: Promise<void> | undefined;
    const r = await within(
      30_000,
      "the run",
      run(assets, {
        onProgress: (done) => {
          if (done === 8) killed = leader.kill();
        },
      }),
    );
    await killed;
    report(`run (killed leader ${leader.name})`, r, p);
    assert.deepEqual(
      r.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    await leader.start();
    await c.waitForMetaLeader();
    await assertExactly(c, assets, ["DATA"]);
    await assertData(c, p);
  });

  it("the meta leader killed while 30 assets are deleted: deletes are idempotent, a rerun converges", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const conn = connection(c.urls, { readyTimeout: "25s" });
    const assets = declare("D", 30, conn, 4);
    const created = await run(assets);
    assert.deepEqual(created.failed, []);
    const keep = assets.slice(0, 6);
    const doomed = assets.slice(6);
    const leader = await c.waitForMetaLeader();
    let killed: Promise<void> | undefined;
    // Dependents first, as the engine deletes: consumers, then streams.
    const order = [
      ...doomed.filter((a) => a.core === "consumer"),
      ...doomed.filter((a) => a.core !== "consumer"),
    ];
    const first = await within(
      30_000,
      "the deletes",
      run(order, {
        op: "delete",
        onProgress: (done) => {
          if (done === 4) killed = leader.kill();
        },
      }),
    );
    await killed;
    report(`deletes (killed leader ${leader.name})`, first);
    for (const f of first.failed) assert.match(f.error.message, CLEAR, f.error.stack);
    // The rerun deletes again what was not recorded as deleted, and deletes again what was (no harm).
    const rerun = await run(order, { op: "delete" });
    assert.deepEqual(
      rerun.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    await leader.start();
    await assertExactly(c, keep);
  });

  it("all three servers restarted mid-run: the session reconnects and the run completes", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const conn = connection(c.urls, { readyTimeout: "25s" });
    const p = await data(c, conn);
    const assets = declare("R", 40, conn, 4);
    let restarted: Promise<void> | undefined;
    const r = await within(
      30_000,
      "the run",
      run(assets, {
        onProgress: (done) => {
          if (done === 8) restarted = c.kill().then(() => c.start());
        },
      }),
    );
    await restarted;
    report("run", r, p);
    assert.deepEqual(
      r.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    await assertExactly(c, assets, ["DATA"]);
    await assertData(c, p);
  });

  it("a cluster restarted just before the run (no meta leader yet): the readiness wait carries the run", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    await c.kill();
    // Back up, listening, but not waited for: the nodes have not elected a leader.
    await Promise.all(c.servers.map((s) => s.start({ readiness: "listening" })));
    assert.equal(await c.metaLeader(), undefined, "no meta leader yet");
    const conn = connection(c.urls, { readyTimeout: "25s" });
    const assets = declare("S", 30, conn, 5);
    const r = await within(30_000, "the run", run(assets));
    report("run", r);
    assert.deepEqual(
      r.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    await assertExactly(c, assets);
  });

  it("a fresh cluster whose nodes only just listen: the readiness wait carries the run", async () => {
    partitioned = await startPartitionableCluster({ waitForLeader: false });
    const c = partitioned.cluster;
    const leaderAtStart = await c.metaLeader();
    const conn = connection(c.urls, { readyTimeout: "25s" });
    const assets = declare("F", 20, conn, 5);
    const r = await within(30_000, "the run", run(assets));
    report(`run (meta leader at start: ${leaderAtStart?.name ?? "none"})`, r);
    assert.deepEqual(
      r.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    await assertExactly(c, assets);
  });

  it("two of three servers down: operations fail within readyTimeout saying there is no quorum, and nothing stored is lost", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const conn = connection(c.urls, { readyTimeout: "4s", requestTimeout: "2s" });
    const stream = { name: "Q", subjects: ["q.>"], replicas: 3, ...conn };
    const consumer = { stream: "Q", name: "QC", ackPolicy: "explicit", replicas: 3, ...conn };
    const empty = { name: "QDEL", subjects: ["qdel.>"], replicas: 3, ...conn };
    const { outs } = await cores.stream.create(stream);
    await cores.consumer.create(consumer);
    await cores.stream.create(empty);
    pub = new Publisher(c, "q.x");
    await pub.burst(50);
    await pub.stop();

    await Promise.all([c.node("n2").kill(), c.node("n3").kill()]);
    const noQuorum = async (what: string, op: () => Promise<unknown>, budgetMs: number): Promise<void> => {
      const started = Date.now();
      let message = "";
      await assert.rejects(op(), (err: Error) => {
        assert.ok(err instanceof NotReadyError, `${what}: ${err.stack}`);
        assert.match(err.message, /no quorum/, what);
        message = err.message;
        return true;
      });
      const took = Date.now() - started;
      console.log(`      ${what}: failed after ${took} ms: ${message}`);
      assert.ok(took <= budgetMs, `${what} failed after ${took} ms, more than ${budgetMs} ms`);
    };
    // readyTimeout 4s bounds the retries of each request. An operation that
    // makes two requests (a delete reads the stream first) may have its read
    // answered late by a member's own copy, after up to one requestTimeout, and
    // then spend readyTimeout on its write: measured up to 6.1 s. The bound
    // below tells "gives up at readyTimeout" apart from "hangs" (the engine
    // would wait for ever) with room for a loaded machine; it is not a speed goal.
    const budget = 2 * 4_000 + 2_000;
    // All at once, as the engine would; each is bounded on its own.
    await Promise.all([
      noQuorum(
        "create a stream",
        () => cores.stream.create({ ...stream, name: "Q2", subjects: ["q2.>"] }),
        budget,
      ),
      noQuorum("create a consumer", () => cores.consumer.create({ ...consumer, name: "QC2" }), budget),
      noQuorum(
        "update a stream",
        () => cores.stream.update("Q", outs, { ...stream, maxMsgs: 1_000_000 }),
        budget,
      ),
      // The meta leader may not have noticed yet that it lost its majority:
      // it then accepts the delete and answers "not found" to the retry,
      // although the delete is not applied (and may never be). The core
      // checks the leader's applied streams: not confirmed, not done.
      noQuorum(
        "delete a stream",
        () => cores.stream.delete("QDEL", { ...empty, allowDataLoss: true }),
        budget,
      ),
      (async () => {
        // A refresh may still work (once a stream has been leaderless a while,
        // a member answers with its own copy), or fails like the rest.
        const started = Date.now();
        const read = await cores.stream.read("Q", outs).catch((err: Error) => {
          assert.ok(err instanceof NotReadyError && /no quorum/.test(err.message), err.stack);
          return err;
        });
        const took = Date.now() - started;
        console.log(
          `      refresh a stream: ${took} ms: ${read instanceof Error ? read.message : "answered"}`,
        );
        if (!(read instanceof Error)) assert.equal((read?.props.info as { messages: number }).messages, 50);
        assert.ok(took <= budget, `refresh took ${took} ms`);
      })(),
    ]);
    // A new connection (its own settings, so its own session) is bounded the same way.
    const fresh = connection([c.node("n1").url], { readyTimeout: "3s", requestTimeout: "1s" });
    await noQuorum(
      "open a new connection",
      () => cores.stream.create({ ...stream, name: "Q2", subjects: ["q2.>"], ...fresh }),
      2 * 3_000 + 2_000,
    );

    await Promise.all([c.node("n2").start(), c.node("n3").start()]);
    await c.waitForMetaLeader();
    // Nothing stored is lost; the failed operations, rerun, converge.
    await assertMessages(c, "Q", 50);
    await cores.stream.create({ ...stream, name: "Q2", subjects: ["q2.>"] });
    await cores.consumer.create({ ...consumer, name: "QC2" });
    await cores.stream.update("Q", outs, { ...stream, maxMsgs: 1_000_000 });
    await cores.stream.delete("QDEL", { ...empty, allowDataLoss: true });
    await settled(
      async () => {
        const nc = await c.connect();
        const { streams, consumers } = await listing(nc).finally(() => nc.close());
        assert.deepEqual(streams, ["Q", "Q2"]);
        assert.deepEqual(consumers, ["Q/QC", "Q/QC2"]);
      },
      { assertions: true },
    );
    await assertMessages(c, "Q", 50);
  });

  it("a lost answer (timeout after the server applied a create): the retry recognises its own asset", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const conn = connection(c.urls, { readyTimeout: "20s" });
    const s = await cores.stream.session(conn);
    const request = s.nc.request.bind(s.nc);
    const lost = new Set<string>();
    // The first create of each asset reaches the server, which applies it;
    // its answer is then lost, as when a connection drops or a leader changes.
    s.nc.request = (async (subject: string, payload?: string, opts?: { timeout: number }) => {
      const answer = await request(subject, payload, opts);
      if (/\.(STREAM|CONSUMER)\.CREATE\./.test(subject) && !lost.has(subject)) {
        lost.add(subject);
        throw Object.assign(new Error("timeout"), { name: "TimeoutError" });
      }
      return answer;
    }) as typeof s.nc.request;
    try {
      const stream = { name: "LOST", subjects: ["lost.>"], replicas: 3, ...conn };
      const consumer = { stream: "LOST", name: "LC", ackPolicy: "explicit", replicas: 3, ...conn };
      assert.equal((await cores.stream.create(stream)).id, "LOST");
      assert.equal((await cores.consumer.create(consumer)).id, "LOST/LC");
      assert.equal(lost.size, 2, "both first answers were lost");
      // Some servers answer the retried consumer create with 10148 (already
      // exists) instead of the consumer: the core must still see its own asset.
      const api = s.api;
      const consumerCreate = api.consumerCreate.bind(api);
      api.consumerCreate = async (...args: Parameters<typeof api.consumerCreate>) => {
        await consumerCreate(...args);
        throw new JetStreamApiError(ErrorCode.ConsumerAlreadyExists, 400, "consumer already exists", "test");
      };
      try {
        const second = { ...consumer, name: "LC2" };
        assert.equal((await cores.consumer.create(second)).id, "LOST/LC2");
        // ...and a different configuration under the same name is still refused.
        await assert.rejects(cores.consumer.create({ ...second, maxDeliver: 5 }), /different configuration/);
      } finally {
        api.consumerCreate = consumerCreate;
      }
    } finally {
      s.nc.request = request;
    }
    const nc = await c.connect();
    const { streams, consumers } = await listing(nc);
    await nc.close();
    assert.deepEqual(streams, ["LOST"]);
    assert.deepEqual(consumers, ["LOST/LC", "LOST/LC2"]);
  });

  it("the connection cut and restored mid-run (its only server stopped and started): the session reconnects", async () => {
    cluster = await startCluster({ size: 3 });
    const c = cluster;
    const n1 = c.node("n1");
    // Only n1's address: the client cannot fail over, it must reconnect to n1.
    const conn = connection([n1.url], { readyTimeout: "25s" });
    const p = await data(c, conn);
    const assets = declare("X", 40, conn, 4);
    const opened = connectionsOpened();
    let bounced: Promise<void> | undefined;
    const r = await within(
      30_000,
      "the run",
      run(assets, {
        onProgress: (done) => {
          if (done === 8) bounced = n1.stop().then(() => sleep(1_000).then(() => n1.start()));
        },
      }),
    );
    await bounced;
    report("run", r, p);
    assert.deepEqual(
      r.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    assert.equal(
      connectionsOpened(),
      opened,
      "the shared connection reconnected; no new connection was opened",
    );
    await assertExactly(c, assets, ["DATA"]);
    await assertData(c, p);
  });

  it("one server partitioned from the other two: the majority carries on, the minority fails clearly, healing converges", async () => {
    partitioned = await startPartitionableCluster();
    const c = partitioned.cluster;
    const leader = await c.waitForMetaLeader();
    // Cut off the meta leader: the harder case, the majority must elect a new one.
    const cut = c.servers.indexOf(leader);
    const side = c.servers.filter((_, i) => i !== cut);
    const onMajority = connection(
      side.map((s) => s.url),
      { readyTimeout: "25s" },
    );
    const p = await data(
      c,
      onMajority,
      100,
      side.map((s) => s.url),
    );
    const assets = declare("P", 30, onMajority, 5);
    partitioned.isolate(cut);
    const minority = connection([leader.url], { readyTimeout: "4s", requestTimeout: "2s" });
    const [r] = await Promise.all([
      within(30_000, "the run on the majority side", run(assets)),
      (async () => {
        const started = Date.now();
        await assert.rejects(
          cores.stream.create({ name: "M", subjects: ["m.>"], replicas: 3, ...minority }),
          (err: Error) => err instanceof NotReadyError && /no quorum/.test(err.message),
        );
        const took = Date.now() - started;
        console.log(`      minority side (${leader.name}): create failed after ${took} ms`);
        assert.ok(took <= 5_500, `the minority side failed after ${took} ms`);
      })(),
    ]);
    report(`majority run (${leader.name} cut off)`, r, p);
    assert.deepEqual(
      r.failed.map((f) => `${f.asset.id}: ${f.error.message}`),
      [],
    );
    partitioned.heal();
    // Healed: every node, the cut one included, agrees on the same leader and holds the same assets.
    await c.waitForMetaLeader();
    await assertExactly(c, assets, ["DATA"]);
    await assertData(c, p);
  });
});
