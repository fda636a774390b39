// NatsCluster deployed for real: the real Pulumi CLI, the real Kubernetes
// provider (pulumi-resource-kubernetes, a January 2026 commit stamped 4.34.2:
// see docs/kube-local.md) and a real API server (tests/kube). kwok stands in
// for kubelets, so the test then makes the pods real: one nats-server per pod
// on loopback, from the chart's ConfigMap and the Secrets read back from the
// API server, reached through kwok's port forwarding. The component's own
// port-forward and `connection` then create an R3 Stream.
//
// The steps build on each other (one stack, one cluster): each `it` is a step.
import assert from "node:assert/strict";
import { freePort, generateTls, type TlsMaterial } from "../harness";
import type { PulumiStack } from "../e2e/pulumi-cli";
import { createKubeStack, listenerPid, resourceSteps, stopPortForward } from "./stack";
import {
  AWS_ZONES,
  NATS_NODE_PLACEMENT,
  kubeBinary,
  loopbackViolations,
  makePodsReal,
  sharedKubePlane,
  type KubeObject,
  type KubePlane,
  type RealPods,
} from "./index";

const NS = "nats-e2e";
const NAME = "events";
const TLS_SECRET = "events-tls-premade";

describe("e2e: NatsCluster on a real Kubernetes API server (platform kubernetes)", function () {
  this.timeout(600_000);
  let plane: KubePlane;
  let stack: PulumiStack;
  let tls: TlsMaterial;
  let localPort: number;
  let pods: RealPods | undefined;
  const kubectlJson = (args: string[]) => plane.kubectl(args, { json: true });
  const passwords = {
    app: "app-Pa55word-one",
    system: "sys-Pa55word-one",
    route: "route-Pa55word-one",
    tenant: "acme-Pa55word-one",
  };

  before(async () => {
    kubeBinary("pulumi-resource-kubernetes"); // throws, naming scripts/install-kube.sh, when not built
    plane = await sharedKubePlane();
    tls = await generateTls(undefined, "kube e2e CA");
    localPort = await freePort();
    // The namespace and the certificate exist before the stack (createNamespace: false).
    // The namespace enforces the `restricted` Pod Security Standard: the API server's
    // PodSecurity admission refuses any pod of the StatefulSet that does not meet it.
    await plane.apply([
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: NS,
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
          },
        },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: TLS_SECRET, namespace: NS },
        stringData: { "tls.crt": tls.server.certPem, "tls.key": tls.server.keyPem, "ca.crt": tls.ca.certPem },
      },
    ]);
    stack = await createKubeStack(plane, "kube-e2e", "kube");
    await stack.config("namespace", NS);
    await stack.config("zones", JSON.stringify(AWS_ZONES));
    await stack.config("nodeSelector", JSON.stringify(NATS_NODE_PLACEMENT.nodeSelector));
    await stack.config("tolerations", JSON.stringify(NATS_NODE_PLACEMENT.tolerations));
    await stack.config("storageClass", "fast-ssd");
    await stack.config("fileStorage", "2Gi");
    await stack.config("resources", "small");
    await stack.config("localPort", String(localPort));
    await stack.config("appPassword", passwords.app, true);
    await stack.config("systemPassword", passwords.system, true);
    await stack.config("routePassword", passwords.route, true);
    await stack.config("tenantPassword", passwords.tenant, true);
    await stack.config("tlsSecret", TLS_SECRET);
    await stack.config("caCert", tls.ca.certPem, true);
  });

  after(async () => {
    await stack?.dispose().catch(() => undefined);
    await pods?.stop();
    stopPortForward(localPort);
    await plane
      ?.kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"])
      .catch(() => undefined);
  });

  it("refuses invalid arguments before any object is sent to the API server", async () => {
    await stack.config("replicas", "2");
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /replicas/);
    assert.doesNotMatch(r.output, /at .*\.js:\d+/, "one message, no stack trace");
    const objects = await kubectlJson([
      "get",
      "statefulsets,services,configmaps,secrets,poddisruptionbudgets",
      "-n",
      NS,
    ]);
    assert.deepEqual((objects.items as KubeObject[]).map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      "ConfigMap/kube-root-ca.crt",
      `Secret/${TLS_SECRET}`,
    ]);
    const roles = await kubectlJson(["get", "clusterroles"]);
    assert.ok(!(roles.items as KubeObject[]).some((o) => o.metadata.name.includes(NAME)));
    await stack.run(["config", "rm", "replicas"], { expectCode: 0 });
  });

  it("up: StatefulSet ready 3/3, one pod per zone, PVCs bound at the size and class asked for, Secret, RBAC, PDB and Services", async () => {
    // kwok runs no containers: while `up` runs, the pods are made real (one nats-server
    // per pod, from what the API server holds), so the component's wait and its
    // port-forward reach real servers, as they would on a real cluster.
    const [upResult, realResult] = await Promise.allSettled([
      stack.up(),
      makePodsReal(plane, { namespace: NS, statefulSet: NAME, timeoutMs: 180_000 }),
    ]);
    if (realResult.status === "fulfilled") pods = realResult.value;
    const failures = [upResult, realResult]
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => (r.reason as Error).message);
    assert.deepEqual(failures, [], "up and the pods made real");
    const up = (upResult as PromiseFulfilledResult<Awaited<ReturnType<PulumiStack["up"]>>>).value;
    assert.match(up.output, /created/);
    const sts = await kubectlJson(["get", "statefulset", NAME, "-n", NS]);
    assert.equal(sts.status.readyReplicas, 3);
    assert.equal(sts.status.replicas, 3);
    const podList = await kubectlJson(["get", "pods", "-n", NS, "-l", `app.kubernetes.io/instance=${NAME}`]);
    const nodes = (await kubectlJson(["get", "nodes"])).items as KubeObject[];
    const zoneOfNode = Object.fromEntries(
      nodes.map((n) => [n.metadata.name, n.metadata.labels["topology.kubernetes.io/zone"]]),
    );
    const zones = (podList.items as KubeObject[]).map((p) => zoneOfNode[p.spec.nodeName]).sort();
    assert.deepEqual(zones, [...AWS_ZONES].sort());
    const pvcs = (await kubectlJson(["get", "pvc", "-n", NS])).items as KubeObject[];
    assert.equal(pvcs.length, 3);
    for (const pvc of pvcs) {
      assert.equal(pvc.status.phase, "Bound", pvc.metadata.name);
      assert.equal(pvc.spec.storageClassName, "fast-ssd");
      assert.equal(pvc.status.capacity.storage, "2Gi");
    }
    const secret = await kubectlJson(["get", "secret", `${NAME}-credentials`, "-n", NS]);
    assert.deepEqual(Object.keys(secret.data).sort(), [
      "app-account",
      "app-password",
      "app-user",
      "auth.conf",
      "routes.conf",
      "system-password",
      "system-user",
    ]);
    const binding = await kubectlJson(["get", "clusterrolebinding", `${NS}-${NAME}-node-reader`]);
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: NAME, namespace: NS }]);
    const pdb = await kubectlJson(["get", "pdb", NAME, "-n", NS]);
    assert.equal(pdb.spec.maxUnavailable, 1);
    const svc = await kubectlJson(["get", "service", NAME, "-n", NS]);
    assert.equal(svc.spec.type, "ClusterIP");
    assert.ok((svc.spec.ports as KubeObject[]).some((p) => p.port === 4222));
    const headless = await kubectlJson(["get", "service", `${NAME}-headless`, "-n", NS]);
    assert.equal(headless.spec.clusterIP, "None");
    // Admitted under `restricted` (the namespace enforces it; the control test below shows
    // it refuses), and Guaranteed QoS as the API server computes it for every pod.
    for (const pod of podList.items as KubeObject[])
      assert.equal(pod.status.qosClass, "Guaranteed", `qosClass of ${pod.metadata.name}`);
    // The route port admits only the cluster's own pods; clients reach 4222 from anywhere.
    const policy = await kubectlJson(["get", "networkpolicy", "-n", NS, "-o", "json"]);
    const [np] = policy.items as KubeObject[];
    assert.ok(np, "a NetworkPolicy");
    const routeRule = (np.spec.ingress as KubeObject[]).find((r) =>
      (r.ports as KubeObject[]).some((p) => p.port === 6222),
    );
    assert.deepEqual(routeRule?.from, [{ podSelector: { matchLabels: np.spec.podSelector.matchLabels } }]);
    assert.deepEqual(np.spec.podSelector.matchLabels["app.kubernetes.io/instance"], NAME);
    // The tenant user's own Secret (docs/tenancy.md: `<name>-user-<user>`), its password
    // clear there only; the servers' include holds its bcrypt hash.
    const user = await kubectlJson(["get", "secret", `${NAME}-user-acme-app`, "-n", NS]);
    const userData = Object.fromEntries(
      Object.entries(user.data as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, "base64").toString(),
      ]),
    );
    assert.equal(userData.password, passwords.tenant);
    assert.equal(userData.account, "ACME");
    const include = Buffer.from(secret.data["auth.conf"], "base64").toString();
    assert.ok(
      !include.includes(passwords.tenant) && !include.includes(passwords.app),
      "no clear password in auth.conf",
    );
    assert.match(include, /\$2a\$/);
    const configMaps = await kubectlJson(["get", "configmaps", "-n", NS]);
    assert.ok(!JSON.stringify(configMaps).includes(passwords.tenant), "no clear password in a ConfigMap");
    // The state holds no password in plain text.
    for (const pw of Object.values(passwords))
      assert.ok(!stack.stateText().includes(pw), "a password in the state");
  });

  it("the namespace's restricted Pod Security Standard is enforced (control: a root pod is refused)", async () => {
    await assert.rejects(
      plane.apply([
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "root-probe", namespace: NS },
          spec: {
            ...NATS_NODE_PLACEMENT,
            containers: [{ name: "c", image: "example.invalid/none:1", securityContext: { runAsUser: 0 } }],
          },
        },
      ]),
      /violates PodSecurity "restricted:latest"/,
    );
  });

  it("the pods made real: one nats-server per pod on loopback from the chart's ConfigMap and Secrets, in the pods' zones", async () => {
    assert.ok(pods, "the pods were made real during up");
    assert.deepEqual(Object.values(pods.zoneOf).sort(), [...AWS_ZONES].sort());
    const varz = (await (
      await fetch(`http://127.0.0.1:${pods.servers[0].monitorPort}/varz`)
    ).json()) as KubeObject;
    assert.deepEqual(varz.tags, [`az:${pods.servers[0].zone}`]);
    assert.equal(varz.jetstream.config.unique_tag, "az:");
    assert.equal(varz.cluster.name, NAME);
  });

  it("preview --expect-no-changes right after up, and after refresh", async () => {
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
    const refresh = await stack.run(["refresh", "--yes", "--skip-preview"], { expectCode: 0 });
    assert.doesNotMatch(refresh.output, /error/i);
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
  });

  it("the component's port-forward and connection create an R3 Stream in three zones", async () => {
    assert.ok(pods, "the pods were made real");
    await stack.config("stream", "true");
    const up = await stack.up();
    assert.match(up.output, /\+ pulumi-nodejs:dynamic\/jetstream:Stream: \(create\)\s+\[urn=\S+::orders\]/);

    // Read the stream back from a server directly (not through the forward): its peers' zones.
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({
      servers: [`tls://127.0.0.1:${pods.servers[0].clientPort}`],
      user: "app",
      pass: passwords.app,
      tls: { ca: tls.ca.certPem },
      reconnect: false,
    });
    try {
      const jsm = await jetstreamManager(nc);
      const si = await jsm.streams.info("ORDERS");
      const peers = [si.cluster!.leader!, ...(si.cluster!.replicas ?? []).map((r) => r.name)];
      assert.equal(peers.length, 3);
      assert.deepEqual(peers.map((p) => pods!.zoneOf[p]).sort(), [...AWS_ZONES].sort());
      // The tenant's stream is in ACME's account: the app account does not see it.
      await assert.rejects(jsm.streams.info("ACME_ORDERS"), /stream not found/);
    } finally {
      await nc.close();
    }
    const acme = await connect({
      servers: [`tls://127.0.0.1:${pods.servers[1].clientPort}`],
      user: "acme-app",
      pass: passwords.tenant,
      tls: { ca: tls.ca.certPem },
      reconnect: false,
    });
    try {
      const names: string[] = [];
      for await (const page of (await jetstreamManager(acme)).streams.names()) names.push(page);
      assert.deepEqual(names, ["ACME_ORDERS"]);
    } finally {
      await acme.close();
    }
    // Everything involved stayed on loopback: the control plane, the servers and the forward.
    const forward = listenerPid(localPort);
    const { violations } = loopbackViolations([
      ...plane.pids,
      ...pods.servers.map((s) => s.process.pid),
      ...(forward ? [forward] : []),
    ]);
    assert.deepEqual(violations, []);
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
  });

  it("an update of resources and chart values shows a per-object diff and applies", async () => {
    await stack.config("resources", "medium");
    await stack.config(
      "chartValues",
      JSON.stringify({
        statefulSet: { merge: { metadata: { annotations: { "example.com/owner": "e2e" } } } },
      }),
    );
    const preview = await stack.preview();
    const changed = resourceSteps(preview.output);
    assert.ok(
      changed.some((l) => /^~\s+kubernetes:apps\/v1:StatefulSet/.test(l)),
      `a StatefulSet update in:\n${preview.output}`,
    );
    assert.match(preview.output, /example\.com\/owner/);
    assert.match(preview.output, /memory/);
    await stack.up();
    const sts = await kubectlJson(["get", "statefulset", NAME, "-n", NS]);
    assert.equal(sts.metadata.annotations["example.com/owner"], "e2e");
    const nats = (sts.spec.template.spec.containers as KubeObject[]).find((c) => c.name === "nats");
    const { PRESETS } = await import("../../sdk/cluster/plan/presets");
    assert.equal(nats?.resources.limits.memory, PRESETS.medium.memory);
    await stack.run(["preview", "--expect-no-changes"], { expectCode: 0 });
  });

  it("a password rotation replaces the credentials Secret and nothing else", async () => {
    // First the Stream goes (deleted through the forward): its connection carries the password.
    await stack.config("stream", "false");
    const removed = await stack.up();
    assert.match(removed.output, /deleted/);
    passwords.app = "app-Pa55word-two";
    await stack.config("appPassword", passwords.app, true);
    const up = await stack.up();
    const changed = resourceSteps(up.output);
    assert.ok(
      changed.length > 0 && changed.every((l) => /kubernetes:core\/v1:Secret/.test(l)),
      `only the Secret changes:\n${changed.join("\n")}\n--- up:\n${up.output.slice(-3000)}`,
    );
    const secret = await kubectlJson(["get", "secret", `${NAME}-credentials`, "-n", NS]);
    assert.equal(Buffer.from(secret.data["app-password"], "base64").toString(), passwords.app);
  });

  it("destroy leaves nothing behind but the volume claims (kept by Kubernetes) and what the test made", async () => {
    await stack.run(["destroy", "--yes", "--skip-preview"], { expectCode: 0 });
    const left = await kubectlJson([
      "get",
      "statefulsets,services,configmaps,secrets,poddisruptionbudgets,serviceaccounts,pvc",
      "-n",
      NS,
    ]);
    const names = (left.items as KubeObject[])
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .filter((n) => n !== "ServiceAccount/default")
      .sort();
    assert.deepEqual(names, [
      "ConfigMap/kube-root-ca.crt",
      `PersistentVolumeClaim/${NAME}-js-${NAME}-0`,
      `PersistentVolumeClaim/${NAME}-js-${NAME}-1`,
      `PersistentVolumeClaim/${NAME}-js-${NAME}-2`,
      `Secret/${TLS_SECRET}`,
    ]);
    const roles = await kubectlJson(["get", "clusterroles,clusterrolebindings"]);
    assert.ok(!(roles.items as KubeObject[]).some((o) => o.metadata.name.includes(`${NS}-${NAME}`)));
  });
});
