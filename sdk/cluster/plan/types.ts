// The shape of a plan: everything the component needs to create, computed from
// the args without any Pulumi resource call. Snapshot-testable.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AccessMode, ReclaimPolicy, ServiceType, Toleration, ZoneSpread } from "../args";
import type { GatewayPlan, LeafNodesPlan } from "../gateways/gateways";
import type { MonitoringPlan } from "../monitoring/plan";
import type { NetworkPolicyPlan } from "./network";
import type { MonitoringEndpoints } from "./monitoring-endpoints";
import type { AccountPlan } from "./tenancy";

export type PlatformKind = "aws" | "gcp" | "kubernetes";

/** Kubernetes object names, stable and derived from `name` (renaming one needs an alias). */
export interface ClusterNames {
  /** Helm release name, also `fullnameOverride`: the StatefulSet, Service, PDB and ServiceAccount. */
  release: string;
  statefulSet: string;
  service: string;
  headlessService: string;
  configMap: string;
  serviceAccount: string;
  credentialsSecret: string;
  tlsSecret: string;
  /** Cluster-scoped, so it carries the namespace too. */
  clusterRole: string;
  storageClass: string | undefined;
}

export interface NodePlacement {
  /** Labels on the NATS nodes (AWS/GCP) and the pods' node selector. */
  nodeSelector: Record<string, string>;
  /** The taint on NATS nodes (AWS/GCP); undefined for an existing cluster. */
  taint: { key: string; value: string; effect: "NoSchedule" } | undefined;
  tolerations: Toleration[];
}

export interface StoragePlan {
  /** Whether the component creates the StorageClass (AWS, GCP). */
  create: boolean;
  /** The class for the PVCs; undefined = the cluster's default. */
  className: string | undefined;
  provisioner: string | undefined;
  parameters: Record<string, string>;
  reclaimPolicy: ReclaimPolicy;
  fileStorage: string;
  maxFileStore: string;
  memoryStorage: string | undefined;
}

export interface ResourcesPlan {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  goMemLimit: string;
  milliCpu: number;
}

export interface AuthPlan {
  /** Users in the configuration, or operator/account/user JWTs (security/jwt.ts). */
  mode: "password" | "jwt";
  systemAccount: "SYS";
  appAccount: string;
  systemUser: string;
  appUser: string;
  passwordLength: number;
  /** JetStream in the application account (false with `jetstream: false`). */
  appJetStream: boolean;
  /** The accounts of `auth.accounts` (multi-tenancy, see tenancy.ts). */
  accounts: AccountPlan[];
  /** Key of the include file in the credentials Secret. */
  includeFile: "auth.conf";
  mountDir: "/etc/nats-auth";
}

/** Route authorization: the include file in the credentials Secret (see security/auth.ts). */
export interface RoutesPlan {
  user: "route";
  /** Key of the include file in the credentials Secret, included inside the `cluster` block. */
  includeFile: "routes.conf";
  scheme: "nats" | "tls";
  /** host:port of every server's route listener. */
  hosts: string[];
}

export interface TlsPlan {
  generate: boolean;
  secretName: string;
  client: boolean;
  routes: boolean;
  caCert: pulumi.Input<string> | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  /** The generated server certificate's lifetime and renewal window (see certificates.ts). */
  validityHours: number;
  earlyRenewalHours: number;
}

export interface AwsPlan {
  existingClusterName: string | undefined;
  kubernetesVersion: string | undefined;
  region: string;
  subnetIds: Record<string, pulumi.Input<string>> | undefined;
  vpc:
    | { cidr: string; privateSubnets: Record<string, string>; publicSubnets: Record<string, string> }
    | undefined;
  nodes: { instanceType: string; nodesPerZone: number; diskSizeGiB: number };
  systemNodes: { instanceType: string; count: number } | undefined;
  ebsCsiDriver: boolean;
  ebsKmsKeyId: pulumi.Input<string> | undefined;
  tags: Record<string, string>;
}

export interface GcpPlan {
  project: string | undefined;
  existingCluster: { name: string; location: string } | undefined;
  region: string;
  kubernetesVersion: string | undefined;
  /** GKE deletion protection of a new cluster. */
  deletionProtection: boolean;
  network: pulumi.Input<string> | undefined;
  subnetwork: pulumi.Input<string> | undefined;
  nodes: { machineType: string; nodesPerZone: number; diskSizeGb: number };
  systemNodes: { machineType: string; nodesPerZone: number } | undefined;
  diskKmsKey: pulumi.Input<string> | undefined;
  labels: Record<string, string>;
}

export interface KubernetesPlan {
  provider: k8s.Provider | undefined;
  kubeconfig: pulumi.Input<string> | undefined;
}

export interface AccessPlan {
  mode: AccessMode;
  /** Fixed URLs (mode "url", or the 127.0.0.1 URL of the port-forward). Empty for "loadBalancer". */
  urls: string[];
  localPort: number;
  scheme: "nats" | "tls";
}

export interface ClusterPlan {
  component: string;
  name: string;
  namespace: string;
  createNamespace: boolean;
  platform: PlatformKind;
  aws: AwsPlan | undefined;
  gcp: GcpPlan | undefined;
  kubernetes: KubernetesPlan | undefined;
  replicas: number;
  zones: string[];
  zoneSpread: ZoneSpread;
  zoneDiscoveryImage: string;
  names: ClusterNames;
  placement: NodePlacement;
  storage: StoragePlan;
  /** False with `jetstream: false`: core NATS only, no store, no volumes. */
  jetstream: boolean;
  /** The user agreed to lose the streams when JetStream is turned off. */
  allowJetStreamDataLoss: boolean;
  jetstreamDomain: string | undefined;
  resources: ResourcesPlan;
  auth: AuthPlan | undefined;
  /** Route authorization; undefined without auth or with one server. */
  routes: RoutesPlan | undefined;
  tls: TlsPlan | undefined;
  service: { type: ServiceType; annotations: Record<string, string> };
  monitoring: MonitoringPlan;
  access: AccessPlan;
  readyTimeout: string;
  chart: { name: "nats"; repository: string; version: string; values: Record<string, unknown> };
  /** In-cluster URLs: the Service first, then one per server. */
  clientUrls: string[];
  monitoringUrl: string;
  /** The monitoring port, the exporter's port and path, the PodMonitor (monitoring-endpoints.ts). */
  monitoringEndpoints: MonitoringEndpoints;
  /** The gateway of a super-cluster member (see gateways.ts); undefined without one. */
  gateway?: GatewayPlan;
  /** The leaf node listener; undefined when off. */
  leafnodes?: LeafNodesPlan;
  /** The NetworkPolicy in front of the pods; undefined when `networkPolicy: false`. */
  networkPolicy: NetworkPolicyPlan | undefined;
  /** PriorityClass of the pods; undefined = none. */
  priorityClassName: string | undefined;
  /** Non-fatal notes, logged by the component as warnings. */
  warnings: string[];
}
