// Growing the JetStream volumes in place (issue 16, point 2), against a fake
// Kubernetes API server that speaks the real REST protocol (discovery, GET,
// merge PATCH) and, like a volume driver with online expansion, reports the
// new capacity some time after a claim's request grows. What the real
// control plane does (the StatefulSet replaced with orphaned pods, kwok's
// claims) is left to the kube-plane harness; see docs/cluster.md.
import assert from "node:assert/strict";
import * as http from "node:http";
import type * as net from "node:net";
import { claimNames, growVolumes, ORPHAN_ANNOTATION } from "../../sdk/cluster/ops/storage-growth";

interface Obj {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } };
  status?: { capacity?: Record<string, string> };
  allowVolumeExpansion?: boolean;
}

const DISCOVERY: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  "/api/v1": [{ name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true }],
  "/apis/apps/v1": [{ name: "statefulsets", kind: "StatefulSet", namespaced: true }],
  "/apis/storage.k8s.io/v1": [{ name: "storageclasses", kind: "StorageClass", namespaced: false }],
};

async function fakeApi(
  objects: Map<string, Obj>,
  patches: string[],
): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (DISCOVERY[url.pathname])
      return send(200, {
        kind: "APIResourceList",
        groupVersion: url.pathname.replace(/^\/apis?\//, ""),
        resources: DISCOVERY[url.pathname].map((r) => ({ ...r, singularName: "", verbs: ["get", "patch"] })),
      });
    const obj = objects.get(url.pathname);
    if (req.method === "GET")
      return obj ? send(200, obj) : send(404, { kind: "Status", code: 404, reason: "NotFound" });
    if (req.method === "PATCH" && obj) {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        patches.push(`${req.headers["content-type"]} ${url.pathname} ${body}`);
        const size = (JSON.parse(body) as Obj).spec!.resources!.requests!.storage;
        obj.spec = { ...obj.spec, resources: { requests: { storage: size } } };
        // The volume driver grows the disk and the kubelet the filesystem, a little later.
        setTimeout(() => (obj.status = { capacity: { storage: size } }), 300);
        send(200, obj);
      });
      return;
    }
    send(404, { kind: "Status", code: 404 });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function kubeconfigFor(server: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fake", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "fake", user: { token: "t" } }],
    contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
    "current-context": "fake",
  });
}

function cluster(opts: { orphan: boolean; expandable: boolean }): Map<string, Obj> {
  const m = new Map<string, Obj>();
  m.set("/apis/apps/v1/namespaces/nats/statefulsets/events", {
    metadata: { name: "events", annotations: opts.orphan ? { [ORPHAN_ANNOTATION]: "orphan" } : {} },
  });
  m.set("/apis/storage.k8s.io/v1/storageclasses/events-jetstream", {
    metadata: { name: "events-jetstream" },
    allowVolumeExpansion: opts.expandable,
  });
  for (const name of claimNames("events-js", "events", 3))
    m.set(`/api/v1/namespaces/nats/persistentvolumeclaims/${name}`, {
      metadata: { name },
      spec: { storageClassName: "events-jetstream", resources: { requests: { storage: "10Gi" } } },
      status: { capacity: { storage: "10Gi" } },
    });
  return m;
}

describe("volume growth in place (fake Kubernetes API)", function () {
  this.timeout(30_000);
  const target = (url: string, size = "20Gi") => ({
    kubeconfig: kubeconfigFor(url),
    namespace: "nats",
    statefulSet: "events",
    template: "events-js",
    replicas: 3,
    size,
    timeoutMs: 10_000,
  });

  it("expands every claim with a merge patch and waits until each reports the new capacity", async () => {
    const objects = cluster({ orphan: true, expandable: true });
    const patches: string[] = [];
    const api = await fakeApi(objects, patches);
    try {
      const grown = await growVolumes(target(api.url));
      assert.deepEqual(grown, ["events-js-events-0", "events-js-events-1", "events-js-events-2"]);
      assert.equal(patches.length, 3);
      assert.ok(
        patches.every((p) => p.startsWith("application/merge-patch+json ")),
        patches.join("\n"),
      );
      for (const name of grown) {
        const pvc = objects.get(`/api/v1/namespaces/nats/persistentvolumeclaims/${name}`)!;
        assert.equal(pvc.status?.capacity?.storage, "20Gi");
      }
      // Again at the same size: nothing to patch.
      assert.deepEqual(await growVolumes(target(api.url)), []);
      assert.equal(patches.length, 3);
    } finally {
      api.close();
    }
  });

  it("refuses, before patching anything, a StatefulSet without the orphan policy or a class that cannot expand", async () => {
    const patches: string[] = [];
    const noOrphan = await fakeApi(cluster({ orphan: false, expandable: true }), patches);
    const fixed = await fakeApi(cluster({ orphan: true, expandable: false }), patches);
    try {
      await assert.rejects(
        growVolumes(target(noOrphan.url)),
        /^Error: jetstream\.fileStorage: StatefulSet nats\/events lacks the annotation pulumi\.com\/deletionPropagationPolicy: orphan, so replacing it would delete every server at once/,
      );
      await assert.rejects(
        growVolumes(target(fixed.url)),
        /^Error: jetstream\.fileStorage: StorageClass events-jetstream \(of claim events-js-events-0\) does not allow volume expansion; set allowVolumeExpansion: true/,
      );
      assert.deepEqual(patches, []);
    } finally {
      noOrphan.close();
      fixed.close();
    }
  });
});
