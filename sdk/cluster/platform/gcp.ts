// GKE from @pulumi/gcp: a regional cluster (or an existing one), a NATS node
// pool whose node locations are exactly the chosen zones (node counts are per
// zone), a small untainted system pool for cluster services, the pd-ssd
// StorageClass and a Kubernetes provider using `gke-gcloud-auth-plugin`.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/types";
import { grantComputeAgentKey } from "./kms";
import { createStorageClass } from "./storage";
import type { PlatformResult } from "./types";

/** A kubeconfig that authenticates with `gke-gcloud-auth-plugin` (must be on PATH). */
export function gkeKubeconfig(
  name: pulumi.Input<string>,
  endpoint: pulumi.Input<string>,
  caData: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.all([name, endpoint, caData]).apply(([n, server, ca]) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: n, cluster: { server: `https://${server}`, "certificate-authority-data": ca } }],
      contexts: [{ name: n, context: { cluster: n, user: n } }],
      "current-context": n,
      users: [
        {
          name: n,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "gke-gcloud-auth-plugin",
              provideClusterInfo: true,
              interactiveMode: "Never",
            },
          },
        },
      ],
    }),
  );
}

export function createGcpPlatform(plan: ClusterPlan, parent: pulumi.Resource): PlatformResult {
  const g = plan.gcp!;
  const n = plan.component;
  let clusterName: pulumi.Output<string>;
  let location: pulumi.Input<string>;
  let endpoint: pulumi.Output<string>;
  let caData: pulumi.Output<string>;
  if (g.existingCluster) {
    const c = gcp.container.getClusterOutput(
      { name: g.existingCluster.name, location: g.existingCluster.location, project: g.project },
      { parent },
    );
    clusterName = c.name;
    location = g.existingCluster.location;
    endpoint = c.endpoint;
    caData = c.masterAuths.apply((m) => m[0].clusterCaCertificate);
  } else {
    const cluster = new gcp.container.Cluster(
      n,
      {
        project: g.project,
        location: g.region,
        nodeLocations: plan.zones,
        network: g.network,
        subnetwork: g.subnetwork,
        minMasterVersion: g.kubernetesVersion,
        releaseChannel: { channel: "REGULAR" },
        // The default pool is replaced by the system and NATS pools below.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        // Written explicitly (the provider's default is true too): while true, destroy fails.
        deletionProtection: g.deletionProtection,
        resourceLabels: g.labels,
      },
      { parent },
    );
    clusterName = cluster.name;
    location = g.region;
    endpoint = cluster.endpoint;
    caData = cluster.masterAuth.apply((m) => m.clusterCaCertificate!);
  }
  const taint = plan.placement.taint!;
  const pools: pulumi.Resource[] = [
    new gcp.container.NodePool(
      `${n}-nats`,
      {
        project: g.project,
        cluster: clusterName,
        location,
        nodeLocations: plan.zones,
        nodeCount: g.nodes.nodesPerZone,
        nodeConfig: {
          machineType: g.nodes.machineType,
          diskSizeGb: g.nodes.diskSizeGb,
          labels: { ...plan.placement.nodeSelector },
          taints: [{ key: taint.key, value: taint.value, effect: "NO_SCHEDULE" }],
          resourceLabels: g.labels,
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        },
        management: { autoRepair: true, autoUpgrade: true },
        // Surge a new node before draining the old one; the PDB allows one NATS pod down at a time.
        upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
      },
      { parent },
    ),
  ];
  if (g.systemNodes) {
    pools.push(
      new gcp.container.NodePool(
        `${n}-system`,
        {
          project: g.project,
          cluster: clusterName,
          location,
          nodeLocations: plan.zones,
          nodeCount: g.systemNodes.nodesPerZone,
          nodeConfig: {
            machineType: g.systemNodes.machineType,
            labels: { "pulumi-nats/system": "true" },
            resourceLabels: g.labels,
          },
          management: { autoRepair: true, autoUpgrade: true },
        },
        { parent },
      ),
    );
  }
  const kubeconfig = gkeKubeconfig(clusterName, endpoint, caData);
  const provider = new k8s.Provider(`${n}-k8s`, { kubeconfig }, { parent });
  const extra: Record<string, pulumi.Input<string>> = g.diskKmsKey
    ? { "disk-encryption-kms-key": g.diskKmsKey }
    : {};
  const keyGrant = g.diskKmsKey
    ? [grantComputeAgentKey(`${n}-disk-kms`, g.project, g.diskKmsKey, parent)]
    : [];
  const ready = [...pools, ...keyGrant];
  const storageClass = createStorageClass(plan, extra, { parent, provider, dependsOn: ready });
  return { provider, kubeconfig, readyForPods: [...ready, storageClass], clusterName };
}
