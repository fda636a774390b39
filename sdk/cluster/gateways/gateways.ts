// Gateways (super-clusters) and leaf nodes for NatsCluster: the PURE part.
// Validation of the `gateway` and `leafnodes` args, the chart values they add,
// and the checks across the members of a super-cluster. No Pulumi resource
// call: tests run these directly.
//
// Facts this relies on (nats-server 2.14 and chart 2.14.2):
// - A server's gateway name must equal its cluster name; the chart names both
//   after the StatefulSet unless `config.cluster.merge.name` and
//   `config.gateway.merge.name` say otherwise.
// - `config.gateway.tls` mounts the Secret at /etc/nats-certs/gateway and
//   writes cert_file/key_file; `ca_file` comes from `tlsCA` (the cluster's own
//   CA) unless `tls.merge.ca_file` overrides it, which we do: gateways verify
//   peers against the super-cluster's shared CA.
// - Gateway TLS is mutual (the server asks the connecting gateway for its
//   certificate): the shared CA is what lets a cluster in.
// - Without an `authorization` block under `leafnodes`, leaf connections log in
//   as the server's ordinary users; `allowed_connection_types: ["LEAFNODE"]`
//   keeps the leaf user from being used by clients.
import type * as pulumi from "@pulumi/pulumi";
import type { ArgsIssue } from "../errors";
import { Issues, show } from "../errors";

/** The gateway port of the nats chart. */
export const GATEWAY_PORT = 7222;
/** The leaf node port of the nats chart. */
export const LEAFNODE_PORT = 7422;
/** Where the chart mounts `config.gateway.tls.secretName`. */
export const GATEWAY_TLS_DIR = "/etc/nats-certs/gateway";

/** Another cluster's gateway, as listed in this cluster's `gateway { gateways: [...] }`. */
export interface GatewayRemote {
  /** The other cluster's gateway (= cluster) name. */
  name: string;
  /** Its gateway URLs, e.g. `nats://gw.gcp.example.com:7222`. */
  urls: string[];
}

/** How the other clusters reach this cluster's gateway port (7222). */
export interface GatewayExposeArgs {
  /**
   * - `"loadBalancer"`: a public cloud load balancer (AWS: internet-facing NLB; GCP: external passthrough).
   * - `"internalLoadBalancer"`: a private one (the clouds' networks must be connected: VPN, interconnect).
   * - `"address"`: you route `address` to the gateway Service yourself (DNS, VPN, static IP).
   * @default "loadBalancer"
   */
  type?: "loadBalancer" | "internalLoadBalancer" | "address";
  /** With `type: "address"`: the host name or IP the other clusters dial (port 7222). */
  address?: string;
  /** Extra annotations on the gateway Service (e.g. a static IP or source ranges). @default none */
  annotations?: Record<string, string>;
}

/** Gateway TLS: required. Peers are verified against a CA every member trusts. */
export interface GatewayTlsArgs {
  /**
   * The shared CA (PEM certificate and private key, e.g. from SuperCluster):
   * this cluster's gateway certificate is issued from it, for the exposed
   * address and the in-cluster names.
   */
  ca?: { certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
  /**
   * Or your own `kubernetes.io/tls` Secret with `tls.crt`, `tls.key` and
   * `ca.crt` (the CA of every member's gateway certificate); the certificate
   * needs serverAuth and clientAuth usages and the exposed address as a name.
   */
  secretName?: string;
}

/** Gateway args of NatsCluster (SuperCluster fills them in for its members). */
export interface GatewayArgs {
  /** This cluster's gateway name, also its cluster name; unique in the super-cluster. @default the cluster's `name` */
  name?: string;
  /** How the other clusters reach this one. @default a public load balancer */
  expose?: GatewayExposeArgs;
  /**
   * The other clusters' gateways. An Input, so it can come from the other
   * NatsClusters' `gatewayUrl` outputs (SuperCluster wires them).
   * @default none (this cluster only accepts gateway connections)
   */
  remotes?: pulumi.Input<pulumi.Input<GatewayRemote>[]>;
  /** Required: gateways never run without TLS. */
  tls?: GatewayTlsArgs;
}

/** Leaf node listener of NatsCluster: remote servers join as leaf nodes of the application account. */
export interface LeafNodesArgs {
  /** Accept leaf node connections on 7422 (through the client Service). @default true when the block is given */
  enabled?: boolean;
  /** The user leaf nodes log in as (application account, leaf connections only). @default "leaf" */
  user?: string;
  /** Its password. @default generated (letters and digits) */
  password?: pulumi.Input<string>;
}

export interface GatewayPlan {
  name: string;
  expose: { type: "loadBalancer" | "internalLoadBalancer" | "address"; address: string | undefined };
  serviceName: string;
  serviceAnnotations: Record<string, string>;
  tls: { generate: boolean; secretName: string; ca: GatewayTlsArgs["ca"] };
  /** Names of the generated gateway certificate besides the exposed address. */
  dnsNames: string[];
}

export interface LeafNodesPlan {
  user: string;
  port: number;
}

const GATEWAY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const USER = /^[A-Za-z][A-Za-z0-9_-]*$/;

export const GATEWAY_FIELDS = ["name", "expose", "remotes", "tls"];
export const LEAFNODE_FIELDS = ["enabled", "user", "password"];

/** Validates `gateway` and returns its plan; undefined when the block is absent. */
export function planGateway(
  g: GatewayArgs | undefined,
  ctx: { name: string; namespace: string; platform: string | undefined },
  issues: Issues,
): GatewayPlan | undefined {
  if (g === undefined) return undefined;
  const name = g.name ?? ctx.name;
  if (typeof name !== "string" || !GATEWAY_NAME.test(name) || name.length > 63)
    issues.add("gateway.name", `${show(name)} must be letters, digits, "_" or "-" (at most 63).`);
  const e = g.expose ?? {};
  for (const k of Object.keys(e))
    if (!["type", "address", "annotations"].includes(k))
      issues.add(
        `gateway.expose.${k}`,
        "is not a field of gateway.expose (fields: type, address, annotations).",
      );
  const type = e.type ?? "loadBalancer";
  if (!["loadBalancer", "internalLoadBalancer", "address"].includes(type))
    issues.add(
      "gateway.expose.type",
      `must be one of "loadBalancer", "internalLoadBalancer", "address", got ${show(type)}.`,
    );
  if (type === "address") {
    if (typeof e.address !== "string" || !HOST.test(e.address))
      issues.add(
        "gateway.expose.address",
        `${show(e.address)} must be a host name or IP address (no scheme, no port).`,
      );
  } else if (e.address !== undefined) {
    issues.add(
      "gateway.expose.address",
      `only applies with gateway.expose.type "address" (type is "${type}").`,
    );
  }
  const tls = g.tls;
  if (tls == null || (tls.ca == null && tls.secretName === undefined))
    issues.add(
      "gateway.tls",
      "is required: gateways carry every account's traffic between clouds and are never run without TLS. Give tls.ca (a CA every member trusts; SuperCluster generates one) or tls.secretName.",
    );
  else if (tls.ca != null && tls.secretName !== undefined)
    issues.add("gateway.tls", "has both ca and secretName: keep one.");
  else if (tls.ca != null && (tls.ca.certPem == null || tls.ca.keyPem == null))
    issues.add("gateway.tls.ca", "needs both certPem and keyPem.");
  const annotations: Record<string, string> =
    type === "address"
      ? {}
      : ctx.platform === "aws"
        ? {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-scheme":
              type === "internalLoadBalancer" ? "internal" : "internet-facing",
            ...(type === "internalLoadBalancer"
              ? { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }
              : {}),
          }
        : ctx.platform === "gcp" && type === "internalLoadBalancer"
          ? { "networking.gke.io/load-balancer-type": "Internal" }
          : {};
  const serviceName = `${ctx.name}-gateway`;
  return {
    name: String(name),
    expose: { type, address: type === "address" ? e.address : undefined },
    serviceName,
    serviceAnnotations: { ...annotations, ...(e.annotations ?? {}) },
    tls: {
      generate: tls?.ca != null,
      secretName: tls?.secretName ?? `${ctx.name}-gateway-tls`,
      ca: tls?.ca,
    },
    dnsNames: [
      serviceName,
      `${serviceName}.${ctx.namespace}`,
      `${serviceName}.${ctx.namespace}.svc.cluster.local`,
      `*.${ctx.name}-headless.${ctx.namespace}.svc.cluster.local`,
      "localhost",
    ],
  };
}

/** Validates `leafnodes`; undefined when the block is absent or disabled. */
export function planLeafNodes(
  l: LeafNodesArgs | undefined,
  auth: { appUser: string; systemUser: string } | undefined,
  issues: Issues,
): LeafNodesPlan | undefined {
  if (l === undefined || l.enabled === false) return undefined;
  const user = l.user ?? "leaf";
  if (typeof user !== "string" || !USER.test(user))
    issues.add("leafnodes.user", `${show(user)} must be letters, digits, "_" or "-".`);
  if (!auth)
    issues.add(
      "leafnodes",
      "needs auth: without users any server that reaches port 7422 would join as a leaf node.",
    );
  else if (user === auth.appUser || user === auth.systemUser)
    issues.add("leafnodes.user", `${show(user)} is already the app or system user: pick another name.`);
  return { user, port: LEAFNODE_PORT };
}

/**
 * The chart values gateways and leaf nodes add (merged over buildValues'),
 * all keys of chart 2.14.2. The remote gateways and the advertised address
 * are Outputs, placed by `withGatewayInputs` in the component.
 */
export function gatewayAndLeafValues(p: {
  gateway?: GatewayPlan;
  leafnodes?: LeafNodesPlan;
  tls?: { client: boolean; secretName: string };
}): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (p.gateway) {
    const g = p.gateway;
    // The cluster name must equal the gateway name.
    config.cluster = { merge: { name: g.name } };
    config.gateway = {
      enabled: true,
      port: GATEWAY_PORT,
      tls: {
        enabled: true,
        secretName: g.tls.secretName,
        // The shared CA, not the cluster's own (tlsCA); peers must present a certificate from it.
        merge: { ca_file: `${GATEWAY_TLS_DIR}/ca.crt`, verify: true, timeout: 5 },
      },
      merge: {
        name: g.name,
        // Only the clusters listed here may connect (with mutual TLS on top).
        reject_unknown_cluster: true,
        gateways: [],
      },
    };
  }
  if (p.leafnodes)
    config.leafnodes = {
      enabled: true,
      port: p.leafnodes.port,
      // With client TLS, the leaf port uses the same certificate (leaf credentials never travel in clear).
      ...(p.tls?.client ? { tls: { enabled: true, secretName: p.tls.secretName } } : {}),
    };
  return Object.keys(config).length > 0 ? { config } : {};
}

/**
 * A copy of `values` with the remote gateways and the advertised address put
 * in `config.gateway.merge` (Inputs are fine: the chart takes Inputs).
 */
export function withGatewayInputs(
  values: Record<string, unknown>,
  remotes: unknown,
  advertise: unknown,
): Record<string, unknown> {
  const config = values.config as Record<string, unknown>;
  const gateway = config.gateway as Record<string, unknown>;
  const merge = gateway.merge as Record<string, unknown>;
  return {
    ...values,
    config: { ...config, gateway: { ...gateway, merge: { ...merge, gateways: remotes, advertise } } },
  };
}

/** The URL other clusters dial for a gateway host. */
export function gatewayUrl(host: string): string {
  return `nats://${host}:${GATEWAY_PORT}`;
}

/** Whether a host is an IPv4/IPv6 literal (it goes in the certificate's IP SANs). */
export function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/** Checks the remote list a cluster receives (names, URLs, no self). Returns problems. */
export function checkRemotes(self: string, remotes: GatewayRemote[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const r of remotes) {
    if (r.name === self) out.push(`lists itself (${self}) as a remote gateway.`);
    if (seen.has(r.name)) out.push(`lists the gateway ${r.name} twice: cluster names must be unique.`);
    seen.add(r.name);
    if (!Array.isArray(r.urls) || r.urls.length === 0) out.push(`gateway ${r.name} has no URLs.`);
    for (const u of r.urls ?? [])
      if (!/^(nats|tls):\/\/[^\s/]+:\d+$/.test(u))
        out.push(`gateway ${r.name}: ${show(u)} is not a nats://host:port URL.`);
  }
  return out;
}

/** What a super-cluster checks about each member. */
export interface MemberFacts {
  key: string;
  gatewayName: string | undefined;
  gatewayTls: boolean;
  /** Server names of its pods (`<release>-<i>`, or the chart's prefix + pod name). */
  serverNames: string[];
  auth: { appAccount: string; appUser: string; systemUser: string } | undefined;
  jetstreamDomain: string | undefined;
}

/**
 * Checks across the members of a super-cluster: distinct cluster (gateway)
 * names, TLS on every gateway, one set of accounts and users, distinct
 * server names, one JetStream domain (or none). Returns every problem.
 */
export function checkSuperCluster(members: MemberFacts[]): ArgsIssue[] {
  const issues = new Issues();
  if (members.length < 2)
    issues.add("clusters", `a super-cluster needs at least two clusters, got ${members.length}.`);
  const byName = new Map<string, string[]>();
  for (const m of members) {
    if (m.gatewayName === undefined) {
      issues.add(`clusters.${m.key}.gateway`, "is missing: every member needs a gateway.");
      continue;
    }
    byName.set(m.gatewayName, [...(byName.get(m.gatewayName) ?? []), m.key]);
    if (!m.gatewayTls)
      issues.add(`clusters.${m.key}.gateway.tls`, "is required: gateways never run without TLS.");
  }
  for (const [name, keys] of byName)
    if (keys.length > 1)
      issues.add(
        `clusters.${keys[1]}.gateway.name`,
        `duplicate cluster name ${show(name)} (also ${keys[0]}): every cluster of a super-cluster needs its own name.`,
      );
  const servers = new Map<string, string>();
  for (const m of members)
    for (const s of m.serverNames) {
      const other = servers.get(s);
      if (other !== undefined && other !== m.key)
        issues.add(
          `clusters.${m.key}.name`,
          `server name ${show(s)} is also used in ${other}: server names must be unique in the super-cluster; give the clusters different names.`,
        );
      servers.set(s, m.key);
    }
  const withAuth = members.filter((m) => m.auth);
  if (withAuth.length !== members.length && withAuth.length > 0)
    issues.add(
      "clusters",
      `auth is on in ${withAuth.map((m) => m.key).join(", ")} but off elsewhere: accounts must match across gateways.`,
    );
  const ref = withAuth[0];
  for (const m of withAuth.slice(1))
    for (const f of ["appAccount", "appUser", "systemUser"] as const)
      if (m.auth![f] !== ref.auth![f])
        issues.add(
          `clusters.${m.key}.auth.${f}`,
          `${show(m.auth![f])} differs from ${ref.key}'s ${show(ref.auth![f])}: accounts and users must be the same in every cluster (set them once in SuperCluster's auth).`,
        );
  const domains = new Set(members.map((m) => m.jetstreamDomain ?? ""));
  if (domains.size > 1)
    issues.add(
      "clusters",
      `JetStream domains differ (${members.map((m) => `${m.key}: ${m.jetstreamDomain ?? "none"}`).join(", ")}): one super-cluster is one JetStream domain; use leaf nodes to keep domains apart.`,
    );
  return issues.list;
}

/**
 * A stream placement in a named cluster of the super-cluster; refuses a
 * cluster that is not part of it (the server would only answer "no suitable
 * peers" at create time).
 */
export function placementIn(
  clusters: string[],
  cluster: string,
  tags?: string[],
): { cluster: string; tags?: string[] } {
  if (!clusters.includes(cluster))
    throw new Error(
      `placement: cluster ${show(cluster)} is not part of this super-cluster (clusters: ${clusters.join(", ")}).`,
    );
  return tags && tags.length > 0 ? { cluster, tags: [...tags] } : { cluster };
}
