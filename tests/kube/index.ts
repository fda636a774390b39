// The Kubernetes harness: a real control plane on 127.0.0.1 for tests of
// NatsCluster and of anything that talks to a Kubernetes API server.
// See tests/kube/README.md.
import { kubeBinariesPresent } from "./binaries";
import { KubePlane } from "./control-plane";

export { KubePlane, KubectlError, type KubeObject, type KubectlOptions } from "./control-plane";
export { kubeBinariesPresent, kubeBinary, kubeBinDir, type KubeBinary } from "./binaries";
export { serveChartRepo, chartPackage, CHART_VERSION, type ChartRepo } from "./chart-repo";
export {
  AWS_ZONES,
  GCP_ZONES,
  AWS_REGION,
  GCP_REGION,
  NATS_NODE_PLACEMENT,
  NATS_POOL,
  POOL_LABEL,
  DEDICATED_TAINT,
  STORAGE_CLASSES,
  defaultNodes,
  type FakeNode,
} from "./objects";
export { makePodsReal, type RealPods, type RealPodsOptions } from "./pods-real";
export { loopbackViolations, type SocketViolation } from "./loopback";

let shared: Promise<KubePlane> | undefined;

/**
 * The control plane shared by every test file of a run: started on first
 * use, stopped by the mocha root hook at the end of the run
 * (tests/support/cleanup.ts) or by the exit/signal handlers. Tests share
 * it, so each one works in its own namespace and names its cluster-scoped
 * objects uniquely.
 */
export function sharedKubePlane(): Promise<KubePlane> {
  if (!kubeBinariesPresent())
    return Promise.reject(new Error("kube harness: binaries missing; run `bash scripts/install-kube.sh`"));
  shared ??= KubePlane.start().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

/** Stops the shared control plane if one was started (the root hook calls this). */
export async function stopSharedKubePlane(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (!p) return;
  const plane = await p.catch(() => undefined);
  await plane?.stop();
}
