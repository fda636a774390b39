// Migrations on a real 3-node cluster: R3 streams, the temporary copy placed
// like the original, and a server killed in the middle of a migration (the
// leader of the stream being migrated): the run completes or fails with a
// message naming the step and where the data is; after the server is back a
// rerun converges with nothing lost.
import assert from "node:assert/strict";
import { startCluster, waitFor } from "../harness";
import type { NatsCluster, NatsConnection } from "../harness";
import { closeAll } from "../../sdk/jetstream/connection";
import { migrationHooks, tempName } from "../../sdk/jetstream/migrate";
import type { Step } from "../../sdk/jetstream/migrate";
import type { Props } from "../../sdk/jetstream/core";
import {
  cores,
  inputs,
  apiOf,
  fill,
  consumeSome,
  snapshot,
  assertKept,
  ackFloor,
  Publisher,
  isNotFound,
  show,
} from "./support";

const core = cores.stream;

describe("migrate: 3-node cluster", function () {
  this.timeout(180_000);
  let cluster: NatsCluster;
  let nc: NatsConnection;

  before(async () => {
    cluster = await startCluster({ size: 3 });
    nc = await cluster.connect();
  });
  after(async () => {
    migrationHooks.beforeStep = undefined;
    await nc?.close();
    await closeAll();
    await cluster?.destroy();
  });

  it("R3 file -> memory with a live publisher: messages, sequences, ack floors kept; copy placed on 3 replicas", async () => {
    const decl = inputs(cluster, {
      name: "EVENTS",
      subjects: ["events.>"],
      replicas: 3,
      replaceStrategy: "migrate",
    });
    const { id, outs } = await core.create(decl);
    await fill(nc, ["events.a", "events.b"], 4000);
    await consumeSome(nc, "EVENTS", "proc", 1500, { num_replicas: 3 });
    const api = await apiOf(decl);
    const floor = await ackFloor(api, "EVENTS", "proc");
    const before = await snapshot(api, "EVENTS");
    let tempReplicas = 0;
    migrationHooks.beforeStep = async (step) => {
      if (step === "stop-writes")
        tempReplicas = (await api.streamInfo(tempName("EVENTS"))).config.num_replicas;
    };
    const publisher = new Publisher(nc, "events.live");
    await new Promise((r) => setTimeout(r, 50));
    const { migration } = await core.update(id, outs, { ...decl, storage: "memory" });
    await publisher.stop();
    migrationHooks.beforeStep = undefined;
    show(migration);
    console.log(
      `      publisher: ${publisher.acked.length} acked, ${publisher.failures} failed, longest gap ` +
        `${publisher.longestGapMs}ms; windows ${migration?.windowsMs.join(" + ")}ms`,
    );
    assert.equal(tempReplicas, 3);
    const info = await api.streamInfo("EVENTS");
    assert.equal(info.config.storage, "memory");
    assert.equal(info.config.num_replicas, 3);
    const after = await snapshot(api, "EVENTS");
    assertKept(before, after);
    for (const p of publisher.acked) assert.equal(after.content.get(p.seq), `events.live|${p.body}`);
    assert.equal(await ackFloor(api, "EVENTS", "proc"), floor);
    assert.equal((await api.consumerInfo("EVENTS", "proc")).config.num_replicas, 3);
  });

  for (const step of ["capture", "create-new", "promote"] as Step[]) {
    it(`the stream's leader killed before step ${step}: completes or fails clearly; a rerun converges, nothing lost`, async () => {
      const name = `KILL_${step.replace("-", "_").toUpperCase()}`;
      const subject = name.toLowerCase();
      const decl = inputs(cluster, {
        name,
        subjects: [`${subject}.>`],
        replicas: 3,
        replaceStrategy: "migrate",
      });
      const { id, outs } = await core.create(decl);
      await fill(nc, [`${subject}.a`, `${subject}.b`], 2000);
      await consumeSome(nc, name, "w", 700, { num_replicas: 3 });
      const api = await apiOf(decl);
      const floor = await ackFloor(api, name, "w");
      const before = await snapshot(api, name);
      let victim: string | undefined;
      migrationHooks.beforeStep = async (s) => {
        if (s !== step || victim) return;
        // The leader of whichever stream holds the data at this step.
        const holder = step === "capture" ? name : tempName(name);
        // Just created (the copy, before create-new and promote), it may not
        // have elected its leader yet on a loaded machine: wait for one.
        const leader = await waitFor(
          async () => (await api.streamInfo(holder)).cluster?.leader || undefined,
          {
            timeoutMs: 30_000,
            what: `a leader for stream ${holder}`,
          },
        );
        victim = leader;
        await cluster.node(leader).kill();
      };
      const next: Props = { ...decl, storage: "memory" };
      const t0 = Date.now();
      const first = await core.update(id, outs, next).then(
        (r) => r.migration,
        (e: Error) => e,
      );
      migrationHooks.beforeStep = undefined;
      const outcome = first instanceof Error ? `failed: ${first.message}` : "completed";
      console.log(`      killed ${victim} before ${step}; first run ${outcome} (${Date.now() - t0}ms)`);
      if (first instanceof Error) {
        assert.match(first.message, new RegExp(`step "`));
        assert.match(first.message, /holds every message|servers could not be asked/);
      } else show(first);
      await cluster.node(victim!).start({ readiness: "jetstream" });
      await cluster.waitForMetaLeader();
      // The rerun (the engine kept the old state if the first run failed) converges.
      const { migration } = await core.update(id, outs, next);
      if (first instanceof Error) show(migration);
      const info = await api.streamInfo(name);
      assert.equal(info.config.storage, "memory");
      assert.equal(info.config.mirror, undefined);
      await assert.rejects(api.streamInfo(tempName(name)), isNotFound);
      assertKept(before, await snapshot(api, name));
      assert.equal(await ackFloor(api, name, "w"), floor);
      // Writes work again.
      const { jetstream } = await import("@nats-io/jetstream");
      const ack = await jetstream(nc).publish(`${subject}.a`, "after");
      assert.equal(ack.stream, name);
    });
  }

  it("quorum lost before step create-new (only the copy holds the data): fails clearly; after recovery a rerun converges", async () => {
    const name = "NOQUORUM";
    const decl = inputs(cluster, { name, subjects: ["noquorum.>"], replicas: 3, replaceStrategy: "migrate" });
    const { id, outs } = await core.create(decl);
    await fill(nc, ["noquorum.a"], 1500);
    await consumeSome(nc, name, "w", 600, { num_replicas: 3 });
    const api = await apiOf(decl);
    const before = await snapshot(api, name);
    // A short ready timeout, so the failure arrives quickly.
    const hurried: Props = {
      ...decl,
      storage: "memory",
      connection: { servers: cluster.urls, readyTimeout: "4s", requestTimeout: "2s" },
    };
    let victims: string[] = [];
    migrationHooks.beforeStep = async (s) => {
      if (s !== "create-new" || victims.length) return;
      victims = cluster.servers
        .filter((n) => n.isRunning)
        .slice(0, 2)
        .map((n) => n.name);
      await Promise.all(victims.map((v) => cluster.node(v).kill()));
    };
    const err = await core.update(id, outs, hurried).then(
      () => undefined,
      (e: Error) => e,
    );
    migrationHooks.beforeStep = undefined;
    assert.ok(err, "the update fails without quorum");
    console.log(`      killed ${victims.join(", ")} before create-new: ${err.message}`);
    assert.match(err.message, /step "create-new"/);
    assert.match(err.message, /pulumi up/);
    await Promise.all(victims.map((v) => cluster.node(v).start({ readiness: "listening" })));
    await cluster.waitForMetaLeader({ timeoutMs: 60_000 });
    const { migration } = await core.update(id, outs, { ...decl, storage: "memory" });
    show(migration);
    assert.ok(migration?.migrated);
    assert.equal((await api.streamInfo(name)).config.storage, "memory");
    await assert.rejects(api.streamInfo(tempName(name)), isNotFound);
    assertKept(before, await snapshot(api, name));
    assert.equal(await ackFloor(api, name, "w"), 600);
  });

  void Publisher;
});
