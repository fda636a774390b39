// The pure planner: `plan(component, args)` validates the args (all problems
// at once, each naming its field) and computes names, placement, storage,
// sizing, auth, TLS, access and the chart values. It makes no Pulumi resource
// call, so tests run it directly and compare its output exactly.
import type { AccessArgs, NatsClusterArgs } from "../args";
import { AccessMode, ReclaimPolicy, ServiceType, ZoneSpread } from "../args";
import { checkChartKeys, KEYS_CHART_VERSION, mergeValues } from "../chart/keys";
import { checkOwnedLists } from "../chart/owned";
import { Issues, show } from "../errors";
import { MONITORING_FIELDS, planMonitoring } from "../monitoring/plan";
import {
  GATEWAY_FIELDS,
  gatewayAndLeafValues,
  LEAFNODE_FIELDS,
  planGateway,
  planLeafNodes,
} from "../gateways/gateways";
import { planCertificateLifetime } from "./certificates";
import { planAws, planGcp, planKubernetes, platformKind } from "./platform";
import type { ClusterNames, ClusterPlan, NodePlacement, StoragePlan, TlsPlan } from "./types";
import { planAuth, planRoutes } from "./auth";
import { planTenancy } from "./tenancy";
import { planNetworkPolicy } from "./network";
import { planResources } from "./resources";
import { planStorageSizes } from "./storage";
import { MONITOR_PORT, monitoringEndpoints } from "./monitoring-endpoints";
import { buildValues } from "../chart/values";

export const DEFAULT_CHART_VERSION = "2.14.2";
export const DEFAULT_CHART_REPOSITORY = "https://nats-io.github.io/k8s/helm/charts/";
export const DEFAULT_ZONE_DISCOVERY_IMAGE = "curlimages/curl:8.11.1";
/** Node label and taint key reserved for NATS nodes (value: the cluster's name). */
export const NODE_LABEL = "pulumi-nats/pool";
export const NODE_TAINT = "pulumi-nats/dedicated";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DURATION = /^\d+(ms|s|m|h)$/;
/** Room for "-credentials" and the StatefulSet's revision-hash label within 63 characters. */
const MAX_NAME = 51;

const TOP_LEVEL = [
  "platform",
  "zones",
  "replicas",
  "name",
  "namespace",
  "createNamespace",
  "jetstream",
  "resources",
  "reclaimPolicy",
  "placement",
  "auth",
  "tls",
  "service",
  "monitoring",
  "access",
  "readyTimeout",
  "chart",
  "gateway",
  "leafnodes",
  "networkPolicy",
  "priorityClassName",
  "allowJetStreamDataLoss",
];
const NESTED: Record<string, string[]> = {
  jetstream: ["fileStorage", "fileStoreMaxPercent", "memoryStorage", "domain"],
  placement: ["zoneSpread", "allowFewerZonesThanReplicas", "zoneDiscoveryImage"],
  auth: [
    "enabled",
    "mode",
    "appAccount",
    "appUser",
    "systemUser",
    "passwordLength",
    "systemPassword",
    "appPassword",
    "routePassword",
    "accounts",
  ],
  gateway: GATEWAY_FIELDS,
  leafnodes: LEAFNODE_FIELDS,
  tls: ["client", "routes", "secretName", "caCert", "extraDnsNames", "validityHours", "earlyRenewalHours"],
  service: ["type", "annotations"],
  monitoring: MONITORING_FIELDS,
  access: ["mode", "url", "localPort"],
  chart: ["version", "repository", "values"],
};

function checkKnownFields(args: NatsClusterArgs, issues: Issues): void {
  const a = args as unknown as Record<string, unknown>;
  for (const k of Object.keys(a))
    if (!TOP_LEVEL.includes(k)) issues.add(k, `is not an argument of NatsCluster.`);
  for (const [block, fields] of Object.entries(NESTED)) {
    const v = a[block];
    // `jetstream: false` turns JetStream off; `true` (from a schema language) is the default.
    if (v == null || (block === "jetstream" && typeof v === "boolean")) continue;
    if (typeof v !== "object" || Array.isArray(v)) {
      issues.add(block, `must be an object, got ${show(v)}.`);
      continue;
    }
    for (const k of Object.keys(v))
      if (!fields.includes(k))
        issues.add(`${block}.${k}`, `is not a field of ${block} (fields: ${fields.join(", ")}).`);
  }
}

function oneOf<T extends string>(
  value: unknown,
  allowed: Record<string, T>,
  path: string,
  def: T,
  issues: Issues,
): T {
  if (value === undefined) return def;
  const values = Object.values(allowed);
  if (!values.includes(value as T)) {
    issues.add(path, `must be one of ${values.map((v) => `"${v}"`).join(", ")}, got ${show(value)}.`);
    return def;
  }
  return value as T;
}

/** A small stable hash (FNV-1a) for the default port-forward port. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function planAccess(
  a: AccessArgs | undefined,
  serviceType: ServiceType,
  scheme: "nats" | "tls",
  name: string,
  namespace: string,
  stack: string | undefined,
  issues: Issues,
): ClusterPlan["access"] {
  const access = a ?? {};
  const def =
    serviceType === ServiceType.InternalLoadBalancer ? AccessMode.LoadBalancer : AccessMode.PortForward;
  const mode = oneOf(access.mode, AccessMode, "access.mode", def, issues);
  // The stack is part of the default port: dev and prod of one program deploy the same
  // namespace/name, and must never share a forward (see port-forward/identity.ts).
  let localPort = 14222 + (hash(`${stack === undefined ? "" : `${stack}/`}${namespace}/${name}`) % 1000);
  if (access.localPort !== undefined) {
    if (!Number.isInteger(access.localPort) || access.localPort < 1 || access.localPort > 65535)
      issues.add("access.localPort", `must be a port number (1-65535), got ${show(access.localPort)}.`);
    else localPort = access.localPort;
  }
  let urls: string[] = [];
  if (mode === AccessMode.Url) {
    const given = access.url === undefined ? [] : Array.isArray(access.url) ? access.url : [access.url];
    if (given.length === 0)
      issues.add("access.url", 'is required with access.mode "url": e.g. "nats://nats.internal:4222".');
    given.forEach((u, i) => {
      if (typeof u !== "string" || !/^(nats|tls):\/\/[^\s/]+$/.test(u))
        issues.add(
          `access.url${given.length > 1 ? `[${i}]` : ""}`,
          `${show(u)} must be a nats:// or tls:// URL with host and port.`,
        );
    });
    urls = given;
  } else if (access.url !== undefined) {
    issues.add(
      "access.url",
      `only applies with access.mode "url" (mode is "${mode}"): remove it or set the mode.`,
    );
  }
  if (mode === AccessMode.PortForward) urls = [`${scheme}://127.0.0.1:${localPort}`];
  if (mode === AccessMode.LoadBalancer && serviceType !== ServiceType.InternalLoadBalancer)
    issues.add("access.mode", '"loadBalancer" needs service.type "InternalLoadBalancer".');
  return { mode, urls, localPort, scheme };
}

/**
 * Validates the args and computes everything the component creates. Throws
 * NatsClusterArgsError. `stack` (`<project>/<stack>`) keys the default
 * port-forward port.
 */
export function plan(component: string, args: NatsClusterArgs, stack?: string): ClusterPlan {
  const issues = new Issues();
  const warnings: string[] = [];
  if (args == null || typeof args !== "object") {
    issues.add("args", "are required: { platform, zones, ... }.");
    issues.throwIfAny(component);
  }
  checkKnownFields(args, issues);

  const name = args.name ?? component;
  if (typeof name !== "string" || !DNS_LABEL.test(name) || name.length > MAX_NAME)
    issues.add(
      args.name === undefined ? "name (from the component name)" : "name",
      `${show(name)} must be a DNS label (lowercase letters, digits, "-") of at most ${MAX_NAME} characters; set name explicitly.`,
    );
  const namespace = args.namespace ?? "nats";
  if (typeof namespace !== "string" || !DNS_LABEL.test(namespace) || namespace.length > 63)
    issues.add("namespace", `${show(namespace)} must be a DNS label (lowercase letters, digits, "-").`);

  // Zones and replicas.
  const zones = Array.isArray(args.zones) ? args.zones : [];
  if (!Array.isArray(args.zones) || zones.length === 0)
    issues.add("zones", `must be a non-empty list of zone names, got ${show(args.zones)}.`);
  const dupes = zones.filter((z, i) => zones.indexOf(z) !== i);
  if (dupes.length > 0) issues.add("zones", `lists ${[...new Set(dupes)].join(", ")} more than once.`);
  const replicas = args.replicas ?? 3;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 99)
    issues.add("replicas", `must be a whole number from 1 to 99, got ${show(replicas)}.`);
  else if (replicas % 2 === 0)
    issues.add(
      "replicas",
      `${replicas} is even: a Raft group of ${replicas} tolerates no more failures than ${replicas - 1}; use ${replicas - 1} or ${replicas + 1}.`,
    );
  const placement = args.placement ?? {};
  const zoneSpread = oneOf(placement.zoneSpread, ZoneSpread, "placement.zoneSpread", ZoneSpread.Hard, issues);
  if (Number.isInteger(replicas) && zones.length > 0 && zones.length < replicas) {
    const msg = `${zones.length} zone(s) for ${replicas} replicas: some zone holds two servers, and a stream can have at most ${zones.length} replica(s) because JetStream puts each replica in a different zone.`;
    if (placement.allowFewerZonesThanReplicas === true) warnings.push(`zones: ${msg}`);
    else
      issues.add(
        "zones",
        `${msg} Give at least ${replicas} zones, lower replicas, or set placement.allowFewerZonesThanReplicas.`,
      );
  }

  // Sizing and storage.
  const before = issues.list.length;
  const resources = planResources(args.resources, issues);
  // Against a limit the user did not mean (a fallback), a fit check would only add noise.
  const memoryLimit = issues.list.length === before ? resources.limits.memory : undefined;
  const jetstreamOn = args.jetstream !== false;
  if (args.allowJetStreamDataLoss !== undefined && typeof args.allowJetStreamDataLoss !== "boolean")
    issues.add("allowJetStreamDataLoss", `must be true or false, got ${show(args.allowJetStreamDataLoss)}.`);
  const js = typeof args.jetstream === "object" && args.jetstream !== null ? args.jetstream : {};
  const sizes = planStorageSizes(js, memoryLimit, issues);
  if (js.domain !== undefined && (typeof js.domain !== "string" || !/^[A-Za-z0-9_-]+$/.test(js.domain)))
    issues.add("jetstream.domain", `${show(js.domain)} must be letters, digits, "_" or "-".`);
  const reclaimPolicy = oneOf(
    args.reclaimPolicy,
    ReclaimPolicy,
    "reclaimPolicy",
    ReclaimPolicy.Retain,
    issues,
  );

  // Service, access, TLS.
  const service = args.service ?? {};
  const serviceType = oneOf(service.type, ServiceType, "service.type", ServiceType.ClusterIP, issues);
  const tlsArgs = args.tls ?? {};
  const tlsOn = tlsArgs.client === true || tlsArgs.routes === true;
  if (tlsArgs.secretName !== undefined && !tlsOn)
    issues.add(
      "tls.secretName",
      "is set but neither tls.client nor tls.routes is true: enable one or remove it.",
    );
  if (tlsArgs.secretName !== undefined && tlsArgs.client === true && tlsArgs.caCert === undefined)
    issues.add(
      "tls.caCert",
      "is required with tls.secretName and tls.client: clients need the CA to verify the server.",
    );
  if (tlsArgs.caCert !== undefined && tlsArgs.secretName === undefined)
    issues.add("tls.caCert", "only applies with tls.secretName (a generated CA is output by the component).");
  const certificateLifetime = planCertificateLifetime(tlsArgs, tlsOn, issues);
  const scheme = tlsArgs.client === true ? "tls" : "nats";
  const access = planAccess(args.access, serviceType, scheme, String(name), String(namespace), stack, issues);
  const readyTimeout = args.readyTimeout ?? "5m";
  if (typeof readyTimeout !== "string" || !DURATION.test(readyTimeout))
    issues.add("readyTimeout", `${show(readyTimeout)} must be a duration like "90s", "5m" or "1h".`);

  // Platform.
  const kind = platformKind(args.platform, issues);
  const aws =
    kind === "aws" ? planAws(args.platform.aws!, zones, resources.milliCpu, issues, warnings) : undefined;
  const gcp =
    kind === "gcp" ? planGcp(args.platform.gcp!, zones, resources.milliCpu, issues, warnings) : undefined;
  const k8sArgs = args.platform?.kubernetes;
  const kubernetes =
    kind === "kubernetes"
      ? planKubernetes(k8sArgs!, access.mode === AccessMode.PortForward, issues)
      : undefined;

  // Auth, and the routes' own credentials.
  const auth = planAuth(args.auth, issues, warnings);
  const monitoring = planMonitoring(args.monitoring, issues);

  const chartArgs = args.chart ?? {};
  const version = chartArgs.version ?? DEFAULT_CHART_VERSION;
  if (version !== KEYS_CHART_VERSION)
    warnings.push(
      `chart.version ${version}: values are built and checked against the keys of chart ${KEYS_CHART_VERSION}; review the chart's changes.`,
    );
  const userValues = chartArgs.values ?? {};
  if (typeof userValues !== "object" || Array.isArray(userValues))
    issues.add("chart.values", "must be a map of chart values.");
  else
    for (const p of [...checkChartKeys(userValues), ...checkOwnedLists(userValues)])
      issues.add(`chart.values.${p.path}`, p.message);

  const gateway = planGateway(
    args.gateway,
    { name: String(name), namespace: String(namespace), platform: kind },
    issues,
  );
  const leafnodes = planLeafNodes(args.leafnodes, auth, issues);
  if (auth) auth.appJetStream = jetstreamOn;
  if (auth)
    auth.accounts = planTenancy(
      args.auth?.accounts,
      {
        cluster: String(name),
        mode: auth.mode,
        jetstream: jetstreamOn,
        appAccount: auth.appAccount,
        reservedUsers: [auth.appUser, auth.systemUser, "route", ...(leafnodes ? [leafnodes.user] : [])],
      },
      issues,
    );
  else if (args.auth?.accounts !== undefined)
    issues.add("auth.accounts", "needs auth: accounts and users exist only with auth.enabled.");
  if (auth?.mode === "jwt" && leafnodes)
    issues.add("leafnodes", 'is not supported with auth.mode "jwt" yet: use auth.mode "password".');
  if (args.networkPolicy !== undefined && typeof args.networkPolicy !== "boolean")
    issues.add("networkPolicy", `must be true or false, got ${show(args.networkPolicy)}.`);
  const priorityClassName = args.priorityClassName;
  if (
    priorityClassName !== undefined &&
    (typeof priorityClassName !== "string" || !DNS_SUBDOMAIN.test(priorityClassName))
  )
    issues.add(
      "priorityClassName",
      `${show(priorityClassName)} must be the name of a PriorityClass (lowercase letters, digits, "-" and ".").`,
    );

  issues.throwIfAny(component);

  // Everything below runs on valid args.
  const names: ClusterNames = {
    release: name,
    statefulSet: name,
    service: name,
    headlessService: `${name}-headless`,
    configMap: `${name}-config`,
    serviceAccount: name,
    credentialsSecret: `${name}-credentials`,
    tlsSecret: tlsArgs.secretName ?? `${name}-tls`,
    clusterRole: `${namespace}-${name}-node-reader`,
    storageClass: kind === "kubernetes" ? k8sArgs!.storageClassName : `${name}-jetstream`,
  };
  const dedicated = kind !== "kubernetes";
  const placementPlan: NodePlacement = dedicated
    ? {
        nodeSelector: { [NODE_LABEL]: name },
        taint: { key: NODE_TAINT, value: name, effect: "NoSchedule" },
        tolerations: [{ key: NODE_TAINT, operator: "Equal", value: name, effect: "NoSchedule" }],
      }
    : {
        nodeSelector: k8sArgs!.nodeSelector ?? {},
        taint: undefined,
        tolerations: k8sArgs!.tolerations ?? [],
      };

  const storage: StoragePlan = {
    create: dedicated,
    className: names.storageClass,
    provisioner: kind === "aws" ? "ebs.csi.aws.com" : kind === "gcp" ? "pd.csi.storage.gke.io" : undefined,
    parameters:
      kind === "aws" ? { type: "gp3", encrypted: "true" } : kind === "gcp" ? { type: "pd-ssd" } : {},
    reclaimPolicy,
    ...sizes,
  };
  const svc = `${name}.${namespace}.svc.cluster.local`;
  const headless = `${names.headlessService}.${namespace}.svc.cluster.local`;
  let tls: TlsPlan | undefined;
  if (tlsOn) {
    tls = {
      generate: tlsArgs.secretName === undefined,
      secretName: names.tlsSecret,
      client: tlsArgs.client === true,
      routes: tlsArgs.routes === true,
      caCert: tlsArgs.caCert,
      dnsNames: [
        name,
        `${name}.${namespace}`,
        `${name}.${namespace}.svc`,
        svc,
        `*.${names.headlessService}`,
        `*.${names.headlessService}.${namespace}`,
        `*.${names.headlessService}.${namespace}.svc`,
        `*.${headless}`,
        "localhost",
        ...(tlsArgs.extraDnsNames ?? []),
      ],
      ipAddresses: ["127.0.0.1"],
      ...certificateLifetime,
    };
  }

  const lbAnnotations: Record<string, string> =
    serviceType !== ServiceType.InternalLoadBalancer
      ? {}
      : kind === "aws"
        ? {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
          }
        : kind === "gcp"
          ? { "networking.gke.io/load-balancer-type": "Internal" }
          : {};
  if (serviceType === ServiceType.InternalLoadBalancer && tlsArgs.client !== true)
    warnings.push(
      "service.type InternalLoadBalancer without tls.client: every client on the network sends its password and messages in clear text to the load balancer; set tls.client: true.",
    );
  if (serviceType === ServiceType.InternalLoadBalancer && kind === "kubernetes" && !service.annotations)
    warnings.push(
      "service.type InternalLoadBalancer on an existing cluster: add your cloud's internal-LB annotations in service.annotations, or the load balancer may be public.",
    );

  const p: ClusterPlan = {
    component,
    name,
    namespace,
    createNamespace: args.createNamespace ?? true,
    platform: kind!,
    aws,
    gcp,
    kubernetes,
    replicas,
    zones: [...zones],
    zoneSpread,
    zoneDiscoveryImage: placement.zoneDiscoveryImage ?? DEFAULT_ZONE_DISCOVERY_IMAGE,
    names,
    placement: placementPlan,
    storage,
    jetstream: jetstreamOn,
    allowJetStreamDataLoss: args.allowJetStreamDataLoss === true,
    jetstreamDomain: js.domain,
    resources,
    auth,
    routes: planRoutes(auth, names, replicas, tlsArgs.routes === true),
    tls,
    service: { type: serviceType, annotations: { ...lbAnnotations, ...(service.annotations ?? {}) } },
    monitoring,
    access,
    readyTimeout,
    chart: {
      name: "nats",
      repository: chartArgs.repository ?? DEFAULT_CHART_REPOSITORY,
      version,
      values: {},
    },
    clientUrls: [
      `${scheme}://${svc}:4222`,
      ...Array.from({ length: replicas }, (_, i) => `${scheme}://${name}-${i}.${headless}:4222`),
    ],
    monitoringUrl: `http://${headless}:${MONITOR_PORT}`,
    monitoringEndpoints: monitoringEndpoints(names, monitoring),
    gateway,
    leafnodes,
    networkPolicy:
      args.networkPolicy === false
        ? undefined
        : planNetworkPolicy({
            name,
            release: names.release,
            gateway: gateway !== undefined,
            leafnodes: leafnodes !== undefined,
            exporter: monitoring.prometheusExporter,
          }),
    priorityClassName,
    warnings,
  };
  const values = mergeValues(mergeValues(buildValues(p), gatewayAndLeafValues(p)), userValues);
  // The component's own keys must be real too: a failure here is a bug in values.ts.
  const own = checkChartKeys(values);
  if (own.length > 0)
    throw new Error(`pulumi-nats bug: chart values use unknown keys: ${own.map((x) => x.path).join(", ")}`);
  p.chart.values = values;
  return p;
}
