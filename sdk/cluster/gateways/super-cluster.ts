// SuperCluster: several NatsClusters (e.g. one on EKS, one on GKE) joined by
// gateways into one NATS system. It owns what the members must share (the
// system and application passwords, the gateway CA), gives each member its
// gateway, and wires every member's gateway list from the OTHER members'
// `gatewayUrl` outputs.
//
// Why there is no cycle: a member's `gatewayUrl` depends only on its gateway
// Service (created before its chart, see gateway-resources.ts), while its
// chart depends on the other members' `gatewayUrl`s. The members are built
// one after another, so a member's remote list is a deferred Output that is
// resolved once every member exists.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { AuthArgs, NatsClusterArgs } from "../args";
import { NatsCluster } from "../component";
import { NatsClusterArgsError, type ArgsIssue } from "../errors";
import {
  checkSuperCluster,
  placementIn,
  type GatewayExposeArgs,
  type GatewayRemote,
  type MemberFacts,
} from "./gateways";
import { plan } from "../plan/plan";
import { userNkeyFromBytes } from "../security/users";
import type { AccountArgs } from "../tenancy-args";

/** One member: NatsCluster args, with the gateway's exposure (name, TLS and remotes are filled in). */
export interface SuperClusterMemberArgs extends Omit<NatsClusterArgs, "gateway"> {
  gateway?: {
    /** The cluster (gateway) name. @default the member's key in `clusters` */
    name?: string;
    /** How the other clusters reach this one. @default a public load balancer */
    expose?: GatewayExposeArgs;
  };
}

/** Arguments of SuperCluster. */
export interface SuperClusterArgs {
  /** The members, keyed by cluster name (e.g. `{ aws: {...}, gcp: {...} }`); at least two. */
  clusters: Record<string, SuperClusterMemberArgs>;
  /**
   * Accounts and users, the same in every member (passwords and the tenant
   * users' passwords and nkeys are generated once and given to all).
   * @default accounts SYS and APP, users sys and app
   */
  auth?: Pick<AuthArgs, "appAccount" | "appUser" | "systemUser" | "passwordLength" | "accounts">;
  /**
   * The CA every member's gateway certificate is issued from (PEM). Secret key.
   * @default generated (ECDSA P-256, 10 years)
   */
  gatewayCa?: { certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
}

/** Thrown when the members cannot form one super-cluster. */
export class SuperClusterArgsError extends Error {
  readonly issues: ArgsIssue[];
  constructor(name: string, issues: ArgsIssue[]) {
    super(
      `SuperCluster "${name}": ${issues.length} invalid argument(s):\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`,
    );
    this.name = "SuperClusterArgsError";
    this.issues = issues;
  }
}

/** Placeholders for the Inputs SuperCluster injects; the pure check needs only their presence. */
const PLACEHOLDER_CA = { certPem: "ca", keyPem: "key" };

/**
 * The member args SuperCluster gives each NatsCluster (pure): the shared auth,
 * the gateway with its name and TLS. `inject` supplies the shared Inputs.
 */
export function memberArgs(
  key: string,
  m: SuperClusterMemberArgs,
  shared: SuperClusterArgs["auth"],
  inject: {
    systemPassword?: pulumi.Input<string>;
    appPassword?: pulumi.Input<string>;
    ca?: { certPem: pulumi.Input<string>; keyPem: pulumi.Input<string> };
    remotes?: pulumi.Input<GatewayRemote[]>;
    /** `shared.accounts` with every user's password or nkey seed filled in (sharedTenants). */
    accounts?: AccountArgs[];
  } = {},
): NatsClusterArgs {
  const gw = (m.gateway ?? {}) as SuperClusterMemberArgs["gateway"] & Record<string, unknown>;
  const auth = m.auth?.enabled === false ? m.auth : { ...(shared ?? {}), ...(m.auth ?? {}) };
  return {
    ...m,
    auth:
      auth.enabled === false
        ? auth
        : {
            ...auth,
            systemPassword: inject.systemPassword,
            appPassword: inject.appPassword,
            ...(inject.accounts ? { accounts: inject.accounts } : {}),
          },
    gateway: {
      ...gw,
      name: gw.name ?? key,
      tls: { ca: inject.ca ?? PLACEHOLDER_CA },
      remotes: inject.remotes,
    },
  };
}

/**
 * Validates a super-cluster without creating anything: each member's own args
 * (as NatsCluster would) and the rules across members. Returns the members'
 * cluster names by key. Throws SuperClusterArgsError with every problem.
 */
export function checkSuperClusterArgs(name: string, args: SuperClusterArgs): Record<string, string> {
  const issues: ArgsIssue[] = [];
  const clusters = args?.clusters;
  if (clusters == null || typeof clusters !== "object" || Array.isArray(clusters))
    throw new SuperClusterArgsError(name, [
      { path: "clusters", message: "is required: { <cluster name>: NatsCluster args, ... }." },
    ]);
  const facts: MemberFacts[] = [];
  const names: Record<string, string> = {};
  for (const [key, m] of Object.entries(clusters)) {
    for (const f of ["systemPassword", "appPassword"] as const)
      if ((m.auth as Record<string, unknown> | undefined)?.[f] !== undefined)
        issues.push({
          path: `clusters.${key}.auth.${f}`,
          message: "is set by SuperCluster: the members share one generated password.",
        });
    if (m.auth?.mode === "jwt")
      issues.push({
        path: `clusters.${key}.auth.mode`,
        message:
          'is not supported in a SuperCluster yet (the members would each make their own keys): use "password".',
      });
    if (m.auth?.accounts !== undefined)
      issues.push({
        path: `clusters.${key}.auth.accounts`,
        message:
          "is set by SuperCluster: declare the accounts once in SuperCluster's auth.accounts, so every member has the same accounts, users and credentials.",
      });
    try {
      const p = plan(`${name}-${key}`, memberArgs(key, m, args.auth));
      names[key] = p.gateway!.name;
      facts.push({
        key,
        gatewayName: p.gateway?.name,
        gatewayTls: p.gateway !== undefined,
        serverNames: Array.from({ length: p.replicas }, (_, i) => `${p.name}-${i}`),
        auth: p.auth && {
          appAccount: p.auth.appAccount,
          appUser: p.auth.appUser,
          systemUser: p.auth.systemUser,
        },
        jetstreamDomain: p.jetstreamDomain,
      });
    } catch (err) {
      if (!(err instanceof NatsClusterArgsError)) throw err;
      for (const i of err.issues) issues.push({ path: `clusters.${key}.${i.path}`, message: i.message });
    }
  }
  issues.push(...checkSuperCluster(facts));
  if (issues.length > 0) throw new SuperClusterArgsError(name, issues);
  return names;
}

/**
 * The shared tenants with each user's credential made once for all members:
 * a given or generated password, or a given or generated nkey seed.
 */
function sharedTenants(
  name: string,
  accounts: AccountArgs[] | undefined,
  length: number,
  parent: pulumi.Resource,
): AccountArgs[] | undefined {
  return accounts?.map((a) => ({
    ...a,
    users: a.users?.map((u) => {
      if (u.nkey === true)
        return u.nkeySeed !== undefined
          ? u
          : {
              ...u,
              nkeySeed: pulumi.secret(
                new random.RandomBytes(
                  `${name}-user-${u.name}-nkey`,
                  { length: 32 },
                  { parent },
                ).base64.apply((b) => userNkeyFromBytes(b).seed),
              ),
            };
      return u.password !== undefined
        ? u
        : {
            ...u,
            password: pulumi.secret(
              new random.RandomPassword(
                `${name}-user-${u.name}-password`,
                { length, special: false },
                { parent },
              ).result,
            ),
          };
    }),
  }));
}

/**
 * One NATS system across Kubernetes clusters (and clouds): NatsClusters joined
 * by TLS gateways, with shared accounts and users. See docs/multi-cloud.md.
 */
export class SuperCluster extends pulumi.ComponentResource {
  static readonly __pulumiType = "nats:index:SuperCluster";

  /** The member NatsClusters, by key. */
  readonly clusters: Record<string, NatsCluster>;
  /** The cluster (gateway) names, by key. */
  readonly clusterNames: Record<string, string>;
  /** The shared gateway CA certificate (PEM). */
  readonly gatewayCaCert: pulumi.Output<string>;
  /** The shared passwords. Secret. */
  readonly systemPassword: pulumi.Output<string>;
  readonly appPassword: pulumi.Output<string>;

  constructor(name: string, args: SuperClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every problem of every member, before anything is registered.
    const clusterNames = checkSuperClusterArgs(name, args);
    super(SuperCluster.__pulumiType, name, {}, opts);
    const length = args.auth?.passwordLength ?? 32;
    const password = (who: string) =>
      pulumi.secret(
        new random.RandomPassword(`${name}-${who}-password`, { length, special: false }, { parent: this })
          .result,
      );
    const systemPassword = password("system");
    const appPassword = password("app");
    const accounts = sharedTenants(name, args.auth?.accounts, length, this);

    let ca = args.gatewayCa;
    if (!ca) {
      const key = new tls.PrivateKey(
        `${name}-gateway-ca`,
        { algorithm: "ECDSA", ecdsaCurve: "P256" },
        { parent: this },
      );
      const cert = new tls.SelfSignedCert(
        `${name}-gateway-ca`,
        {
          privateKeyPem: key.privateKeyPem,
          isCaCertificate: true,
          subject: { commonName: `${name} NATS gateway CA`, organization: "pulumi-nats" },
          validityPeriodHours: 10 * 365 * 24,
          allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        },
        { parent: this },
      );
      ca = { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
    }

    const keys = Object.keys(args.clusters);
    const deferred = keys.map(() => pulumi.deferredOutput<GatewayRemote[]>());
    const clusters: Record<string, NatsCluster> = {};
    keys.forEach((key, i) => {
      clusters[key] = new NatsCluster(
        `${name}-${key}`,
        memberArgs(key, args.clusters[key], args.auth, {
          systemPassword,
          appPassword,
          ca,
          remotes: deferred[i][0],
          accounts,
        }),
        { parent: this },
      );
    });
    // Every member exists: each one's remotes are the others' gateway addresses.
    keys.forEach((key, i) => {
      const others = keys.filter((k) => k !== key);
      deferred[i][1](
        pulumi
          .all(others.map((k) => clusters[k].gatewayUrl))
          .apply((urls) => others.map((k, j) => ({ name: clusterNames[k], urls: [urls[j]!] }))),
      );
    });

    this.clusters = clusters;
    this.clusterNames = clusterNames;
    this.gatewayCaCert = pulumi.output(ca.certPem);
    this.systemPassword = systemPassword;
    this.appPassword = appPassword;
    this.registerOutputs({
      clusterNames,
      gatewayCaCert: this.gatewayCaCert,
      systemPassword,
      appPassword,
    });
  }

  /**
   * `placement` for a Stream in one member cluster (by key or cluster name);
   * refuses a cluster that is not part of this super-cluster.
   */
  placement(cluster: string, tags?: string[]): { cluster: string; tags?: string[] } {
    const name = this.clusterNames[cluster] ?? cluster;
    return placementIn(Object.values(this.clusterNames), name, tags);
  }
}
