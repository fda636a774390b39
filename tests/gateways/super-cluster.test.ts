// Two 3-server clusters ("aws" and "gcp") joined by gateways on 127.0.0.1,
// configured as NatsCluster's chart renders a super-cluster member (see
// tests/cluster/rendered/chart-gateway-*.yaml.txt): gateway name = cluster
// name, mutual TLS against one shared CA, reject_unknown_cluster, the shared
// auth include file (same accounts, users and passwords everywhere), distinct
// server names. Then: a subject crosses the gateway, a stream placed in "aws"
// by the provider core is mirrored into "gcp", and with "aws" stopped the
// mirror in "gcp" is still readable.
import assert from "node:assert/strict";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { renderAuthInclude } from "../../sdk/cluster/security/auth";
import { placementIn } from "../../sdk/cluster/gateways/gateways";
import { AUTH, log } from "./support";
import {
  freePorts,
  gatewayUrlsFor,
  startCluster,
  waitFor,
  waitForSuperCluster,
  type NatsCluster,
  type NatsConnection,
} from "../harness";
import { closeSessions, cores } from "../jetstream/support";

// One set of passwords for both clusters, as SuperCluster generates them once.
const SYS_PW = "Sys0SharedPassword0123456789abcd";
const APP_PW = "App0SharedPassword0123456789abcd";

describe("super-cluster of two 3-server clusters through TLS gateways (real servers)", function () {
  this.timeout(60_000);
  let aws: NatsCluster;
  let gcp: NatsCluster;
  const open: NatsConnection[] = [];
  const connect = async (c: NatsCluster, user = "app", pass = APP_PW) => {
    const nc = await c.connect({ user, pass });
    open.push(nc);
    return nc;
  };
  const connection = (c: NatsCluster) => ({
    connection: { servers: c.urls, user: "app", readyTimeout: "30s" },
    credentials: { password: APP_PW },
  });

  before(async () => {
    const ports = await freePorts(6);
    const [awsPorts, gcpPorts] = [ports.slice(0, 3), ports.slice(3)];
    const member = (name: string, own: number[], other: string, otherPorts: number[]) =>
      startCluster({
        clusterName: name,
        namePrefix: `${name}-`,
        tags: (i) => [`az:${name}-${"abc"[i]}`],
        uniqueTag: "az:",
        gateway: { ports: own, remotes: [{ name: other, urls: gatewayUrlsFor(otherPorts) }], tls: true },
        extraConfig: renderAuthInclude(AUTH, SYS_PW, APP_PW),
        readiness: "jetstream",
      });
    const t0 = Date.now();
    [aws, gcp] = await Promise.all([
      member("aws", awsPorts, "gcp", gcpPorts),
      member("gcp", gcpPorts, "aws", awsPorts),
    ]);
    const leader = await waitForSuperCluster([aws, gcp]);
    log(`super-cluster up in ${Date.now() - t0} ms; meta leader ${leader}, 6 peers`);
  });
  after(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await closeSessions();
    await Promise.all([aws?.destroy(), gcp?.destroy()]);
  });

  it("connects every server to the other cluster's gateway with TLS", async () => {
    for (const c of [aws, gcp]) {
      const other = c === aws ? "gcp" : "aws";
      const gwz = await waitFor(
        async () => {
          const answers = await Promise.all(
            c.servers.map(
              async (s) =>
                (await (await fetch(`${s.monitorUrl}/gatewayz`)).json()) as {
                  name: string;
                  outbound_gateways?: Record<
                    string,
                    { connection?: { tls_version?: string; name?: string } }
                  >;
                },
            ),
          );
          return answers.every((a) => a.outbound_gateways?.[other]?.connection?.tls_version)
            ? answers
            : undefined;
        },
        { timeoutMs: 20_000, what: `outbound gateways ${c.name} -> ${other}` },
      );
      for (const g of gwz) {
        assert.equal(g.name, c.name);
        log(
          `${c.name}: outbound to ${other} via ${g.outbound_gateways![other].connection!.name}, TLS ${g.outbound_gateways![other].connection!.tls_version}`,
        );
      }
    }
  });

  it("delivers a subject published in aws to a subscriber in gcp, and back", async () => {
    const inGcp = await connect(gcp);
    const inAws = await connect(aws);
    for (const [from, to, subject] of [
      [inAws, inGcp, "orders.created"],
      [inGcp, inAws, "orders.shipped"],
    ] as const) {
      const sub = to.subscribe(subject, { max: 1 });
      await to.flush();
      const got = (async () => {
        for await (const m of sub) return m.string();
      })();
      // The subscriber's interest crosses the gateway asynchronously: publish until it arrives.
      const timer = setInterval(() => from.publish(subject, `hello via gateway: ${subject}`), 100);
      try {
        const text = await Promise.race([
          got,
          new Promise<never>((_, rej) =>
            setTimeout(() => rej(new Error(`${subject} never arrived`)), 10_000),
          ),
        ]);
        assert.equal(text, `hello via gateway: ${subject}`);
        log(
          `${subject}: published in ${from === inAws ? "aws" : "gcp"}, received in ${to === inGcp ? "gcp" : "aws"}`,
        );
      } finally {
        clearInterval(timer);
      }
    }
  });

  it("places a stream in aws and mirrors it into gcp through the provider core", async () => {
    const clusters = [aws.name, gcp.name];
    // Created through gcp's servers: the API request crosses the gateway to the meta leader.
    const origin = await cores.stream.create({
      ...connection(gcp),
      name: "ORDERS",
      subjects: ["orders.>"],
      replicas: 3,
      placement: placementIn(clusters, "aws"),
    });
    const mirror = await cores.stream.create({
      ...connection(aws),
      name: "ORDERS_DR",
      replicas: 3,
      mirror: { name: "ORDERS" },
      placement: placementIn(clusters, "gcp"),
    });
    assert.deepEqual(origin.outs.placement, { cluster: "aws" });
    assert.deepEqual(mirror.outs.placement, { cluster: "gcp" });

    const nc = await connect(gcp);
    const jsm = await jetstreamManager(nc);
    const js = jsm.jetstream();
    for (let i = 1; i <= 20; i++) await js.publish(`orders.${i}`, `order ${i}`);
    const originInfo = await jsm.streams.info("ORDERS");
    assert.equal(originInfo.cluster?.name, "aws");
    assert.equal(originInfo.state.messages, 20);
    const mirrored = await waitFor(
      async () => {
        const i = await jsm.streams.info("ORDERS_DR");
        return i.state.messages === 20 ? i : undefined;
      },
      { timeoutMs: 20_000, what: "ORDERS_DR to hold the 20 messages" },
    );
    assert.equal(mirrored.cluster?.name, "gcp");
    const peers = (i: typeof mirrored) => [
      i.cluster?.leader,
      ...(i.cluster?.replicas ?? []).map((r) => r.name),
    ];
    assert.ok(
      peers(originInfo).every((p) => p?.startsWith("aws-")),
      String(peers(originInfo)),
    );
    assert.ok(
      peers(mirrored).every((p) => p?.startsWith("gcp-")),
      String(peers(mirrored)),
    );
    log(`ORDERS in cluster ${originInfo.cluster?.name} on ${peers(originInfo).join(", ")}: 20 messages`);
    log(
      `ORDERS_DR (mirror) in cluster ${mirrored.cluster?.name} on ${peers(mirrored).join(", ")}: 20 messages`,
    );
  });

  it("refuses a stream placed in a cluster that is not part of the system", async () => {
    assert.throws(
      () => placementIn([aws.name, gcp.name], "azure"),
      /"azure" is not part of this super-cluster/,
    );
    // Without the check, the server would only answer at create time.
    await assert.rejects(
      cores.stream.create({
        ...connection(gcp),
        name: "NOWHERE",
        subjects: ["nowhere"],
        placement: { cluster: "azure" },
      }),
      (err: Error) => {
        log(`server's answer for placement in "azure": ${err.message.split("\n")[0]}`);
        return true;
      },
    );
  });

  it("keeps the mirror in gcp readable with the whole aws cluster stopped", async function () {
    this.timeout(150_000);
    const nc = await connect(gcp);
    const jsm = await jetstreamManager(nc);
    // A DR reader made ahead of time: its Raft group lives in gcp with the mirror.
    await jsm.consumers.add("ORDERS_DR", { durable_name: "dr-reader", ack_policy: AckPolicy.Explicit });
    await aws.stop();
    const info = await waitFor(
      async () => {
        try {
          const i = await jsm.streams.info("ORDERS_DR");
          return i.cluster?.leader ? i : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 20_000, what: "ORDERS_DR to answer with aws down" },
    );
    assert.equal(info.state.messages, 20);
    const bodies: string[] = [];
    for (let seq = 1; seq <= 20; seq++)
      bodies.push((await jsm.streams.getMessage("ORDERS_DR", { seq }))!.string());
    assert.deepEqual(
      bodies,
      Array.from({ length: 20 }, (_, i) => `order ${i + 1}`),
    );
    // The consumer made before the outage reads them all.
    const js = jsm.jetstream();
    const reader = await js.consumers.get("ORDERS_DR", "dr-reader");
    const read: string[] = [];
    while (read.length < 20) {
      const batch = await reader.fetch({ max_messages: 20 - read.length, expires: 2000 });
      for await (const m of batch) {
        read.push(m.string());
        m.ack();
      }
    }
    assert.deepEqual(read, bodies);
    // What is NOT possible: 3 of 6 meta peers are no quorum, so no new stream or consumer.
    // gcp's servers notice the lost leader after an election timeout, then find no quorum.
    await waitFor(
      async () =>
        (await Promise.all(gcp.servers.map((s) => s.jsz()))).every((x) => !x.meta_cluster?.leader)
          ? true
          : undefined,
      // A meta leader inside gcp steps down only after its lost-quorum check,
      // which on a loaded 2-core machine has taken over 30 s.
      { timeoutMs: 90_000, what: "gcp to report no meta leader" },
    );
    await assert.rejects(
      jsm.consumers.add("ORDERS_DR", { durable_name: "late", ack_policy: AckPolicy.Explicit }),
    );
    log(
      `aws stopped: ORDERS_DR leader ${info.cluster?.leader}; 20/20 messages read by sequence and by the durable dr-reader; no meta leader (3 of 6 peers), so a new consumer is refused`,
    );
  });
});
