// The typed arguments of NatsCluster, documented field by field.
//
// Fields that shape the resource graph (zones, replicas, sizes, presets, which
// platform) are plain values, not Outputs: the pure planner must see them to
// decide what to create. Fields that only flow into a resource (subnet IDs, a
// kubeconfig, a provider, a CA certificate) accept Inputs.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { GatewayArgs, LeafNodesArgs } from "./gateways/gateways";
import type { AlertThresholdArgs } from "./monitoring/thresholds";
import type { ResourcePreset } from "./plan/presets";
import type { AccountArgs } from "./tenancy-args";

/** What happens to a JetStream volume when its claim is deleted. */
export const ReclaimPolicy = { Retain: "Retain", Delete: "Delete" } as const;
export type ReclaimPolicy = (typeof ReclaimPolicy)[keyof typeof ReclaimPolicy];

/** How strictly servers are spread over zones. */
export const ZoneSpread = {
  /** `DoNotSchedule`: a pod stays Pending rather than share a zone beyond the skew. */
  Hard: "hard",
  /** `ScheduleAnyway`: prefer spreading, but schedule in any zone. */
  Soft: "soft",
} as const;
export type ZoneSpread = (typeof ZoneSpread)[keyof typeof ZoneSpread];

/** How the client Service is exposed. */
export const ServiceType = {
  /** Reachable inside the Kubernetes cluster only. */
  ClusterIP: "ClusterIP",
  /** A cloud load balancer with a private address (inside the VPC/network). */
  InternalLoadBalancer: "InternalLoadBalancer",
} as const;
export type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];

/** How users prove who they are. */
export const AuthMode = {
  /** Users and bcrypt-hashed passwords (or nkeys) in the servers' configuration. */
  Password: "password",
  /**
   * Decentralized: an operator, accounts and users as JWTs signed with nkeys;
   * every user logs in with a `.creds` file. See docs/tenancy.md.
   */
  Jwt: "jwt",
} as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/** How the program running `pulumi up` reaches NATS to create JetStream assets. */
export const AccessMode = {
  /** A port-forward to a ready NATS pod, opened by the program itself on 127.0.0.1. */
  PortForward: "portForward",
  /** The address of the internal load balancer (needs `service.type: InternalLoadBalancer`). */
  LoadBalancer: "loadBalancer",
  /** A URL you give (VPN, bastion, or a runner inside the cluster). */
  Url: "url",
} as const;
export type AccessMode = (typeof AccessMode)[keyof typeof AccessMode];

/** CPU and memory for one container. */
export interface ComputeResources {
  /** CPU, a Kubernetes quantity ("500m", "2"). */
  cpu: string;
  /** Memory, a Kubernetes quantity ("512Mi", "4Gi"). */
  memory: string;
}

/** Explicit requests and limits for each NATS server container. */
export interface ExplicitResources {
  /** What the scheduler reserves for each server. */
  requests: ComputeResources;
  /**
   * The hard caps. `GOMEMLIMIT` is set to about 80% of `limits.memory`.
   * @default equal to `requests` (Guaranteed QoS), which production JetStream wants
   */
  limits?: Partial<ComputeResources>;
}

/** A Kubernetes toleration, as in a pod spec. */
export interface Toleration {
  key?: string;
  operator?: "Equal" | "Exists";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

/** Nodes for NATS on EKS: one managed node group per zone. */
export interface AwsNodeArgs {
  /**
   * EC2 instance type of the NATS nodes.
   * @default by the CPU of one server: m6i.large (<= 1 CPU), m6i.xlarge (2), m6i.2xlarge (4), m6i.4xlarge (8)
   * Changing it replaces the node groups (pods move, volumes stay).
   */
  instanceType?: string;
  /** Nodes per zone (each zone gets its own node group). @default 1 */
  nodesPerZone?: number;
  /** Root disk of each node, in GiB (JetStream data lives on separate EBS volumes). @default 50 */
  diskSizeGiB?: number;
}

/** The EKS platform. */
export interface AwsPlatformArgs {
  /**
   * Name of an existing EKS cluster to use instead of creating one. Node groups,
   * the StorageClass and (if `ebsCsiDriver`) the add-on are still added to it.
   * Excludes `kubernetesVersion`, `vpcCidr` and `systemNodes`.
   * @default a new cluster named after the component
   */
  existingClusterName?: string;
  /** Kubernetes version of a new cluster ("1.33"). @default EKS's current default */
  kubernetesVersion?: string;
  /**
   * The subnet of each zone, keyed by zone name, from an existing VPC: the NATS
   * node group of a zone is placed on that zone's subnet (EBS volumes are
   * zonal). Must have exactly the keys of `zones`. Private subnets with a NAT
   * route are recommended. Required with `existingClusterName`.
   * @default a new VPC is created (see `vpcCidr`)
   */
  subnetIds?: Record<string, pulumi.Input<string>>;
  /**
   * CIDR of the VPC created when `subnetIds` is not given: one public and one
   * private subnet per zone and a single NAT gateway. Excludes `subnetIds`.
   * @default "10.0.0.0/16"
   */
  vpcCidr?: string;
  /** The NATS node groups. */
  nodes?: AwsNodeArgs;
  /**
   * Untainted nodes for cluster services (CoreDNS, the EBS CSI controller),
   * since the NATS nodes are tainted for NATS only. `false` skips them (only
   * with a cluster that has other nodes). Not allowed with `existingClusterName`.
   * @default { instanceType: "t3.medium", count: 2 }
   */
  systemNodes?: { instanceType?: string; count?: number } | false;
  /**
   * Install the `aws-ebs-csi-driver` add-on (and `eks-pod-identity-agent`) with
   * an IAM role through EKS Pod Identity. Needed for PVCs on current EKS.
   * @default true for a new cluster, false for an existing one
   */
  ebsCsiDriver?: boolean;
  /**
   * A customer-managed KMS key for the EBS volumes: the key ARN
   * (`arn:aws:kms:<region>:<account>:key/<id>`, in the cluster's region), not
   * an alias. With `ebsCsiDriver` the driver's role gets an inline policy to
   * use it (grants for AWS resources, data keys); the key policy must let the
   * account's IAM policies grant access (the default key policy does). Without
   * `ebsCsiDriver`, give your driver's role the same permissions.
   * @default the account's default EBS key
   */
  ebsKmsKeyId?: pulumi.Input<string>;
  /** Tags added to every AWS resource created. @default none */
  tags?: Record<string, string>;
}

/** The GKE platform. */
export interface GcpPlatformArgs {
  /** GCP project. @default the provider's project */
  project?: string;
  /**
   * An existing GKE cluster to use instead of creating one (the NATS node pool
   * and StorageClass are still added). Excludes `kubernetesVersion`,
   * `network`, `subnetwork` and `systemNodes`.
   * @default a new regional cluster in the zones' region
   */
  existingCluster?: { name: string; location: string };
  /** Minimum master version of a new cluster. @default the release channel's default */
  kubernetesVersion?: string;
  /**
   * GKE deletion protection of a new cluster: while true, `pulumi destroy` (or
   * anything replacing the cluster) fails. To delete the cluster, set it to
   * false and run `pulumi up` first. Not allowed with `existingCluster`.
   * @default true (a JetStream cluster holds data; deleting it is a deliberate two-step act)
   */
  deletionProtection?: boolean;
  /** VPC network of a new cluster. @default "default" */
  network?: pulumi.Input<string>;
  /** Subnetwork of a new cluster. @default the network's subnet in the region */
  subnetwork?: pulumi.Input<string>;
  /** The NATS node pool (node locations = `zones`). */
  nodes?: {
    /** @default by the CPU of one server: n2-standard-2, -4, -8, -16 */
    machineType?: string;
    /** Nodes per zone. @default 1 */
    nodesPerZone?: number;
    /** Boot disk of each node in GB. @default 50 */
    diskSizeGb?: number;
  };
  /**
   * Untainted nodes for cluster services (kube-dns, CSI controllers), per zone.
   * `false` skips them. Not allowed with `existingCluster`.
   * @default { machineType: "e2-standard-2", nodesPerZone: 1 }
   */
  systemNodes?: { machineType?: string; nodesPerZone?: number } | false;
  /**
   * A Cloud KMS key for the persistent disks, as its full resource name
   * (`projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>`,
   * the `id` of a `gcp.kms.CryptoKey`). The project's Compute Engine service
   * agent (`service-<projectNumber>@compute-system.iam.gserviceaccount.com`) is
   * granted `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it (needs
   * permission to set the key's IAM policy).
   * @default Google-managed encryption
   */
  diskKmsKey?: pulumi.Input<string>;
  /** Labels added to the GCP resources created. @default none */
  labels?: Record<string, string>;
}

/** An existing Kubernetes cluster: nothing is created in any cloud. */
export interface KubernetesPlatformArgs {
  /** The Kubernetes provider to deploy with. Excludes `kubeconfig`. */
  provider?: k8s.Provider;
  /**
   * A kubeconfig (file contents). A provider is made from it, and the
   * port-forward uses it. Excludes `provider`.
   * @default the ambient kubeconfig ($KUBECONFIG or ~/.kube/config)
   */
  kubeconfig?: pulumi.Input<string>;
  /** The StorageClass for JetStream volumes; it should be zonal-aware (WaitForFirstConsumer). @default the cluster's default class */
  storageClassName?: string;
  /** Node labels the NATS pods must match. @default none */
  nodeSelector?: Record<string, string>;
  /** Tolerations for the NATS pods (for dedicated, tainted nodes). @default none */
  tolerations?: Toleration[];
}

/** Exactly one platform block. */
export interface PlatformArgs {
  aws?: AwsPlatformArgs;
  gcp?: GcpPlatformArgs;
  kubernetes?: KubernetesPlatformArgs;
}

/** JetStream storage. */
export interface JetStreamArgs {
  /**
   * Size of each server's file-store volume (PVC). The server's
   * `max_file_store` is set to `fileStoreMaxPercent` of it.
   * Growing it expands each volume in place (the StorageClass must allow
   * expansion), waits for the new capacity, then replaces the StatefulSet
   * object with its pods kept running and raises `max_file_store`; no server
   * restarts. Shrinking is refused at preview. See docs/cluster.md.
   * @default "10Gi"
   */
  fileStorage?: string;
  /** Share of `fileStorage` the server may use, in percent (the rest keeps the disk from filling). @default 90 */
  fileStoreMaxPercent?: number;
  /**
   * Memory store size per server (`max_memory_store`). When unset the memory
   * store is off and the chart writes `max_memory_store: 0`: memory streams
   * then cannot be created. Counts against the container's memory limit.
   * @default off
   */
  memoryStorage?: string;
  /** JetStream domain of this cluster. @default none */
  domain?: string;
}

/** Where pods go. */
export interface PlacementArgs {
  /** Zone spread strictness. @default "hard" */
  zoneSpread?: ZoneSpread;
  /**
   * Accept fewer zones than replicas (with a warning). Streams then cannot
   * have more replicas than zones, because `unique_tag` puts each replica of a
   * stream in a different zone.
   * @default false (refused)
   */
  allowFewerZonesThanReplicas?: boolean;
  /**
   * Image of the init container that reads the node's zone label and writes
   * the server's `az:<zone>` tag. Needs `sh` and `curl`.
   * @default "curlimages/curl:8.11.1"
   */
  zoneDiscoveryImage?: string;
}

/** Authentication. */
export interface AuthArgs {
  /**
   * Users and accounts. When false, anyone who reaches the port can do
   * anything: only for throwaway clusters.
   * @default true
   */
  enabled?: boolean;
  /**
   * "password" (users in the servers' configuration) or "jwt" (operator,
   * account and user JWTs, `.creds` for every user; keys generated once and
   * kept as secrets). Not with leaf nodes or in a SuperCluster yet.
   * @default "password"
   */
  mode?: AuthMode;
  /** Name of the application account (JetStream enabled). @default "APP" */
  appAccount?: string;
  /** Application user (in `appAccount`); the `connection` output uses it. @default "app" */
  appUser?: string;
  /** System account user, for monitoring and operations. @default "sys" */
  systemUser?: string;
  /** Length of the generated passwords (letters and digits), at most 72 (bcrypt). @default 32 */
  passwordLength?: number;
  /**
   * The system user's password instead of a generated one (SuperCluster passes
   * one shared password to every member). Secret.
   * @default generated
   */
  systemPassword?: pulumi.Input<string>;
  /** The application user's password instead of a generated one. Secret. @default generated */
  appPassword?: pulumi.Input<string>;
  /**
   * The password the servers' routes (port 6222) log in with, instead of a
   * generated one. Only servers that know it can join the cluster. Secret.
   * @default generated
   */
  routePassword?: pulumi.Input<string>;
  /**
   * Tenants: more accounts, each with its own subjects, JetStream and limits,
   * and its users (password or nkey, permissions), sharing subjects only
   * through exports and imports. Each user gets a Secret
   * `<name>-user-<user>` and an entry in the `users` output. Changes reload
   * the servers without a restart. See docs/tenancy.md.
   * @default none (the application and system accounts only)
   */
  accounts?: AccountArgs[];
}

/** TLS for client connections and routes between servers. */
export interface TlsArgs {
  /** TLS on the client port (4222). @default false */
  client?: boolean;
  /** TLS (mutual) on the routes between servers (6222). @default false */
  routes?: boolean;
  /**
   * A `kubernetes.io/tls` Secret in the namespace with `tls.crt`, `tls.key`
   * and `ca.crt`. The certificate needs serverAuth and clientAuth usages and
   * names for the Service, `*.<name>-headless` and, for port-forward access,
   * IP 127.0.0.1.
   * @default a CA and a server certificate are generated (`@pulumi/tls`)
   */
  secretName?: string;
  /** The CA (PEM) of `secretName`'s certificate, handed to clients in `connection`. Required with `secretName` when `client` is true. */
  caCert?: pulumi.Input<string>;
  /** Extra DNS names for the generated certificate (e.g. a load balancer's name). @default none */
  extraDnsNames?: string[];
  /**
   * Validity of the generated server certificate, in hours (at most the CA's
   * 10 years). Not with `secretName`.
   * @default 17520 (2 years)
   */
  validityHours?: number;
  /**
   * Hours before expiry from which a `pulumi up` (or preview) replaces the
   * generated server certificate. Nothing renews it between runs: run
   * `pulumi up` at least once inside this window. Less than `validityHours`.
   * Not with `secretName`.
   * @default 720 (30 days)
   */
  earlyRenewalHours?: number;
}

/** The client Service. */
export interface ServiceArgs {
  /** @default "ClusterIP" */
  type?: ServiceType;
  /** Extra annotations on the Service (added to the internal-LB ones). @default none */
  annotations?: Record<string, string>;
}

/** Metrics. */
export interface MonitoringArgs {
  /** Run the Prometheus exporter sidecar (port 7777). @default false */
  prometheusExporter?: boolean;
  /** Create a PodMonitor (needs the Prometheus Operator CRDs). Requires `prometheusExporter`. @default false */
  podMonitor?: boolean;
  /**
   * Alert rules as a PrometheusRule (needs the Prometheus Operator CRDs): stores and streams
   * near their limits, consumer lag, redeliveries, servers, routes and the meta leader
   * (docs/monitoring.md). Requires `prometheusExporter`. @default the value of `podMonitor`
   */
  alertRules?: boolean;
  /** Thresholds of the alert rules. @default see each field (docs/monitoring.md, "Alerts") */
  alertThresholds?: AlertThresholdArgs;
  /**
   * Grafana dashboards (cluster overview, JetStream) as ConfigMaps that Grafana's dashboard
   * sidecar loads. Requires `prometheusExporter`. @default the value of `prometheusExporter`
   */
  dashboards?: boolean;
  /** Labels of the dashboard ConfigMaps: what the sidecar selects (its `label`/`labelValue`). @default { grafana_dashboard: "1" } */
  dashboardLabels?: Record<string, string>;
  /** Namespace of the dashboard ConfigMaps (one the sidecar searches; it must exist). @default the cluster's namespace */
  dashboardNamespace?: string;
  /**
   * Extra labels on the PodMonitor and the PrometheusRule, for a Prometheus that selects by
   * label (kube-prometheus-stack's selects `release: <its release>`). @default none
   */
  labels?: Record<string, string>;
}

/** How this program reaches NATS (see docs/cluster.md, "Access and readiness"). */
export interface AccessArgs {
  /**
   * @default "portForward" ("loadBalancer" when `service.type` is "InternalLoadBalancer")
   */
  mode?: AccessMode;
  /** The URL(s) to use with mode "url", e.g. "nats://nats.internal:4222". */
  url?: string | string[];
  /**
   * Local port of the port-forward on 127.0.0.1. Fixed so the `connection`
   * output is the same on every run (no spurious diffs downstream).
   * @default 14222 + a number in 0..999 derived from the project, stack, namespace and name
   */
  localPort?: number;
}

/** The Helm chart. */
export interface ChartArgs {
  /**
   * Chart version. Keys are validated against chart 2.14.2's values; another
   * version draws a warning.
   * @default "2.14.2"
   */
  version?: string;
  /** Helm repository. @default "https://nats-io.github.io/k8s/helm/charts/" */
  repository?: string;
  /**
   * Raw chart values, deep-merged over the component's (yours win; lists
   * replace, except `*.patch` lists, which are appended to the component's).
   * Every key must exist in the chart; unknown keys are refused.
   * @default none
   */
  values?: Record<string, unknown>;
}

/** Arguments of NatsCluster. */
export interface NatsClusterArgs {
  /** Where to run: exactly one of `aws`, `gcp`, `kubernetes`. */
  platform: PlatformArgs;
  /**
   * The zones to run in ("us-east-1a", "europe-west1-b"). Each server is
   * tagged `az:<zone>` and JetStream places a stream's replicas in distinct
   * zones. At least as many zones as `replicas`, unless
   * `placement.allowFewerZonesThanReplicas`. Changing it moves node pools.
   */
  zones: string[];
  /**
   * Number of NATS servers (odd: 1, 3, 5, 7). Streams can have at most this
   * many replicas (and at most as many as zones). Lowering it removes the
   * departed servers from the JetStream meta group once their pods are gone;
   * it is refused at preview while a stream needs more servers or lives only
   * on departing ones, and below a majority of the current size.
   * @default 3
   */
  replicas?: number;
  /** Kubernetes name of the release and its objects (DNS label). @default the component name */
  name?: string;
  /** Namespace to deploy into. @default "nats" */
  namespace?: string;
  /** Create the namespace. @default true */
  createNamespace?: boolean;
  /**
   * JetStream storage, or `false` for core NATS alone (ephemeral
   * publish/subscribe, under 10 MB per server): no store, no volumes, no
   * JetStream in any account, and the JetStream resources refuse this
   * cluster's connections at preview. Turning it off on a cluster that holds
   * streams is refused at preview unless `allowJetStreamDataLoss`.
   * @default file store of 10Gi, no memory store
   */
  jetstream?: JetStreamArgs | false;
  /**
   * Agree to lose the streams (and KV buckets, object stores) the cluster
   * holds when `jetstream` is turned off; without it the change is refused
   * at preview, naming them. @default false
   */
  allowJetStreamDataLoss?: boolean;
  /**
   * A preset name, or explicit requests and limits.
   * @default "medium" (1 CPU, 1Gi: for development and light loads; production JetStream wants about 4 CPU and 8Gi, see docs/cluster.md)
   */
  resources?: ResourcePreset | ExplicitResources;
  /** Reclaim policy of the StorageClass created on AWS/GCP. @default "Retain" */
  reclaimPolicy?: ReclaimPolicy;
  /** Placement across zones. */
  placement?: PlacementArgs;
  /** Authentication. @default on, with generated passwords */
  auth?: AuthArgs;
  /** TLS. @default off */
  tls?: TlsArgs;
  /** The client Service. @default ClusterIP */
  service?: ServiceArgs;
  /** Prometheus exporter and PodMonitor. @default off */
  monitoring?: MonitoringArgs;
  /** How `pulumi up` reaches NATS. @default port-forward */
  access?: AccessArgs;
  /**
   * Passed into the `connection` output: how long JetStream resources wait for
   * JetStream to be enabled with a meta leader. @default "5m"
   */
  readyTimeout?: string;
  /** The Helm chart. */
  chart?: ChartArgs;
  /**
   * A gateway (port 7222) joining this cluster to others in a super-cluster
   * (see SuperCluster, which fills this in). TLS is required. @default none
   */
  gateway?: GatewayArgs;
  /** Accept leaf node connections (port 7422) with a dedicated user. @default off */
  leafnodes?: LeafNodesArgs;
  /**
   * A NetworkPolicy admitting the route port (6222) and monitoring (8222) only
   * from the cluster's own pods, and clients (4222), the gateway (7222), leaf
   * nodes (7422) and the exporter (7777) from anywhere, each only where it is
   * on. It takes effect only where the cluster's network plugin enforces
   * NetworkPolicies. `false` when you manage policies yourself.
   * @default true
   */
  networkPolicy?: boolean;
  /**
   * PriorityClass of the NATS pods (it must exist), so they are not the first
   * to be preempted by other workloads. @default none (the cluster's default priority)
   */
  priorityClassName?: string;
}
