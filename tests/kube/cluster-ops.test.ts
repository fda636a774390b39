// The cluster operations of sdk/cluster/ops proved on the real control plane
// (tests/kube), through the real Pulumi CLI, with the pods made real and a
// kubelet played for them (a server stops when its pod is deleted):
// - scale-down 5 -> 3: refused at preview while a stream needs 5 servers
//   (naming it); once allowed, the departing servers leave the JetStream meta
//   group by the component's own ops after their pods are gone;
// - storage growth 2Gi -> 3Gi on the 3 servers left, holding an R3 stream:
//   the claims grow in place, the StatefulSet is replaced with its pods
//   orphaned (their UIDs survive), max_file_store is raised, the messages
//   stay; shrinking back is refused at preview, naming the field.
// kwok's stage pvc-resize (objects.ts) plays the CSI resizer.
//
// The steps build on each other (one stack, one cluster): each `it` is a step.
import assert from "node:assert/strict";
import { freePort, generateTls, getJson, type TlsMaterial } from "../harness";
import type { PulumiStack } from "../e2e/pulumi-cli";
import { createKubeStack, resourceSteps, stopPortForward } from "./stack";
import { parseBytes } from "../../sdk/cluster/plan/quantity";
import {
  AWS_ZONES,
  GCP_ZONES,
  NATS_NODE_PLACEMENT,
  kubeBinary,
  makePodsReal,
  sharedKubePlane,
  type KubeObject,
  type KubePlane,
  type RealPods,
} from "./index";

const NS = "nats-cluster-ops";
// The NatsCluster's name (config `name`): the StatefulSet, its pods and the
// cluster-scoped RBAC objects are named after it; not "events", e2e.test.ts's.
const NAME = "ops";
const TLS_SECRET = "ops-tls-premade";
const ZONES = [...AWS_ZONES, GCP_ZONES[0], GCP_ZONES[1]]; // five zones, one fake node each

describe("cluster ops on a real Kubernetes API server: scale-down and storage growth", function () {
  this.timeout(600_000);
  let plane: KubePlane;
  let stack: PulumiStack;
  let tls: TlsMaterial;
  let localPort: number;
  let pods: RealPods | undefined;
  const kubectlJson = (args: string[]) => plane.kubectl(args, { json: true });
  const password = "app-Pa55word-ops";

  /** A JetStream manager on a server made real (directly, not through the forward). */
  async function withJsm<T>(
    server: number,
    fn: (
      jsm: import("@nats-io/jetstream").JetStreamManager,
      nc: import("@nats-io/nats-core").NatsConnection,
    ) => Promise<T>,
  ): Promise<T> {
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({
      servers: [`tls://127.0.0.1:${pods!.servers[server].clientPort}`],
      user: "app",
      pass: password,
      tls: { ca: tls.ca.certPem },
      reconnect: false,
    });
    try {
      return await fn(await jetstreamManager(nc), nc);
    } finally {
      await nc.close();
    }
  }

  /** The meta group as a server's /jsz reports it. */
  async function metaCluster(server: number) {
    const r = await getJson<{
      meta_cluster?: { cluster_size?: number; leader?: string; replicas?: { name: string }[] };
    }>(`http://127.0.0.1:${pods!.servers[server].monitorPort}/jsz`);
    return r.body.meta_cluster;
  }

  const podUids = async () =>
    Object.fromEntries(
      (
        (await kubectlJson(["get", "pods", "-n", NS, "-l", `app.kubernetes.io/instance=${NAME}`]))
          .items as KubeObject[]
      ).map((p) => [p.metadata.name, p.metadata.uid]),
    );

  const maxFileStore = async () => {
    const cm = await kubectlJson(["get", "configmap", `${NAME}-config`, "-n", NS]);
    const m = /"max_file_store":\s*"?([^",\s}]+)/.exec(cm.data["nats.conf"]);
    assert.ok(m, `max_file_store in the ConfigMap:\n${cm.data["nats.conf"]}`);
    return m[1];
  };

  before(async () => {
    kubeBinary("pulumi-resource-kubernetes"); // throws, naming scripts/install-kube.sh, when not built
    plane = await sharedKubePlane();
    tls = await generateTls(undefined, "kube ops CA");
    localPort = await freePort();
    await plane.apply([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: TLS_SECRET, namespace: NS },
        stringData: { "tls.crt": tls.server.certPem, "tls.key": tls.server.keyPem, "ca.crt": tls.ca.certPem },
      },
    ]);
    stack = await createKubeStack(plane, "kube-ops", "ops");
    await stack.config("name", NAME);
    await stack.config("namespace", NS);
    await stack.config("zones", JSON.stringify(ZONES));
    await stack.config("replicas", "5");
    await stack.config("nodeSelector", JSON.stringify(NATS_NODE_PLACEMENT.nodeSelector));
    await stack.config("tolerations", JSON.stringify(NATS_NODE_PLACEMENT.tolerations));
    await stack.config("storageClass", "fast-ssd");
    await stack.config("fileStorage", "2Gi");
    await stack.config("resources", "small");
    await stack.config("localPort", String(localPort));
    await stack.config("appPassword", password, true);
    await stack.config("systemPassword", "sys-Pa55word-ops", true);
    await stack.config("routePassword", "route-Pa55word-ops", true);
    await stack.config("tlsSecret", TLS_SECRET);
    await stack.config("caCert", tls.ca.certPem, true);
  });

  after(async () => {
    // Destroyed (not only forgotten): the ClusterRole and its binding outlive the namespace.
    await stack?.run(["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
    await stack?.dispose().catch(() => undefined);
    await pods?.stop();
    stopPortForward(localPort);
    await plane
      ?.kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"])
      .catch(() => undefined);
  });

  it("up: 5 servers in 5 zones, made real (a kubelet played for them), one meta group of 5", async () => {
    const [upResult, realResult] = await Promise.allSettled([
      stack.up(),
      makePodsReal(plane, { namespace: NS, statefulSet: NAME, timeoutMs: 240_000, followPods: true }),
    ]);
    if (realResult.status === "fulfilled") pods = realResult.value;
    const failures = [upResult, realResult]
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => (r.reason as Error).message);
    assert.deepEqual(failures, [], "up and the pods made real");
    assert.deepEqual(Object.values(pods!.zoneOf).sort(), [...ZONES].sort());
    const meta = await plane.waitFor("a meta group of 5 with a leader", async () => {
      const m = await metaCluster(0);
      return m?.leader && m.cluster_size === 5 ? m : undefined;
    });
    assert.equal(meta.cluster_size, 5);
  });

  it("lowering replicas below a stream's replicas is refused at preview, naming the stream, and changes nothing", async () => {
    await withJsm(0, (jsm) => jsm.streams.add({ name: "WIDE", subjects: ["wide.>"], num_replicas: 5 }));
    await stack.config("replicas", "3");
    const preview = await stack.run(["preview"]);
    assert.notEqual(preview.code, 0, preview.output);
    assert.match(preview.output, new RegExp(`replicas: lowering ${NAME} from 5 to 3 servers is refused`));
    assert.match(preview.output, /WIDE/);
    assert.match(preview.output, /5 replicas/);
    const sts = await kubectlJson(["get", "statefulset", NAME, "-n", NS]);
    assert.equal(sts.spec.replicas, 5);
    await withJsm(0, (jsm) => jsm.streams.delete("WIDE"));
  });

  it("5 -> 3: the departing pods go, their servers stop, and the component's ops remove them from the meta group", async () => {
    const preview = await stack.preview();
    assert.ok(
      resourceSteps(preview.output).includes("~ kubernetes:apps/v1:StatefulSet"),
      `a StatefulSet update in:\n${preview.output}`,
    );
    await stack.up();
    for (const gone of [`${NAME}-3`, `${NAME}-4`]) {
      assert.equal(
        await plane.get(`/api/v1/namespaces/${NS}/pods/${gone}`),
        undefined,
        `pod ${gone} deleted`,
      );
      assert.deepEqual(pods!.podEvents[gone], ["stopped"], `the server of ${gone} stopped with its pod`);
    }
    for (const kept of [0, 1, 2]) assert.deepEqual(pods!.podEvents[`${NAME}-${kept}`], []);
    // The test never calls the peer-remove API: the meta group shrank by the component's ops.
    // Server 0 may follow the meta leader by a moment; without the trim it stays 5.
    const meta = await plane
      .waitFor(
        "a meta group of 3 on server 0",
        async () => {
          const m = await metaCluster(0);
          return m?.cluster_size === 3 ? m : undefined;
        },
        15_000,
      )
      .catch(async (err: Error) => assert.fail(`${err.message}: ${JSON.stringify(await metaCluster(0))}`));
    assert.equal(meta?.cluster_size, 3, JSON.stringify(meta));
    // The peers as the meta leader lists them (a follower's /jsz lists none).
    const leader = pods!.servers.findIndex((s) => s.pod === meta!.leader);
    assert.ok(leader >= 0 && leader < 3, `the meta leader ${meta!.leader} is a server left`);
    const fromLeader = (await metaCluster(leader))!;
    const peers = [fromLeader.leader!, ...(fromLeader.replicas ?? []).map((r) => r.name)].sort();
    assert.deepEqual(peers, [`${NAME}-0`, `${NAME}-1`, `${NAME}-2`]);
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
  });

  it("fileStorage 2Gi -> 3Gi: the claims grow in place, the pods survive, max_file_store rises, the stream keeps its messages", async () => {
    const MESSAGES = 50;
    await withJsm(0, async (jsm, nc) => {
      await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], num_replicas: 3 });
      const { jetstream } = await import("@nats-io/jetstream");
      const js = jetstream(nc);
      for (let i = 0; i < MESSAGES; i++) await js.publish(`orders.${i}`, `order ${i}`);
    });
    const uidsBefore = await podUids();
    assert.equal(Object.keys(uidsBefore).length, 3);
    const maxBefore = await maxFileStore();

    await stack.config("fileStorage", "3Gi");
    const preview = await stack.preview();
    const planned = resourceSteps(preview.output).sort();
    assert.deepEqual(
      planned,
      [
        "+- kubernetes:apps/v1:StatefulSet",
        "+- kubernetes:core/v1:ConfigMap",
        "~ pulumi-nodejs:dynamic/cluster:VolumeGrowth",
      ],
      `the preview shows the growth, the StatefulSet replaced (pods orphaned) and the ConfigMap replaced (max_file_store), nothing else:\n${preview.output}`,
    );
    const up = await stack.up();
    assert.match(up.output, /VolumeGrowth/);

    assert.deepEqual(await podUids(), uidsBefore, "no pod was deleted");
    for (const name of Object.keys(uidsBefore))
      assert.deepEqual(pods!.podEvents[name], [], `${name} kept running`);
    const pvcs = ((await kubectlJson(["get", "pvc", "-n", NS])).items as KubeObject[]).filter((c) =>
      /-[0-2]$/.test(c.metadata.name),
    );
    assert.equal(pvcs.length, 3);
    for (const pvc of pvcs) assert.equal(pvc.status.capacity.storage, "3Gi", pvc.metadata.name);
    const sts = await kubectlJson(["get", "statefulset", NAME, "-n", NS]);
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "3Gi");
    assert.equal(sts.status.readyReplicas, 3);
    const maxAfter = await maxFileStore();
    assert.ok(parseBytes(maxAfter)! > parseBytes(maxBefore)!, `max_file_store ${maxBefore} -> ${maxAfter}`);
    assert.ok(parseBytes(maxAfter)! <= parseBytes("3Gi")!, `max_file_store ${maxAfter} fits the 3Gi volume`);
    const info = await withJsm(0, (jsm) => jsm.streams.info("ORDERS"));
    assert.equal(info.state.messages, MESSAGES);
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
  });

  it("fileStorage 3Gi -> 2Gi is refused at preview, naming the field", async () => {
    await stack.config("fileStorage", "2Gi");
    const preview = await stack.run(["preview"]);
    assert.notEqual(preview.code, 0);
    assert.match(preview.output, /jetstream\.fileStorage: 2Gi is smaller than the volumes' current 3Gi/);
    assert.doesNotMatch(preview.output, /at .*\.js:\d+/, "one message, no stack trace");
    await stack.config("fileStorage", "3Gi");
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
  });
});
