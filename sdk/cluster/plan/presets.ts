// Sizing presets for one NATS server: the tiers one managed NATS offering uses
// (see docs/cluster.md). Requests equal limits so the pod gets the Guaranteed
// QoS class and is the last to be evicted under node pressure.

/** The preset names, as accepted by `resources`. */
export const ResourcePreset = {
  Nano: "nano",
  Micro: "micro",
  Small: "small",
  Medium: "medium",
  Large: "large",
  XLarge: "xlarge",
  XXLarge: "2xlarge",
} as const;
export type ResourcePreset = (typeof ResourcePreset)[keyof typeof ResourcePreset];

/** CPU and memory of each preset (requests = limits). */
export const PRESETS: Record<ResourcePreset, { cpu: string; memory: string }> = {
  nano: { cpu: "250m", memory: "128Mi" },
  micro: { cpu: "500m", memory: "256Mi" },
  small: { cpu: "1", memory: "512Mi" },
  medium: { cpu: "1", memory: "1Gi" },
  large: { cpu: "2", memory: "2Gi" },
  xlarge: { cpu: "4", memory: "4Gi" },
  "2xlarge": { cpu: "8", memory: "8Gi" },
};

export function isPreset(value: unknown): value is ResourcePreset {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(PRESETS, value);
}

/**
 * Default node machine types, picked by the CPU a NATS pod requests so that one
 * pod fits on one node with room for the DaemonSets (CNI, CSI node, kube-proxy).
 * Memory is generous on these general-purpose families (4 GiB per vCPU).
 */
const MACHINES: { maxMilliCpu: number; aws: string; gcp: string }[] = [
  { maxMilliCpu: 1000, aws: "m6i.large", gcp: "n2-standard-2" },
  { maxMilliCpu: 2000, aws: "m6i.xlarge", gcp: "n2-standard-4" },
  { maxMilliCpu: 4000, aws: "m6i.2xlarge", gcp: "n2-standard-8" },
  { maxMilliCpu: 8000, aws: "m6i.4xlarge", gcp: "n2-standard-16" },
  { maxMilliCpu: 16000, aws: "m6i.8xlarge", gcp: "n2-standard-32" },
];

/** The default machine type for a pod needing `milliCpu`, or undefined if none is big enough. */
export function defaultMachineType(cloud: "aws" | "gcp", milliCpu: number): string | undefined {
  return MACHINES.find((m) => milliCpu <= m.maxMilliCpu)?.[cloud];
}

/**
 * vCPUs of a machine type when its name says so: AWS m/c/r families
 * ("m6i.large" = 2, "m6i.xlarge" = 4, "m6i.4xlarge" = 16) and GCP "<family>-<kind>-<n>"
 * ("n2-standard-4" = 4). Undefined for names it cannot read (no check is made then).
 */
export function vcpusOf(cloud: "aws" | "gcp", machineType: string): number | undefined {
  if (cloud === "gcp") {
    const m = /^[a-z0-9]+-[a-z]+-(\d+)$/.exec(machineType);
    return m ? Number(m[1]) : undefined;
  }
  const m = /^[mcr]\d+[a-z]*\.(\d*)(x?)large$/.exec(machineType);
  if (!m) return undefined;
  if (m[2] !== "x") return m[1] === "" ? 2 : undefined;
  return 4 * (m[1] === "" ? 1 : Number(m[1]));
}
