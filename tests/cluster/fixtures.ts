// Expected chart values, written out in full so a test compares them exactly.
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { ZONE_SCRIPT } from "../../sdk/cluster/chart/values";

export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
export const GCP_ZONES = ["europe-west1-b", "europe-west1-c", "europe-west1-d"];

/** The example: 3 zones on AWS, 20Gi file store, "large" (2Gi), with the 1Gi memory store that fits it. */
export function awsArgs(extra: Partial<NatsClusterArgs> = {}): NatsClusterArgs {
  return {
    platform: { aws: {} },
    zones: ZONES,
    replicas: 3,
    jetstream: { fileStorage: "20Gi", memoryStorage: "1Gi" },
    resources: "large",
    ...extra,
  };
}

/** The TLS render (tests/cluster/rendered/values-tls.json): TLS everywhere, an internal NLB, the exporter. */
export const TLS_ARGS = awsArgs({
  tls: { client: true, routes: true },
  service: { type: "InternalLoadBalancer" },
  monitoring: { prometheusExporter: true, podMonitor: true },
});

/** What the `restricted` Pod Security Standard asks of every container. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

/** The full values of awsArgs() for the component "events". */
export function awsValues(): Record<string, unknown> {
  return {
    fullnameOverride: "events",
    namespaceOverride: "nats",
    config: {
      cluster: {
        enabled: true,
        replicas: 3,
        noAdvertise: true,
        merge: { zz_routes$include: "../nats-auth/routes.conf" },
      },
      jetstream: {
        enabled: true,
        fileStore: {
          enabled: true,
          dir: "/data",
          pvc: { enabled: true, size: "20Gi", storageClassName: "events-jetstream" },
          maxSize: "18Gi",
        },
        memoryStore: { enabled: true, maxSize: "1Gi" },
        merge: { unique_tag: "az:" },
      },
      monitor: { enabled: true, port: 8222 },
      merge: { zz_zone$include: "../nats-zone/zone.conf", zz_auth$include: "../nats-auth/auth.conf" },
    },
    container: {
      env: { GOMEMLIMIT: "1638MiB" },
      resources: { requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
      merge: { securityContext: RESTRICTED_CONTAINER },
      patch: [
        {
          op: "add",
          path: "/volumeMounts/-",
          value: { name: "zone", mountPath: "/etc/nats-zone", readOnly: true },
        },
        {
          op: "add",
          path: "/volumeMounts/-",
          value: { name: "auth", mountPath: "/etc/nats-auth", readOnly: true },
        },
      ],
    },
    podTemplate: {
      topologySpreadConstraints: {
        "topology.kubernetes.io/zone": { maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", minDomains: 3 },
        "kubernetes.io/hostname": { maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
      },
      merge: {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ZONES }],
                  },
                ],
              },
            },
          },
          initContainers: [
            {
              name: "zone-tag",
              image: "curlimages/curl:8.11.1",
              command: ["sh", "-ec", ZONE_SCRIPT],
              env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
              volumeMounts: [
                { name: "zone", mountPath: "/etc/nats-zone" },
                {
                  name: "kube-api-access",
                  mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
                  readOnly: true,
                },
              ],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "50m", memory: "64Mi" } },
              securityContext: RESTRICTED_CONTAINER,
            },
          ],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
          },
          automountServiceAccountToken: false,
          nodeSelector: { "pulumi-nats/pool": "events" },
          tolerations: [
            { key: "pulumi-nats/dedicated", operator: "Equal", value: "events", effect: "NoSchedule" },
          ],
        },
      },
      patch: [
        { op: "add", path: "/spec/volumes/-", value: { name: "zone", emptyDir: {} } },
        { op: "add", path: "/spec/volumes/-", value: TOKEN_VOLUME },
        {
          op: "add",
          path: "/spec/volumes/-",
          value: {
            name: "auth",
            secret: {
              secretName: "events-credentials",
              items: [
                { key: "auth.conf", path: "auth.conf" },
                { key: "routes.conf", path: "routes.conf" },
              ],
            },
          },
        },
      ],
    },
    serviceAccount: { enabled: true },
    podDisruptionBudget: { enabled: true },
    service: { enabled: true },
    reloader: {
      enabled: true,
      merge: {
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "50m", memory: "64Mi" } },
        securityContext: RESTRICTED_CONTAINER,
      },
    },
    promExporter: { enabled: false },
    natsBox: { enabled: false },
  };
}

/** The projected API token only the zone init container mounts. */
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

/** Sets a value at a dotted path in a copy-on-write way (tests build expected variants with it). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== "object" || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  if (value === undefined) delete cur[parts[parts.length - 1]];
  else cur[parts[parts.length - 1]] = value;
}

/** Every leaf key path of a values object, stopping at lists and free-form sections. */
export function leafPaths(obj: Record<string, unknown>, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0)
      out.push(...leafPaths(v as Record<string, unknown>, p));
    else out.push(p);
  }
  return out;
}
