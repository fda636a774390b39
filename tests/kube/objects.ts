// The objects that make the empty control plane look like a zoned cluster:
// kwok's stages (nodes, pods, volumes, and one of ours for LoadBalancer
// Services), fake nodes in three AWS-style and three GCP-style zones, and
// storage classes that kwok's volume stages provision.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { kwokStagesDir } from "./binaries";

/** The annotation kwok is told to manage nodes by. */
export const KWOK_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

/** The pool label and taint of the NATS nodes, as NatsCluster's AWS/GCP pools set them. */
export const NATS_POOL = "nats";
export const POOL_LABEL = "pulumi-nats/pool";
export const DEDICATED_TAINT = "pulumi-nats/dedicated";
/** What NatsCluster's `platform.kubernetes` needs to land on the fake NATS nodes. */
export const NATS_NODE_PLACEMENT = {
  nodeSelector: { [POOL_LABEL]: NATS_POOL },
  tolerations: [{ key: DEDICATED_TAINT, operator: "Equal", value: NATS_POOL, effect: "NoSchedule" }],
};

export const AWS_REGION = "us-east-1";
export const AWS_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"] as const;
export const GCP_REGION = "europe-west1";
export const GCP_ZONES = ["europe-west1-b", "europe-west1-c", "europe-west1-d"] as const;

/** StorageClasses kwok provisions: "standard" (the default) and "fast-ssd" (Retain). */
export const STORAGE_CLASSES = ["standard", "fast-ssd"] as const;

export interface FakeNode {
  name: string;
  zone: string;
  region: string;
}

/** Six nodes, one per zone: nats-aws-a..c and nats-gcp-b..d. */
export function defaultNodes(): FakeNode[] {
  return [
    ...AWS_ZONES.map((zone) => ({ name: `nats-aws-${zone.slice(-1)}`, zone, region: AWS_REGION })),
    ...GCP_ZONES.map((zone) => ({ name: `nats-gcp-${zone.slice(-1)}`, zone, region: GCP_REGION })),
  ];
}

type Obj = Record<string, unknown>;

export function nodeObject(n: FakeNode): Obj {
  const capacity = { cpu: "16", memory: "64Gi", pods: "110", "ephemeral-storage": "100Gi" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      annotations: {
        [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value,
        "node.alpha.kubernetes.io/ttl": "0",
      },
      labels: {
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "fake-16x64",
        "topology.kubernetes.io/region": n.region,
        "topology.kubernetes.io/zone": n.zone,
        [POOL_LABEL]: NATS_POOL,
        type: "kwok",
      },
    },
    spec: { taints: [{ key: DEDICATED_TAINT, value: NATS_POOL, effect: "NoSchedule" }] },
    status: { capacity, allocatable: capacity },
  };
}

export function storageClassObjects(): Obj[] {
  return STORAGE_CLASSES.map((name) => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name,
      ...(name === "standard"
        ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
        : {}),
    },
    provisioner: "kwok.x-k8s.io/volume",
    reclaimPolicy: name === "fast-ssd" ? "Retain" : "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  }));
}

/**
 * kwok's own stages from .cache/kube/stages, with the volume stages' selector
 * (`storageClassName == 'kwok-volume'`) widened to our storage classes, plus
 * a stage giving LoadBalancer Services the ingress address 127.0.0.1 (so
 * nothing ever dials a made-up address).
 */
export function stageObjects(): Obj[] {
  const dir = kwokStagesDir();
  const classes = `[${STORAGE_CLASSES.map((c) => `'${c}'`).join(", ")}]`;
  const stages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      let text = fs.readFileSync(path.join(dir, f), "utf8");
      if (f.startsWith("volume-")) {
        const from = "self.spec.storageClassName == 'kwok-volume'";
        if (!text.includes(from)) throw new Error(`kube harness: ${f} no longer selects by ${from}`);
        text = text.split(from).join(`self.spec.storageClassName in ${classes}`);
      }
      return YAML.parse(text) as Obj;
    });
  stages.push({
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name: "service-load-balancer-loopback" },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "Service" },
      selector: {
        matchExpressions: [
          { key: ".spec.type", operator: "In", values: ["LoadBalancer"] },
          { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
          { key: ".status.loadBalancer.ingress", operator: "DoesNotExist" },
        ],
      },
      next: { statusTemplate: "loadBalancer:\n  ingress:\n  - ip: 127.0.0.1\n" },
    },
  });
  stages.push(volumeResizeStage(classes));
  return stages;
}

/**
 * kwok does not resize volumes: this stage plays the CSI resizer (kwok
 * v0.8.0's Stage API: `apply` creates, then merge-patches when the object exists). A bound
 * claim of our classes whose requested size differs from its reported
 * capacity gets its volume's capacity and then its own `status.capacity` set
 * to the request (what the external-resizer and the kubelet report after an
 * online expansion). Its selector no longer matches once they agree.
 */
function volumeResizeStage(classes: string): Obj {
  return {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name: "pvc-resize" },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "PersistentVolumeClaim" },
      selector: {
        matchExpressions: [
          `self.spec.storageClassName in ${classes}`,
          "!has(self.metadata.deletionTimestamp)",
          "has(self.spec.volumeName)",
          "self.status.phase == 'Bound'",
          "has(self.status.capacity) && self.status.capacity.storage != self.spec.resources.requests.storage",
        ].map((expression) => ({ cel: { expression } })),
      },
      steps: [
        {
          apply: {
            type: "merge",
            template: [
              "apiVersion: v1",
              "kind: PersistentVolume",
              "metadata:",
              "  name: {{ .spec.volumeName | Quote }}",
              "spec:",
              "  capacity:",
              "    storage: {{ .spec.resources.requests.storage | Quote }}",
              // kwok creates before it patches: the template must be a valid
              // volume (the same access modes and path as pvc-provision gave it).
              "  accessModes:",
              "  {{ YAML .spec.accessModes 2 }}",
              "  hostPath:",
              "    path: /tmp/kwok-local-path-provisioner/{{ .spec.volumeName }}",
              "    type: DirectoryOrCreate",
              "",
            ].join("\n"),
          },
        },
        {
          patch: {
            root: "status",
            subresource: "status",
            template: "capacity:\n  storage: {{ .spec.resources.requests.storage | Quote }}\n",
          },
        },
      ],
    },
  };
}
