// Renders a nats-server configuration file from a node spec.
import { authConfig, type Auth } from "./auth";
import type { TlsMaterial } from "./tls";

/** A byte count, or a size string the server understands ("256MB", "1G"). */
export type Size = number | string;

/** TLS settings of one server. */
export interface TlsSettings {
  material: TlsMaterial;
  /** Require and verify client certificates (mutual TLS). */
  verify: boolean;
}

/** One node's gateway block. */
export interface GatewaySpec {
  /** Gateway name; must equal the cluster name. */
  name: string;
  port: number;
  /** The other clusters' gateways. */
  remotes: { name: string; urls: string[] }[];
  /** Mutual TLS with these certificates (verify is always on for gateways). */
  tls?: TlsSettings;
  /** Refuse gateways from clusters not in `remotes`. */
  rejectUnknownCluster: boolean;
}

/** Everything that goes into one server's config file. */
export interface NodeSpec {
  name: string;
  ports: { client: number; monitor: number; cluster?: number };
  pidFile: string;
  storeDir: string;
  jetstream: boolean;
  jetstreamDomain?: string;
  maxMemoryStore: Size;
  maxFileStore: Size;
  uniqueTag?: string;
  tags: string[];
  auth?: Auth;
  tls?: TlsSettings;
  cluster?: { name: string; routePorts: number[] };
  /** A gateway (super-cluster member): listens on `port`, dials `remotes`. */
  gateway?: GatewaySpec;
  debug: boolean;
  trace: boolean;
  extraConfig?: string;
}

const q = (s: string): string => JSON.stringify(s);

function size(value: Size, field: string): string {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`harness: ${field} must be a whole byte count, got ${value}`);
    return String(value);
  }
  if (!/^\d+\s*[KMGT]?B?$/i.test(value)) {
    throw new Error(`harness: ${field} must be bytes or a size like "256MB", got ${JSON.stringify(value)}`);
  }
  return value.replace(/\s+/g, "");
}

function tlsBlock(tls: TlsSettings, verify: boolean): string {
  return [
    "tls {",
    `  cert_file: ${q(tls.material.server.certFile)}`,
    `  key_file: ${q(tls.material.server.keyFile)}`,
    `  ca_file: ${q(tls.material.ca.certFile)}`,
    `  verify: ${verify}`,
    "  timeout: 2",
    "}",
  ].join("\n");
}

const indent = (text: string): string =>
  text
    .split("\n")
    .map((l) => "  " + l)
    .join("\n");

/** The config file text for `spec`. */
export function renderConfig(spec: NodeSpec): string {
  const lines: string[] = [
    "# Written by the pulumi-nats test harness (tests/harness).",
    `server_name: ${q(spec.name)}`,
    `listen: ${q(`127.0.0.1:${spec.ports.client}`)}`,
    `http: ${q(`127.0.0.1:${spec.ports.monitor}`)}`,
    `pid_file: ${q(spec.pidFile)}`,
    "logtime: true",
    `debug: ${spec.debug}`,
    `trace: ${spec.trace}`,
  ];
  if (spec.tags.length > 0) lines.push(`server_tags: [${spec.tags.map(q).join(", ")}]`);
  if (spec.jetstream) {
    const js = [
      `store_dir: ${q(spec.storeDir)}`,
      `max_memory_store: ${size(spec.maxMemoryStore, "maxMemoryStore")}`,
      `max_file_store: ${size(spec.maxFileStore, "maxFileStore")}`,
    ];
    if (spec.jetstreamDomain) js.push(`domain: ${q(spec.jetstreamDomain)}`);
    if (spec.uniqueTag) js.push(`unique_tag: ${q(spec.uniqueTag)}`);
    lines.push(`jetstream {\n${indent(js.join("\n"))}\n}`);
  }
  if (spec.tls) lines.push(tlsBlock(spec.tls, spec.tls.verify));
  if (spec.auth) lines.push(authConfig(spec.auth));
  if (spec.cluster) {
    if (spec.ports.cluster === undefined) throw new Error("harness: a cluster node needs a cluster port");
    const scheme = "nats-route";
    const c = [
      `name: ${q(spec.cluster.name)}`,
      `listen: ${q(`127.0.0.1:${spec.ports.cluster}`)}`,
      `routes: [\n${spec.cluster.routePorts.map((p) => `  ${q(`${scheme}://127.0.0.1:${p}`)}`).join("\n")}\n]`,
    ];
    // Routes between nodes use the same certificates; a route is a client of
    // its peer, so the server certificate carries clientAuth as well.
    if (spec.tls) c.push(tlsBlock(spec.tls, true));
    lines.push(`cluster {\n${indent(c.join("\n"))}\n}`);
  }
  if (spec.gateway) {
    const g = spec.gateway;
    const gw = [
      `name: ${q(g.name)}`,
      `listen: ${q(`127.0.0.1:${g.port}`)}`,
      `reject_unknown_cluster: ${g.rejectUnknownCluster}`,
      `gateways: [\n${g.remotes
        .map((r) => `  { name: ${q(r.name)}, urls: [${r.urls.map(q).join(", ")}] }`)
        .join("\n")}\n]`,
    ];
    if (g.tls) gw.push(tlsBlock(g.tls, true));
    lines.push(`gateway {\n${indent(gw.join("\n"))}\n}`);
  }
  if (spec.extraConfig) lines.push("# extraConfig", spec.extraConfig);
  return lines.join("\n") + "\n";
}
