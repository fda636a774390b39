// The platform part of the plan (AWS, GCP, existing Kubernetes): validation of
// the platform block against the zones, and the node, network and storage
// decisions. Pure: no Pulumi resource calls.
import type { AwsPlatformArgs, GcpPlatformArgs, KubernetesPlatformArgs, PlatformArgs } from "../args";
import { Issues, show } from "../errors";
import type { AwsPlan, GcpPlan, KubernetesPlan, PlatformKind } from "./types";
import { defaultMachineType, vcpusOf } from "./presets";

const AWS_ZONE = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$/;
const GCP_ZONE = /^([a-z]+-[a-z]+\d+)-[a-z]$/;
const AWS_KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
const GCP_KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/**
 * An EBS key given as a plain string must be a key ARN in the cluster's region:
 * IAM policies name keys by ARN (an alias in `Resource` matches nothing), and
 * EBS volumes use a key of their own region. An Output is checked by AWS.
 */
function checkEbsKey(key: unknown, path: string, region: string | undefined, issues: Issues): void {
  if (typeof key !== "string") return;
  const m = AWS_KMS_KEY_ARN.exec(key);
  if (!m)
    issues.add(
      path,
      `${show(key)} must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id> (the arn of an aws.kms.Key), not an alias or a bare id.`,
    );
  else if (region !== undefined && m[1] !== region)
    issues.add(
      path,
      `is a key in ${m[1]}, but the zones are in ${region}: EBS volumes need a key of their own region.`,
    );
}

/** Which platform block is set; reports none or several. */
export function platformKind(platform: PlatformArgs | undefined, issues: Issues): PlatformKind | undefined {
  if (platform == null || typeof platform !== "object") {
    issues.add("platform", "is required: give exactly one of { aws }, { gcp } or { kubernetes }.");
    return undefined;
  }
  const set = (["aws", "gcp", "kubernetes"] as const).filter((k) => platform[k] != null);
  const unknown = Object.keys(platform).filter((k) => !["aws", "gcp", "kubernetes"].includes(k));
  for (const k of unknown) issues.add(`platform.${k}`, "is not a platform; use aws, gcp or kubernetes.");
  if (set.length === 0) {
    issues.add("platform", "has no platform block: give exactly one of aws, gcp or kubernetes.");
    return undefined;
  }
  if (set.length > 1) {
    issues.add("platform", `has ${set.join(" and ")} blocks, which contradict each other: keep exactly one.`);
    return undefined;
  }
  return set[0];
}

/** The region shared by all zones, or undefined (with issues) when they differ or are malformed. */
export function regionOf(cloud: "aws" | "gcp", zones: string[], issues: Issues): string | undefined {
  const re = cloud === "aws" ? AWS_ZONE : GCP_ZONE;
  const example = cloud === "aws" ? "us-east-1a" : "europe-west1-b";
  const regions = new Set<string>();
  zones.forEach((z, i) => {
    const m = re.exec(z);
    if (!m)
      issues.add(`zones[${i}]`, `${show(z)} is not a ${cloud.toUpperCase()} zone name (like "${example}").`);
    else regions.add(m[1]);
  });
  if (regions.size > 1)
    issues.add(
      "zones",
      `span regions ${[...regions].join(", ")}: one cluster lives in one region; pick zones of one region.`,
    );
  return regions.size === 1 ? [...regions][0] : undefined;
}

function positiveInt(value: unknown, path: string, issues: Issues, def: number, max = 1000): number {
  if (value === undefined) return def;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    issues.add(path, `must be a whole number from 1 to ${max}, got ${show(value)}.`);
    return def;
  }
  return value;
}

/** Splits an IPv4 CIDR into `2^extraBits` subnets and returns subnet `index`. */
export function subnetCidr(cidr: string, extraBits: number, index: number): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 28 || prefix + extraBits > 28) return undefined;
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix - extraBits);
  if (base % 2 ** (32 - prefix) !== 0 || index >= 2 ** extraBits) return undefined;
  const addr = base + index * size;
  const parts = [24, 16, 8, 0].map((s) => Math.floor(addr / 2 ** s) % 256);
  return `${parts.join(".")}/${prefix + extraBits}`;
}

/** Warns when a node is too small for one server (allocatable CPU is below capacity). */
function checkFits(
  cloud: "aws" | "gcp",
  path: string,
  machineType: string,
  milliCpu: number,
  warnings: string[],
): void {
  const vcpus = vcpusOf(cloud, machineType);
  // Reserve about 250m for the kubelet, system reservations and the DaemonSets (CNI, CSI node, kube-proxy).
  if (vcpus !== undefined && milliCpu > vcpus * 1000 - 250)
    warnings.push(
      `${path}: ${machineType} has ${vcpus} vCPU; a server requesting ${milliCpu}m CPU will not fit next to the node's system pods, so pods stay Pending. Pick a larger machine or a smaller resources preset.`,
    );
}

export function planAws(
  a: AwsPlatformArgs,
  zones: string[],
  milliCpu: number,
  issues: Issues,
  warnings: string[] = [],
): AwsPlan | undefined {
  const p = "platform.aws";
  const region = regionOf("aws", zones, issues);
  const existing = a.existingClusterName;
  if (existing !== undefined && (typeof existing !== "string" || existing === ""))
    issues.add(`${p}.existingClusterName`, `must be a cluster name, got ${show(existing)}.`);
  if (existing) {
    if (a.kubernetesVersion !== undefined)
      issues.add(
        `${p}.kubernetesVersion`,
        "contradicts existingClusterName (the existing cluster keeps its version): remove one.",
      );
    if (a.vpcCidr !== undefined)
      issues.add(
        `${p}.vpcCidr`,
        "contradicts existingClusterName (the cluster already has a VPC): give subnetIds instead.",
      );
    if (a.systemNodes !== undefined)
      issues.add(
        `${p}.systemNodes`,
        "contradicts existingClusterName (system nodes are only added to a new cluster): remove it.",
      );
    if (a.subnetIds === undefined)
      issues.add(
        `${p}.subnetIds`,
        "is required with existingClusterName: give the subnet of each zone in the cluster's VPC.",
      );
  }
  if (a.subnetIds !== undefined && a.vpcCidr !== undefined)
    issues.add(`${p}.vpcCidr`, "contradicts subnetIds (use an existing VPC, or create one): remove one.");
  if (a.subnetIds !== undefined) {
    const keys = Object.keys(a.subnetIds);
    const missing = zones.filter((z) => !keys.includes(z));
    const extra = keys.filter((k) => !zones.includes(k));
    if (missing.length > 0)
      issues.add(
        `${p}.subnetIds`,
        `has no subnet for zone(s) ${missing.join(", ")}: give one subnet per zone in zones.`,
      );
    for (const k of extra)
      issues.add(`${p}.subnetIds["${k}"]`, `zone ${k} is not in zones (${zones.join(", ")}).`);
  }
  if (!existing && zones.length < 2)
    issues.add(
      "zones",
      "a new EKS cluster needs subnets in at least 2 zones for its control plane: give 2 or more zones.",
    );

  let vpc: AwsPlan["vpc"];
  if (a.subnetIds === undefined && !existing) {
    const cidr = a.vpcCidr ?? "10.0.0.0/16";
    // /20s from a /16: private subnets first (room for many pods), public after.
    const privateSubnets: Record<string, string> = {};
    const publicSubnets: Record<string, string> = {};
    let ok = zones.length <= 8;
    zones.forEach((z, i) => {
      const priv = subnetCidr(cidr, 4, i);
      const pub = subnetCidr(cidr, 4, 8 + i);
      if (!priv || !pub) ok = false;
      else {
        privateSubnets[z] = priv;
        publicSubnets[z] = pub;
      }
    });
    if (!ok)
      issues.add(
        `${p}.vpcCidr`,
        `${show(cidr)} must be an IPv4 CIDR with a prefix of /12 to /24 (e.g. "10.0.0.0/16"), for at most 8 zones.`,
      );
    vpc = { cidr, privateSubnets, publicSubnets };
  }

  const nodes = a.nodes ?? {};
  const instanceType = nodes.instanceType ?? defaultMachineType("aws", milliCpu);
  if (!instanceType)
    issues.add(
      `${p}.nodes.instanceType`,
      `no default instance type fits ${milliCpu}m CPU per server: set one.`,
    );
  else checkFits("aws", `${p}.nodes.instanceType`, instanceType, milliCpu, warnings);
  let systemNodes: AwsPlan["systemNodes"];
  if (!existing && a.systemNodes !== false) {
    const s = a.systemNodes ?? {};
    systemNodes = {
      instanceType: s.instanceType ?? "t3.medium",
      count: positiveInt(s.count, `${p}.systemNodes.count`, issues, 2, 100),
    };
  }
  if (a.ebsCsiDriver !== undefined && typeof a.ebsCsiDriver !== "boolean")
    issues.add(`${p}.ebsCsiDriver`, `must be true or false, got ${show(a.ebsCsiDriver)}.`);
  const ebsCsiDriver = a.ebsCsiDriver ?? !existing;
  if (a.ebsKmsKeyId !== undefined) {
    checkEbsKey(a.ebsKmsKeyId, `${p}.ebsKmsKeyId`, region, issues);
    if (!ebsCsiDriver)
      warnings.push(
        `${p}.ebsKmsKeyId: the EBS CSI driver is not installed by this component, so its role gets no permission on the key: give your driver's role kms:CreateGrant, kms:ListGrants, kms:RevokeGrant (for AWS resources) and kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey on it, or volumes never provision.`,
      );
  }
  return {
    existingClusterName: existing || undefined,
    kubernetesVersion: a.kubernetesVersion,
    region: region ?? "",
    subnetIds: a.subnetIds,
    vpc,
    nodes: {
      instanceType: instanceType ?? "",
      nodesPerZone: positiveInt(nodes.nodesPerZone, `${p}.nodes.nodesPerZone`, issues, 1, 100),
      diskSizeGiB: positiveInt(nodes.diskSizeGiB, `${p}.nodes.diskSizeGiB`, issues, 50, 16384),
    },
    systemNodes,
    ebsCsiDriver,
    ebsKmsKeyId: a.ebsKmsKeyId,
    tags: a.tags ?? {},
  };
}

export function planGcp(
  a: GcpPlatformArgs,
  zones: string[],
  milliCpu: number,
  issues: Issues,
  warnings: string[] = [],
): GcpPlan | undefined {
  const p = "platform.gcp";
  const region = regionOf("gcp", zones, issues);
  const existing = a.existingCluster;
  if (existing !== undefined) {
    if (!existing || typeof existing.name !== "string" || typeof existing.location !== "string")
      issues.add(`${p}.existingCluster`, `must be { name, location }, got ${show(existing)}.`);
    for (const k of ["kubernetesVersion", "network", "subnetwork", "systemNodes"] as const)
      if (a[k] !== undefined)
        issues.add(
          `${p}.${k}`,
          `contradicts existingCluster (it only applies to a new cluster): remove one.`,
        );
  }
  if (a.deletionProtection !== undefined) {
    if (typeof a.deletionProtection !== "boolean")
      issues.add(`${p}.deletionProtection`, `must be true or false, got ${show(a.deletionProtection)}.`);
    else if (existing !== undefined)
      issues.add(
        `${p}.deletionProtection`,
        "contradicts existingCluster (this component neither creates nor deletes that cluster): remove one.",
      );
  }
  if (typeof a.diskKmsKey === "string" && !GCP_KMS_KEY.test(a.diskKmsKey))
    issues.add(
      `${p}.diskKmsKey`,
      `${show(a.diskKmsKey)} must be a CryptoKey's full resource name, projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key> (the id of a gcp.kms.CryptoKey).`,
    );
  const nodes = a.nodes ?? {};
  const machineType = nodes.machineType ?? defaultMachineType("gcp", milliCpu);
  if (!machineType)
    issues.add(
      `${p}.nodes.machineType`,
      `no default machine type fits ${milliCpu}m CPU per server: set one.`,
    );
  else checkFits("gcp", `${p}.nodes.machineType`, machineType, milliCpu, warnings);
  let systemNodes: GcpPlan["systemNodes"];
  if (!existing && a.systemNodes !== false) {
    const s = a.systemNodes ?? {};
    systemNodes = {
      machineType: s.machineType ?? "e2-standard-2",
      nodesPerZone: positiveInt(s.nodesPerZone, `${p}.systemNodes.nodesPerZone`, issues, 1, 100),
    };
  }
  return {
    project: a.project,
    existingCluster: existing,
    region: region ?? "",
    kubernetesVersion: a.kubernetesVersion,
    deletionProtection: a.deletionProtection !== false,
    network: a.network,
    subnetwork: a.subnetwork,
    nodes: {
      machineType: machineType ?? "",
      nodesPerZone: positiveInt(nodes.nodesPerZone, `${p}.nodes.nodesPerZone`, issues, 1, 100),
      diskSizeGb: positiveInt(nodes.diskSizeGb, `${p}.nodes.diskSizeGb`, issues, 50, 65536),
    },
    systemNodes,
    diskKmsKey: a.diskKmsKey,
    labels: a.labels ?? {},
  };
}

export function planKubernetes(
  a: KubernetesPlatformArgs,
  portForward: boolean,
  issues: Issues,
): KubernetesPlan {
  const p = "platform.kubernetes";
  if (a.provider !== undefined && a.kubeconfig !== undefined)
    issues.add(p, "has both provider and kubeconfig, which contradict each other: keep one.");
  if (portForward && a.provider !== undefined && a.kubeconfig === undefined)
    issues.add(
      `${p}.provider`,
      'port-forward access needs the kubeconfig, which cannot be read back from a provider: pass kubeconfig instead of provider, or use access.mode "url".',
    );
  else if (portForward && a.kubeconfig === undefined)
    issues.add(
      `${p}.kubeconfig`,
      'is required with port-forward access: the forward never uses the ambient kubeconfig or the current kubectl context, which may point at another cluster by the time of a refresh or destroy. Pass the kubeconfig, or use access.mode "url".',
    );
  if (a.nodeSelector !== undefined && (typeof a.nodeSelector !== "object" || Array.isArray(a.nodeSelector)))
    issues.add(`${p}.nodeSelector`, `must be a map of label to value, got ${show(a.nodeSelector)}.`);
  if (a.tolerations !== undefined && !Array.isArray(a.tolerations))
    issues.add(`${p}.tolerations`, `must be a list of tolerations, got ${show(a.tolerations)}.`);
  if (
    a.storageClassName !== undefined &&
    (typeof a.storageClassName !== "string" || a.storageClassName === "")
  )
    issues.add(`${p}.storageClassName`, `must be a StorageClass name, got ${show(a.storageClassName)}.`);
  return { provider: a.provider, kubeconfig: a.kubeconfig };
}
