// Where the control-plane binaries are: .cache/kube/bin, built by
// scripts/install-kube.sh (scripts/test.sh runs it). No PATH fallback: the
// versions must be the pinned ones, which the script's stamps guarantee.
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";

export type KubeBinary =
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "kwok"
  | "pulumi-resource-kubernetes";

/** The directory holding the control-plane binaries and pulumi-resource-kubernetes. */
export const kubeBinDir = (): string => path.join(repoRoot(), ".cache", "kube", "bin");
/** kwok's Stage objects, copied from its module by the install script. */
export const kwokStagesDir = (): string => path.join(repoRoot(), ".cache", "kube", "stages");
/** kwok's CRDs (Stage, PortForward, ClusterPortForward). */
export const kwokCrdsDir = (): string => path.join(repoRoot(), ".cache", "kube", "crds");

/** Absolute path of a binary; throws an error that says how to build it when missing. */
export function kubeBinary(name: KubeBinary): string {
  const file = path.join(kubeBinDir(), name);
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    throw new Error(
      `kube harness: ${file} is missing. Run \`bash scripts/install-kube.sh\` from ${repoRoot()} ` +
        `(it builds the control plane from the Go module proxy, about 15 minutes cold).`,
    );
  }
}

/** The binaries the control plane runs (pulumi-resource-kubernetes is the engine's, not the plane's). */
export const CONTROL_PLANE_BINARIES: readonly KubeBinary[] = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubectl",
  "kwok",
];

/** Whether the given binaries (default: the control plane's) are built. */
export function kubeBinariesPresent(names: readonly KubeBinary[] = CONTROL_PLANE_BINARIES): boolean {
  try {
    for (const b of names) kubeBinary(b);
    return true;
  } catch {
    return false;
  }
}
