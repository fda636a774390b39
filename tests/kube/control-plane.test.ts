// The Kubernetes harness itself: a real control plane on 127.0.0.1 whose fake
// nodes schedule, run (as kwok reports) and provision volumes for pods the way
// NatsCluster's pods need, and whose processes never touch a non-loopback
// address.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { KubeConfig, PortForward } from "@kubernetes/client-node";
import { startServer } from "../harness";
import {
  AWS_ZONES,
  GCP_ZONES,
  NATS_NODE_PLACEMENT,
  loopbackViolations,
  sharedKubePlane,
  type KubeObject,
  type KubePlane,
} from "./index";

const NS = "harness-selftest";

function get(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

/** The first line a TCP server on 127.0.0.1:<port> sends, or undefined when it closes first. */
function firstLine(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const done = (line: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => done(undefined), 5000);
    socket.on("data", (d: Buffer) => {
      data += d.toString();
      const nl = data.indexOf("\r\n");
      if (nl >= 0) done(data.slice(0, nl));
    });
    socket.on("error", () => done(undefined));
    socket.on("close", () => done(undefined));
  });
}

describe("kube harness: a control plane on 127.0.0.1", function () {
  this.timeout(180_000);
  let plane: KubePlane;

  before(async () => {
    plane = await sharedKubePlane();
    await plane.kubectl(["create", "namespace", NS]);
  });
  after(async () => {
    await plane?.kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
  });

  it("has six Ready nodes, one per AWS-style and GCP-style zone, on 127.0.0.1, tainted for NATS", async () => {
    const nodes = (await plane.kubectl(["get", "nodes"], { json: true })).items as KubeObject[];
    assert.deepEqual(
      nodes.map((n) => n.metadata.labels["topology.kubernetes.io/zone"]).sort(),
      [...AWS_ZONES, ...GCP_ZONES].sort(),
    );
    for (const n of nodes) {
      assert.ok(
        n.status.conditions.some((c: KubeObject) => c.type === "Ready" && c.status === "True"),
        n.metadata.name,
      );
      assert.deepEqual(
        n.status.addresses
          .filter((a: KubeObject) => a.type === "InternalIP")
          .map((a: KubeObject) => a.address),
        ["127.0.0.1"],
      );
      assert.equal(n.status.daemonEndpoints.kubeletEndpoint.Port, plane.kubeletPort);
      assert.deepEqual(
        n.spec.taints.map((t: KubeObject) => `${t.key}=${t.value}:${t.effect}`),
        ["pulumi-nats/dedicated=nats:NoSchedule"],
      );
    }
  });

  it("schedules a tolerating pod into the zone asked for, reports it Ready, and binds its claim at the requested size and class", async () => {
    await plane.apply([
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data", namespace: NS },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "fast-ssd",
          resources: { requests: { storage: "3Gi" } },
        },
      },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "probe", namespace: NS },
        spec: {
          nodeSelector: {
            ...NATS_NODE_PLACEMENT.nodeSelector,
            "topology.kubernetes.io/zone": "europe-west1-c",
          },
          tolerations: NATS_NODE_PLACEMENT.tolerations,
          containers: [{ name: "c", image: "example.invalid/none:1" }],
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
        },
      },
    ]);
    const pod = await plane.waitFor("pod probe Ready", async () => {
      const p = await plane.get(`/api/v1/namespaces/${NS}/pods/probe`);
      return p?.status?.conditions?.some((c: KubeObject) => c.type === "Ready" && c.status === "True")
        ? p
        : undefined;
    });
    assert.equal(pod.spec.nodeName, "nats-gcp-c");
    // kube-apiserver 1.37 copies the node's topology labels onto the pod at binding
    // (PodTopologyLabels admission; docs/cluster.md, "How a pod learns its zone").
    assert.equal(pod.metadata.labels?.["topology.kubernetes.io/zone"], "europe-west1-c");
    const pvc = await plane.get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
    assert.equal(pvc?.status.phase, "Bound");
    assert.equal(pvc?.status.capacity.storage, "3Gi");
    const pv = await plane.get(`/api/v1/persistentvolumes/${pvc?.spec.volumeName}`);
    assert.equal(pv?.spec.storageClassName, "fast-ssd");
  });

  it("grows a bound claim and its volume to a larger request, as a CSI resizer would (stage pvc-resize)", async () => {
    // The claim "data" of the test above, bound at 3Gi.
    await plane.kubectl([
      "patch",
      "pvc",
      "data",
      "-n",
      NS,
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { resources: { requests: { storage: "5Gi" } } } }),
    ]);
    const pvc = await plane.waitFor("claim data reporting 5Gi", async () => {
      const c = await plane.get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
      return c?.status?.capacity?.storage === "5Gi" ? c : undefined;
    });
    const pv = await plane.get(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
    assert.equal(pv?.spec.capacity.storage, "5Gi");
    assert.equal(pvc.status.phase, "Bound");
  });

  it("tunnels a pod's port to a local nats-server through the API server and kwok's kubelet API (client-node port-forward)", async () => {
    // The pod "probe" of the test above; kwok maps its port 4222 to the local server.
    const server = await startServer({ serverName: "probe" });
    const local = net.createServer();
    try {
      await plane.apply([
        {
          apiVersion: "kwok.x-k8s.io/v1alpha1",
          kind: "PortForward",
          metadata: { name: "probe", namespace: NS },
          spec: {
            forwards: [{ ports: [4222], target: { port: server.ports.client, address: "127.0.0.1" } }],
          },
        },
      ]);
      const kc = new KubeConfig();
      kc.loadFromString(plane.kubeconfig);
      const forward = new PortForward(kc);
      local.on("connection", (socket) => {
        forward.portForward(NS, "probe", [4222], socket, null, socket).catch(() => socket.destroy());
      });
      await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
      const port = (local.address() as net.AddressInfo).port;
      // kwok reads PortForward objects through a watch: the first tunnels may find none yet.
      const info = await plane.waitFor("the NATS INFO line through the tunnel", () => firstLine(port));
      assert.match(info, /^INFO \{/);
      assert.equal(JSON.parse(info.slice(5)).server_name, "probe");
    } finally {
      local.close();
      await server.stop();
    }
  });

  it("refuses a pod that does not tolerate the NATS taint (it stays Pending, unscheduled)", async () => {
    await plane.apply([
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "intolerant", namespace: NS },
        spec: { containers: [{ name: "c", image: "example.invalid/none:1" }] },
      },
    ]);
    const cond = await plane.waitFor("the scheduler's verdict on pod intolerant", async () => {
      const p = await plane.get(`/api/v1/namespaces/${NS}/pods/intolerant`);
      return p?.status?.conditions?.find(
        (c: KubeObject) => c.type === "PodScheduled" && c.status === "False",
      );
    });
    assert.equal(cond.reason, "Unschedulable");
    assert.match(cond.message, /untolerated taint/);
  });

  it("gives a LoadBalancer Service the ingress address 127.0.0.1", async () => {
    await plane.apply([
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "lb", namespace: NS },
        spec: { type: "LoadBalancer", selector: { app: "none" }, ports: [{ port: 4222 }] },
      },
    ]);
    const ingress = await plane.waitFor("the Service's ingress", async () => {
      const s = await plane.get(`/api/v1/namespaces/${NS}/services/lb`);
      return s?.status?.loadBalancer?.ingress;
    });
    // The API server fills in ipMode (VIP) itself; the address is what matters.
    assert.deepEqual(
      (ingress as { ip?: string; hostname?: string }[]).map((i) => i.ip ?? i.hostname),
      ["127.0.0.1"],
    );
  });

  it("serves the nats 2.14.2 chart from a repository on 127.0.0.1", async () => {
    assert.match(plane.chartRepoUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(`${plane.chartRepoUrl}index.yaml`);
    assert.equal(index.status, 200);
    assert.match(index.body.toString(), /version: 2\.14\.2/);
    const tgz = await get(`${plane.chartRepoUrl}nats-2.14.2.tgz`);
    assert.equal(tgz.status, 200);
    assert.equal(tgz.body.subarray(0, 2).toString("hex"), "1f8b");
  });

  it("its processes listen and connect on 127.0.0.0/8 only (ss)", async () => {
    // Some traffic first: the apiserver dials the kubelet API (kwok) for logs.
    await plane.kubectl(["logs", "-n", NS, "probe"]).catch(() => undefined);
    const { violations, sockets } = loopbackViolations(plane.pids);
    assert.ok(sockets >= 6, `expected the plane's sockets in ss's output, saw ${sockets}`);
    assert.deepEqual(violations, []);
  });
});
