// Lowering replicas on real nats-server clusters of 5 (issue 16, point 3).
// The StatefulSet removes the highest ordinals: here n4 and n5 are killed as
// their pods would be. Without the fix the meta group keeps 5 peers and one
// more failure leaves JetStream without a leader; with the departed servers
// removed (the server's peer-remove API, system account), the group has 3
// peers and survives one more failure. Stream checks run against the same
// servers' reports.
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { startCluster, waitFor, type NatsCluster, type NatsConnection } from "../harness";
import { metaGroup, hostedStreams } from "../../sdk/cluster/ops/meta-group";
import { opsHandlers } from "../../sdk/cluster/ops/handlers";
import {
  checkScaleDown,
  podOrdinal,
  scaleDownProblems,
  trimMetaGroup,
} from "../../sdk/cluster/ops/scale-down";

const SYS = { user: "sys", pass: "sys-password-for-tests" };
const APP = { user: "app", pass: "app-password-for-tests" };
// The component's auth include (security/auth.ts) in miniature: a system account and an app account.
const ACCOUNTS = `
accounts {
  SYS { users: [ { user: ${SYS.user}, password: ${SYS.pass} } ] }
  APP { jetstream: enabled, users: [ { user: ${APP.user}, password: ${APP.pass} } ] }
}
system_account: SYS
`;
/** Harness names are n1..n5; the chart's are <sts>-0..4: n<k> is ordinal k-1. */
const ordinalOf = (name: string) => {
  const m = /^n(\d+)$/.exec(name);
  return m ? Number(m[1]) - 1 : undefined;
};

async function fiveNodes(): Promise<NatsCluster> {
  return startCluster({
    size: 5,
    extraConfig: ACCOUNTS,
    // One tag per server, to pin an R1 stream for the "stranded" check.
    tags: (i) => [`node:n${i + 1}`],
    startTimeoutMs: 60_000,
  });
}

/** Whether no running server reports a meta leader (quorum lost). */
async function noLeaderAnywhere(cluster: NatsCluster): Promise<boolean> {
  const views = await Promise.all(
    cluster.running.map((s) =>
      s.jsz().then(
        (j) => j.meta_cluster?.leader,
        () => undefined,
      ),
    ),
  );
  return views.every((l) => !l);
}

async function killDeparting(cluster: NatsCluster): Promise<void> {
  await Promise.all([cluster.node("n4").kill(), cluster.node("n5").kill()]);
}

describe("scale-down 5 -> 3 on real nats-server clusters", function () {
  // Above the sum of each test's own waits (start 60 s + 60 s + 120 s in the first), so a slow
  // machine fails a wait that says what it waited for, never the bare mocha timeout.
  this.timeout(360_000);
  let cluster: NatsCluster | undefined;
  afterEach(async () => {
    await cluster?.destroy();
    cluster = undefined;
  });

  it("without removing the departed servers, the meta group keeps 5 peers and one more failure leaves no leader (the defect)", async () => {
    cluster = await fiveNodes();
    await killDeparting(cluster);
    const sys = await cluster.connect(SYS);
    const group = await waitFor(
      async () => {
        const g = await metaGroup(sys);
        return g && g.peers.filter((p) => !p.current).length === 2 ? g : undefined;
      },
      { timeoutMs: 60_000, what: "n4 and n5 no longer current in the meta group" },
    );
    assert.equal(group.peers.length, 5);
    await cluster.node("n3").kill();
    // 2 of 5: no majority, whatever the timing; wait until every survivor says so.
    await waitFor(async () => ((await noLeaderAnywhere(cluster!)) ? true : undefined), {
      timeoutMs: 120_000,
      what: "the survivors to report no meta leader",
    });
  });

  it("after trimMetaGroup the group has 3 peers, an R3 stream is back on the 3 servers, and it survives one more failure", async () => {
    cluster = await fiveNodes();
    const app = await cluster.connect(APP);
    const jsm = await jetstreamManager(app);
    await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], num_replicas: 3 });
    const js = jsm.jetstream();
    for (let i = 0; i < 20; i++) await js.publish(`orders.${i}`, `order ${i}`);
    await killDeparting(cluster);

    const sys: NatsConnection = await cluster.connect(SYS);
    const removed = await trimMetaGroup(sys, { replicas: 3, ordinalOf, timeoutMs: 90_000 });
    assert.deepEqual(removed.sort(), ["n4", "n5"]);
    const group = await waitFor(
      async () => {
        const g = await metaGroup(sys);
        return g && g.peers.length === 3 ? g : undefined;
      },
      { timeoutMs: 30_000, what: "a meta group of 3" },
    );
    assert.deepEqual(group.peers.map((p) => p.name).sort(), ["n1", "n2", "n3"]);
    // Idempotent: nothing left to remove.
    assert.deepEqual(await trimMetaGroup(sys, { replicas: 3, ordinalOf, timeoutMs: 10_000 }), []);

    // The stream's copies on n4/n5 are placed again on the servers left, and catch up.
    await waitFor(
      async () => {
        const si = await jsm.streams.info("ORDERS");
        const peers = [si.cluster?.leader, ...(si.cluster?.replicas ?? []).map((r) => r.name)];
        const ok =
          peers.length === 3 &&
          peers.every((p) => p && ["n1", "n2", "n3"].includes(p)) &&
          (si.cluster?.replicas ?? []).every((r) => r.current && !r.offline);
        return ok ? true : undefined;
      },
      { timeoutMs: 90_000, what: "ORDERS on n1..n3, all current" },
    );

    // One more failure, the worst kind: the meta leader.
    await cluster.node(group.leader).kill();
    const leader = await cluster.waitForMetaLeader({ timeoutMs: 60_000, notName: group.leader });
    assert.notEqual(leader.name, group.leader);
    const si = await waitFor(
      async () => {
        const info = await jsm.streams.info("ORDERS");
        return info.cluster?.leader ? info : undefined;
      },
      { timeoutMs: 60_000, what: "ORDERS to have a leader after the failure" },
    );
    assert.equal(si.state.messages, 20);
    await js.publish("orders.after", "still writable");
  });

  it("reads every stream's replicas and hosts through the system account, and refuses unsafe lowerings naming the streams", async () => {
    cluster = await fiveNodes();
    const app = await cluster.connect(APP);
    const jsm = await jetstreamManager(app);
    await jsm.streams.add({ name: "WIDE", subjects: ["wide.>"], num_replicas: 5 });
    await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], num_replicas: 3 });
    // The meta leader learns the servers' tags from their statsz: retry until it knows n5's.
    await waitFor(
      () =>
        jsm.streams.add({
          name: "PINNED",
          subjects: ["pinned.>"],
          num_replicas: 1,
          placement: { cluster: "harness", tags: ["node:n5"] },
        }),
      { timeoutMs: 30_000, what: "PINNED placed on n5" },
    );
    const sys = await cluster.connect(SYS);
    const streams = await waitFor(
      async () => {
        const s = await hostedStreams(sys);
        return s.length === 3 ? s : undefined;
      },
      { timeoutMs: 30_000, what: "three streams in the JSZ reports" },
    );
    assert.deepEqual(
      streams.map((s) => [s.account, s.name, s.replicas, s.hosts.length]),
      [
        ["APP", "ORDERS", 3, 3],
        ["APP", "PINNED", 1, 1],
        ["APP", "WIDE", 5, 5],
      ],
    );
    assert.deepEqual(streams.find((s) => s.name === "PINNED")!.hosts, ["n5"]);

    const problems = await checkScaleDown(sys, 5, 3, ordinalOf);
    assert.deepEqual(problems, [
      "stream(s) WIDE (account APP): 5 replicas need more than 3 servers; lower their replicas first (in an earlier `pulumi up`).",
      "stream(s) PINNED (account APP) on n5 live only on departing servers and would lose their messages; raise their replicas or move them first.",
    ]);
    assert.deepEqual(await checkScaleDown(sys, 5, 5, ordinalOf), []);

    // The NatsCluster's guard (its dynamic provider's diff, run by every preview) says the same.
    const guard = opsHandlers("scaleDownGuard");
    const props = (replicas: number) => ({
      statefulSet: "events",
      replicas,
      timeout: "30s",
      connection: { servers: cluster!.urls, user: SYS.user },
      credentials: { password: SYS.pass },
    });
    await assert.rejects(
      guard.diff("events-scaleDownGuard", props(5), props(3)),
      /^Error: replicas: lowering events from 5 to 3 servers is refused: stream\(s\) WIDE \(account APP\): 5 replicas need more than 3 servers/,
    );
    assert.deepEqual(await guard.diff("events-scaleDownGuard", props(5), props(7)), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});

describe("scale-down rules", () => {
  it("refuses a lowering that leaves no majority of the current group", () => {
    assert.deepEqual(scaleDownProblems(5, 1, [], ordinalOf), [
      "5 -> 1 leaves fewer than a majority (3) of the current 5 servers, so no meta leader could remove the departed ones; lower it in steps that keep a majority (e.g. 5 -> 3).",
    ]);
    assert.equal(scaleDownProblems(7, 3, [], ordinalOf).length, 1);
    assert.equal(scaleDownProblems(3, 1, [], ordinalOf).length, 1);
    assert.deepEqual(scaleDownProblems(7, 5, [], ordinalOf), []);
    assert.deepEqual(scaleDownProblems(3, 5, [], ordinalOf), []);
  });

  it("knows the chart's server names (<statefulSet>-<ordinal>) and no others", () => {
    const of = podOrdinal("events");
    assert.equal(of("events-0"), 0);
    assert.equal(of("events-12"), 12);
    assert.equal(of("events-nats-1"), undefined);
    assert.equal(of("billing-1"), undefined);
  });
});
