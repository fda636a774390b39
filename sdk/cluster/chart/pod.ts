// What every container of a NATS pod runs as and may use: the `restricted`
// Pod Security Standard, Guaranteed QoS, and the API token only where it is
// read. Facts this relies on:
// - The `nats:2.14.2-alpine` image sets no USER (nats-io/nats-docker,
//   2.14.x/alpine3.22/Dockerfile): it would run as root. nats-server needs no
//   passwd entry and writes only to /data (the PVC, made group-writable by
//   fsGroup) and /var/run/nats (an emptyDir), so any uid works; we pick one.
// - The reloader signals the server through the shared process namespace:
//   both must run as the same uid, which the pod-level securityContext gives.
// - A pod is Guaranteed only when EVERY container, init containers included,
//   has requests equal to limits for both CPU and memory.

/** The uid and gid every container runs as (not root; no image needs a name for it). */
export const RUN_AS = 1000;

/** Pod-level: non-root, the runtime's default seccomp profile, volumes group-owned by RUN_AS. */
export const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  fsGroup: RUN_AS,
  // Re-owning a large volume on every start delays the pod: only when the root is not ours yet.
  fsGroupChangePolicy: "OnRootMismatch",
  seccompProfile: { type: "RuntimeDefault" },
};

/** Container-level: what the `restricted` standard requires of each container. */
export function containerSecurityContext(): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** requests == limits, as Guaranteed QoS needs. */
export function guaranteed(cpu: string, memory: string): Record<string, Record<string, string>> {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

/**
 * Sidecar and init sizes. The reloader and exporter are small Go programs
 * (tens of MiB); the zone lookup is one HTTPS request.
 */
export const SIDECAR_RESOURCES = {
  reloader: guaranteed("50m", "64Mi"),
  promExporter: guaranteed("100m", "64Mi"),
  zoneInit: guaranteed("50m", "64Mi"),
};

/** Where the zone init container finds its token, as the kubelet would mount it. */
export const TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The API token, as a volume only the zone init container mounts (the pod has
 * `automountServiceAccountToken: false`): the servers and sidecars never hold
 * a credential that can read Nodes. Same content as the kubelet's automatic
 * mount: a bound, expiring token, the cluster CA, and the namespace.
 */
export const TOKEN_VOLUME = {
  name: "kube-api-access",
  projected: {
    sources: [
      { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      {
        downwardAPI: {
          items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
        },
      },
    ],
  },
};
