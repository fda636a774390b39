// Chart values from a plan, using only keys of the nats chart 2.14.2 (checked
// by keys.ts). Facts about the chart this relies on, read from its
// templates (nats-io/k8s@957650f):
// - `merge` replaces lists, so extra volumes and volume mounts are added with
//   `patch` (JSON Patch `add` at `/-`), keeping the chart's config volume.
// - A `config.merge` key ending in `$include` renders as `include <path>;`,
//   relative to /etc/nats-config; the reloader also watches included files.
// - The reloader copies the nats container's mounts under /etc/, patched ones
//   included, so it sees the credentials and zone files too.
// - `podTemplate.topologySpreadConstraints` is a map keyed by topology key;
//   the chart adds the key and the pods' label selector.
import { EXPORTER_VERSION } from "../monitoring/metrics";
import type { ClusterPlan } from "../plan/types";
import {
  containerSecurityContext,
  POD_SECURITY_CONTEXT,
  SIDECAR_RESOURCES,
  TOKEN_DIR,
  TOKEN_VOLUME,
} from "./pod";

/** Where the zone-discovery init container writes the server's zone tag. */
export const ZONE_DIR = "/etc/nats-zone";
export const ZONE_FILE = "zone.conf";

/**
 * The init container's script: read this node's zone label from the API
 * server (the ServiceAccount is bound to a ClusterRole that may get nodes) and
 * write `server_tags: ["az:<zone>"]`. A node without the label fails the pod
 * visibly instead of starting a server that JetStream placement would skip.
 */
export const ZONE_SCRIPT = [
  `SA=${TOKEN_DIR}`,
  // A slow or restarting API server gets a few tries before the pod fails visibly.
  'NODE_JSON=$(curl -sSf --connect-timeout 5 --max-time 15 --retry 5 --retry-delay 2 --retry-all-errors --cacert "$SA/ca.crt" -H "Authorization: Bearer $(cat "$SA/token")" "https://kubernetes.default.svc/api/v1/nodes/$NODE_NAME")',
  'ZONE=$(printf \'%s\' "$NODE_JSON" | tr -d \'\\n \' | sed -n \'s/.*"topology\\.kubernetes\\.io\\/zone":"\\([^"]*\\)".*/\\1/p\')',
  'if [ -z "$ZONE" ]; then echo "node $NODE_NAME has no topology.kubernetes.io/zone label" >&2; exit 1; fi',
  `printf 'server_tags: ["az:%s"]\\n' "$ZONE" > ${ZONE_DIR}/${ZONE_FILE}`,
  'echo "server tagged az:$ZONE"',
].join("\n");

export function buildValues(p: ClusterPlan): Record<string, unknown> {
  const hard = p.zoneSpread === "hard";
  const configMerge: Record<string, unknown> = {
    // Included last (keys are sorted): the server's `az:<zone>` tag.
    zz_zone$include: `../nats-zone/${ZONE_FILE}`,
  };
  const containerPatch: unknown[] = [
    { op: "add", path: "/volumeMounts/-", value: { name: "zone", mountPath: ZONE_DIR, readOnly: true } },
  ];
  const podPatch: unknown[] = [
    { op: "add", path: "/spec/volumes/-", value: { name: "zone", emptyDir: {} } },
    { op: "add", path: "/spec/volumes/-", value: TOKEN_VOLUME },
  ];
  if (p.auth) {
    // Accounts, users and passwords come from the credentials Secret, never the ConfigMap.
    configMerge[`zz_auth$include`] = `../nats-auth/${p.auth.includeFile}`;
    containerPatch.push({
      op: "add",
      path: "/volumeMounts/-",
      value: { name: "auth", mountPath: p.auth.mountDir, readOnly: true },
    });
    podPatch.push({
      op: "add",
      path: "/spec/volumes/-",
      value: {
        name: "auth",
        secret: {
          secretName: p.names.credentialsSecret,
          items: [p.auth.includeFile, ...(p.routes ? [p.routes.includeFile] : [])].map((f) => ({
            key: f,
            path: f,
          })),
        },
      },
    });
  }

  const jetstreamMerge: Record<string, unknown> = { unique_tag: "az:" };
  if (p.jetstreamDomain !== undefined) jetstreamMerge.domain = p.jetstreamDomain;

  const fileStorePvc: Record<string, unknown> = { enabled: true, size: p.storage.fileStorage };
  if (p.storage.className !== undefined) fileStorePvc.storageClassName = p.storage.className;

  // minDomains is the zones given, never a function of replicas: the pod template
  // must not change with `replicas`, or a scale-down restarts every server left.
  const tsc: Record<string, unknown> = {
    "topology.kubernetes.io/zone": hard
      ? { maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", minDomains: p.zones.length }
      : { maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
    // Two servers on one node fail together: spread over nodes too, softly.
    "kubernetes.io/hostname": { maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
  };

  const podSpec: Record<string, unknown> = {
    // Only the chosen zones, even when the cluster has nodes elsewhere.
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "topology.kubernetes.io/zone", operator: "In", values: [...p.zones] },
              ],
            },
          ],
        },
      },
    },
    initContainers: [
      {
        name: "zone-tag",
        image: p.zoneDiscoveryImage,
        command: ["sh", "-ec", ZONE_SCRIPT],
        env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
        volumeMounts: [
          { name: "zone", mountPath: ZONE_DIR },
          // The only container holding the token that may read Nodes.
          { name: TOKEN_VOLUME.name, mountPath: TOKEN_DIR, readOnly: true },
        ],
        resources: SIDECAR_RESOURCES.zoneInit,
        securityContext: containerSecurityContext(),
      },
    ],
    securityContext: POD_SECURITY_CONTEXT,
    automountServiceAccountToken: false,
  };
  if (p.priorityClassName !== undefined) podSpec.priorityClassName = p.priorityClassName;
  if (Object.keys(p.placement.nodeSelector).length > 0)
    podSpec.nodeSelector = { ...p.placement.nodeSelector };
  if (p.placement.tolerations.length > 0)
    podSpec.tolerations = p.placement.tolerations.map((t) => ({ ...t }));

  const config: Record<string, unknown> = {
    cluster: {
      enabled: p.replicas > 1,
      replicas: p.replicas,
      noAdvertise: true,
      // Route user and password, from the credentials Secret (never the ConfigMap).
      ...(p.routes ? { merge: { zz_routes$include: `../nats-auth/${p.routes.includeFile}` } } : {}),
    },
    // Core NATS only (`jetstream: false`): no store, no volume claim.
    jetstream: !p.jetstream
      ? { enabled: false }
      : {
          enabled: true,
          fileStore: { enabled: true, dir: "/data", pvc: fileStorePvc, maxSize: p.storage.maxFileStore },
          // Off: the chart then writes max_memory_store 0 and memory streams are refused.
          memoryStore:
            p.storage.memoryStorage === undefined
              ? { enabled: false }
              : { enabled: true, maxSize: p.storage.memoryStorage },
          merge: jetstreamMerge,
        },
    monitor: { enabled: true, port: 8222 },
    merge: configMerge,
  };
  if (p.tls) {
    const cluster = config.cluster as Record<string, unknown>;
    if (p.tls.client)
      (config as Record<string, unknown>).nats = { tls: { enabled: true, secretName: p.tls.secretName } };
    if (p.tls.routes && p.replicas > 1) cluster.tls = { enabled: true, secretName: p.tls.secretName };
  }

  const values: Record<string, unknown> = {
    fullnameOverride: p.name,
    namespaceOverride: p.namespace,
    config,
    container: {
      env: { GOMEMLIMIT: p.resources.goMemLimit },
      resources: { requests: { ...p.resources.requests }, limits: { ...p.resources.limits } },
      merge: { securityContext: containerSecurityContext() },
      patch: containerPatch,
    },
    podTemplate: { topologySpreadConstraints: tsc, merge: { spec: podSpec }, patch: podPatch },
    // The chart's ServiceAccount, bound by the component to the node-reader ClusterRole.
    serviceAccount: { enabled: true },
    // maxUnavailable 1 (the chart's fixed value): the meta group and every R3
    // stream keep their quorum during voluntary disruptions.
    podDisruptionBudget: { enabled: true },
    service: { enabled: true },
    reloader: {
      enabled: true,
      merge: { resources: SIDECAR_RESOURCES.reloader, securityContext: containerSecurityContext() },
    },
    promExporter: p.monitoring.prometheusExporter
      ? {
          enabled: true,
          // The exporter version whose metric names the alert rules and dashboards read (monitoring/metrics.ts).
          image: { tag: EXPORTER_VERSION },
          merge: { resources: SIDECAR_RESOURCES.promExporter, securityContext: containerSecurityContext() },
          podMonitor: {
            enabled: p.monitoring.podMonitor,
            ...(Object.keys(p.monitoring.labels).length > 0
              ? { merge: { metadata: { labels: p.monitoring.labels } } }
              : {}),
          },
        }
      : { enabled: false },
    // The toolbox would need credentials of its own; use `nats` with the Secret's users instead.
    natsBox: { enabled: false },
  };
  if (p.tls) values.tlsCA = { enabled: true, secretName: p.tls.secretName, key: "ca.crt" };
  if (p.service.type === "InternalLoadBalancer") {
    values.service = {
      enabled: true,
      merge: { metadata: { annotations: { ...p.service.annotations } }, spec: { type: "LoadBalancer" } },
    };
  } else if (Object.keys(p.service.annotations).length > 0) {
    values.service = { enabled: true, merge: { metadata: { annotations: { ...p.service.annotations } } } };
  }
  return values;
}
