// Chart values for each combination of options, compared exactly, and every
// key checked against the pinned chart's key list (read independently from the
// shipped data file, and from the shared source list when present).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { checkChartKeys } from "../../sdk/cluster/chart/keys";
import { plan } from "../../sdk/cluster/plan/plan";
import { ZONE_SCRIPT } from "../../sdk/cluster/chart/values";
import { EXPORTER_VERSION } from "../../sdk/cluster/monitoring/metrics";
import {
  awsArgs,
  awsValues,
  GCP_ZONES,
  leafPaths,
  RESTRICTED_CONTAINER,
  setPath,
  TOKEN_VOLUME,
  ZONES,
} from "./fixtures";
import { repoRoot } from "../harness";

// CI clones the repository with the shared/ folder beside it, as here.
const SHARED_KEYS = path.join(repoRoot(), "..", "shared", "data", "nats-chart-2.14.2-keys.txt");

/** Key list and open maps straight from the data file, without sdk/cluster/chart/keys.ts's logic. */
function keyList(): { keys: Set<string>; open: string[] } {
  const data = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../../../sdk/cluster/chart/keys-2.14.2.json"), "utf8"),
  );
  return { keys: new Set(Object.keys(data.keys)), open: Object.keys(data.openMaps) };
}

function assertRealKeys(values: Record<string, unknown>): void {
  assert.deepEqual(checkChartKeys(values), []);
  const { keys, open } = keyList();
  for (const p of leafPaths(values)) {
    const underOpen = open.some((o) => p === o || p.startsWith(o + "."));
    assert.ok(keys.has(p) || underOpen, `${p} is not a key of chart 2.14.2`);
  }
}

const COMBINATIONS: [string, (v: Record<string, unknown>) => void, NatsClusterArgs][] = [
  ["AWS, 3 zones, large, 20Gi file + 1Gi memory (the issue's example)", () => {}, awsArgs()],
  [
    "GCP, 3 zones",
    (v) => {
      const terms =
        "podTemplate.merge.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
      setPath(v, terms, [
        { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: GCP_ZONES }] },
      ]);
    },
    awsArgs({ platform: { gcp: {} }, zones: GCP_ZONES }),
  ],
  [
    "existing Kubernetes with a node selector, tolerations and its default storage class",
    (v) => {
      setPath(v, "config.jetstream.fileStore.pvc.storageClassName", undefined);
      setPath(v, "podTemplate.merge.spec.nodeSelector", { pool: "nats" });
      setPath(v, "podTemplate.merge.spec.tolerations", [
        { key: "dedicated", operator: "Exists", effect: "NoSchedule" },
      ]);
    },
    awsArgs({
      platform: {
        kubernetes: {
          kubeconfig: "apiVersion: v1",
          nodeSelector: { pool: "nats" },
          tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
        },
      },
    }),
  ],
  [
    "existing Kubernetes with a named storage class and no node selector",
    (v) => {
      setPath(v, "config.jetstream.fileStore.pvc.storageClassName", "fast-ssd");
      setPath(v, "podTemplate.merge.spec.nodeSelector", undefined);
      setPath(v, "podTemplate.merge.spec.tolerations", undefined);
    },
    awsArgs({ platform: { kubernetes: { kubeconfig: "apiVersion: v1", storageClassName: "fast-ssd" } } }),
  ],
  [
    "no memory store, default 10Gi file store, preset medium",
    (v) => {
      setPath(v, "config.jetstream.memoryStore", { enabled: false });
      setPath(v, "config.jetstream.fileStore.pvc.size", "10Gi");
      setPath(v, "config.jetstream.fileStore.maxSize", "9Gi");
      setPath(v, "container.env.GOMEMLIMIT", "819MiB");
      setPath(v, "container.resources", {
        requests: { cpu: "1", memory: "1Gi" },
        limits: { cpu: "1", memory: "1Gi" },
      });
    },
    awsArgs({ jetstream: {}, resources: undefined }),
  ],
  [
    "explicit resources, 25Gi at 85%, a JetStream domain",
    (v) => {
      setPath(v, "config.jetstream.fileStore.pvc.size", "25Gi");
      setPath(v, "config.jetstream.fileStore.maxSize", "21760Mi");
      setPath(v, "config.jetstream.merge.domain", "hub");
      setPath(v, "config.jetstream.memoryStore.maxSize", "2Gi");
      setPath(v, "container.env.GOMEMLIMIT", "6553MiB");
      setPath(v, "container.resources", {
        requests: { cpu: "3", memory: "6Gi" },
        limits: { cpu: "4", memory: "8Gi" },
      });
    },
    awsArgs({
      jetstream: { fileStorage: "25Gi", fileStoreMaxPercent: 85, memoryStorage: "2Gi", domain: "hub" },
      resources: { requests: { cpu: "3", memory: "6Gi" }, limits: { cpu: "4", memory: "8Gi" } },
    }),
  ],
  [
    "soft zone spread",
    (v) => zoneSpread(v, { maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" }),
    awsArgs({ placement: { zoneSpread: "soft" } }),
  ],
  [
    "auth off",
    (v) => {
      setPath(v, "config.merge", { zz_zone$include: "../nats-zone/zone.conf" });
      // No route password either (only the NetworkPolicy stands in front of 6222).
      setPath(v, "config.cluster.merge", undefined);
      setPath(v, "container.patch", [
        {
          op: "add",
          path: "/volumeMounts/-",
          value: { name: "zone", mountPath: "/etc/nats-zone", readOnly: true },
        },
      ]);
      setPath(v, "podTemplate.patch", [
        { op: "add", path: "/spec/volumes/-", value: { name: "zone", emptyDir: {} } },
        { op: "add", path: "/spec/volumes/-", value: TOKEN_VOLUME },
      ]);
    },
    awsArgs({ auth: { enabled: false } }),
  ],
  [
    "TLS for clients and routes, generated",
    (v) => {
      setPath(v, "config.nats", { tls: { enabled: true, secretName: "events-tls" } });
      setPath(v, "config.cluster.tls", { enabled: true, secretName: "events-tls" });
      setPath(v, "tlsCA", { enabled: true, secretName: "events-tls", key: "ca.crt" });
    },
    awsArgs({ tls: { client: true, routes: true } }),
  ],
  [
    "TLS for routes only, from the user's Secret",
    (v) => {
      setPath(v, "config.cluster.tls", { enabled: true, secretName: "my-tls" });
      setPath(v, "tlsCA", { enabled: true, secretName: "my-tls", key: "ca.crt" });
    },
    awsArgs({ tls: { routes: true, secretName: "my-tls" } }),
  ],
  [
    "internal load balancer on AWS, Prometheus exporter and PodMonitor",
    (v) => {
      setPath(v, "service", {
        enabled: true,
        merge: {
          metadata: {
            annotations: {
              "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
              "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
              "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            },
          },
          spec: { type: "LoadBalancer" },
        },
      });
      setPath(v, "promExporter", {
        enabled: true,
        image: { tag: EXPORTER_VERSION },
        merge: {
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
          securityContext: RESTRICTED_CONTAINER,
        },
        podMonitor: { enabled: true },
      });
    },
    awsArgs({
      service: { type: "InternalLoadBalancer" },
      monitoring: { prometheusExporter: true, podMonitor: true },
    }),
  ],
  [
    "internal load balancer on GCP",
    (v) => {
      const terms =
        "podTemplate.merge.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
      setPath(v, terms, [
        { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: GCP_ZONES }] },
      ]);
      setPath(v, "service", {
        enabled: true,
        merge: {
          metadata: { annotations: { "networking.gke.io/load-balancer-type": "Internal" } },
          spec: { type: "LoadBalancer" },
        },
      });
    },
    awsArgs({ platform: { gcp: {} }, zones: GCP_ZONES, service: { type: "InternalLoadBalancer" } }),
  ],
  [
    "5 replicas in 5 zones, custom namespace and name, own zone-discovery image",
    (v) => {
      const zones5 = [...ZONES, "us-east-1d", "us-east-1f"];
      setPath(v, "fullnameOverride", "bus");
      setPath(v, "namespaceOverride", "messaging");
      setPath(v, "config.cluster.replicas", 5);
      setPath(v, "config.jetstream.fileStore.pvc.storageClassName", "bus-jetstream");
      zoneSpread(v, { maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", minDomains: 5 });
      const terms =
        "podTemplate.merge.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
      setPath(v, terms, [
        { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: zones5 }] },
      ]);
      setPath(v, "podTemplate.merge.spec.nodeSelector", { "pulumi-nats/pool": "bus" });
      setPath(v, "podTemplate.merge.spec.tolerations", [
        { key: "pulumi-nats/dedicated", operator: "Equal", value: "bus", effect: "NoSchedule" },
      ]);
      const ic = (v.podTemplate as { merge: { spec: { initContainers: { image: string }[] } } }).merge.spec
        .initContainers;
      ic[0].image = "registry.example.com/curl:8";
      const patch = (v.podTemplate as { patch: { value: { secret?: { secretName: string } } }[] }).patch;
      patch[2].value.secret!.secretName = "bus-credentials";
    },
    awsArgs({
      name: "bus",
      namespace: "messaging",
      replicas: 5,
      zones: [...ZONES, "us-east-1d", "us-east-1f"],
      placement: { zoneDiscoveryImage: "registry.example.com/curl:8" },
    }),
  ],
  [
    "a single server (no clustering)",
    (v) => {
      setPath(v, "config.cluster", { enabled: false, replicas: 1, noAdvertise: true });
      // One server has no routes, so no route password in the Secret.
      const patch = (v.podTemplate as { patch: { value: { secret?: { items: unknown[] } } }[] }).patch;
      patch[2].value.secret!.items = [{ key: "auth.conf", path: "auth.conf" }];
      setPath(v, "config.jetstream.fileStore.pvc.storageClassName", undefined);
      setPath(v, "podTemplate.merge.spec.nodeSelector", undefined);
      setPath(v, "podTemplate.merge.spec.tolerations", undefined);
    },
    awsArgs({
      replicas: 1,
      platform: { kubernetes: {} },
      access: { mode: "url", url: "nats://nats.internal:4222" },
    }),
  ],
];

describe("NatsCluster chart values", () => {
  for (const [title, edit, args] of COMBINATIONS) {
    it(`${title}: exact values, all keys real`, () => {
      const p = plan(args.name ?? "events", args);
      const expected = awsValues();
      edit(expected);
      assert.deepEqual(p.chart.values, expected);
      assertRealKeys(p.chart.values);
    });
  }

  it("merges raw values over the component's: maps merge, lists replace, patch lists append", () => {
    const extra = { op: "add", path: "/spec/priorityClassName", value: "nats-critical" };
    const p = plan(
      "events",
      awsArgs({
        chart: {
          values: {
            podTemplate: { patch: [extra], merge: { metadata: { annotations: { team: "platform" } } } },
            container: { image: { tag: "2.14.2" } },
            global: { labels: { team: "platform" } },
          },
        },
      }),
    );
    const expected = awsValues();
    setPath(expected, "podTemplate.patch", [...(expected.podTemplate as { patch: unknown[] }).patch, extra]);
    setPath(expected, "podTemplate.merge.metadata", { annotations: { team: "platform" } });
    setPath(expected, "container.image", { tag: "2.14.2" });
    setPath(expected, "global", { labels: { team: "platform" } });
    assert.deepEqual(p.chart.values, expected);
    assertRealKeys(p.chart.values);
  });

  it("keeps the pod template independent of replicas: scaling deletes or adds pods and restarts none", () => {
    // Found on the real control plane (tests/kube/cluster-ops.test.ts): minDomains
    // followed replicas, so 5 -> 3 changed the template and restarted every server
    // left while the departed ones were still meta-group peers.
    const zones5 = [...ZONES, "us-east-1d", "us-east-1f"];
    const podTemplate = (replicas: number) =>
      plan("events", awsArgs({ zones: zones5, replicas })).chart.values.podTemplate;
    assert.deepEqual(podTemplate(3), podTemplate(5));
  });

  it("sets the file store to 90% of the PVC and GOMEMLIMIT to 80% of the memory limit for every preset", () => {
    const table: [string, string, string, string][] = [
      ["nano", "250m", "128Mi", "102MiB"],
      ["micro", "500m", "256Mi", "204MiB"],
      ["small", "1", "512Mi", "409MiB"],
      ["medium", "1", "1Gi", "819MiB"],
      ["large", "2", "2Gi", "1638MiB"],
      ["xlarge", "4", "4Gi", "3276MiB"],
      ["2xlarge", "8", "8Gi", "6553MiB"],
    ];
    for (const [preset, cpu, memory, gomem] of table) {
      const p = plan("events", awsArgs({ resources: preset as never, jetstream: { fileStorage: "100Gi" } }));
      const c = p.chart.values.container as { env: { GOMEMLIMIT: string }; resources: unknown };
      assert.deepEqual(c.resources, { requests: { cpu, memory }, limits: { cpu, memory } }, preset);
      assert.equal(c.env.GOMEMLIMIT, gomem, preset);
      assert.equal(p.storage.maxFileStore, "90Gi");
    }
  });

  it("uses the zone-discovery script that writes az:<zone> server tags", () => {
    assert.match(ZONE_SCRIPT, /server_tags: \["az:%s"\]/);
    assert.match(ZONE_SCRIPT, /topology\\\.kubernetes\\\.io\\\/zone/);
    assert.match(ZONE_SCRIPT, /exit 1/);
  });

  it("ships a key list identical to the shared chart 2.14.2 key list", function () {
    if (!fs.existsSync(SHARED_KEYS)) this.skip();
    const { keys } = keyList();
    const shared = fs
      .readFileSync(SHARED_KEYS, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => l.split(" = ")[0]);
    assert.deepEqual([...keys].sort(), shared.sort());
  });
});

/** Replaces the zone topology spread constraint in expected values. */
function zoneSpread(v: Record<string, unknown>, constraint: Record<string, unknown>): void {
  (v.podTemplate as { topologySpreadConstraints: Record<string, unknown> }).topologySpreadConstraints[
    "topology.kubernetes.io/zone"
  ] = constraint;
}
