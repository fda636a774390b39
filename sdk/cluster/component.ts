// NatsCluster: the thin ComponentResource. All decisions are made by the pure
// planner (plan.ts); this class only turns the plan into resources, in order:
// platform (cloud, nodes, storage class, provider) -> namespace -> credentials,
// TLS and RBAC -> the NATS chart -> readiness -> access -> outputs.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ConnectionArgs } from "../jetstream/connection-args";
import { clientServers, portForwardArgs, stackId } from "./access";
import type { NatsClusterArgs } from "./args";
import { renderAuthInclude, renderRoutesInclude } from "./security/auth";
import { createGateway, type GatewayResources } from "./gateways/resources";
import { checkRemotes, withGatewayInputs, type GatewayRemote } from "./gateways/gateways";
import { plan as makePlan } from "./plan/plan";
import { createAwsPlatform } from "./platform/aws";
import { createGcpPlatform } from "./platform/gcp";
import { createKubernetesPlatform } from "./platform/kubernetes";
import type { PlatformResult } from "./platform/types";
import { createTls } from "./security/tls";
import { createMonitoring } from "./monitoring/resources";
import { jwtAuth } from "./security/jwt-resources";
import type { UserPlan } from "./plan/tenancy";
import {
  accountLimitsOf,
  tenantCredentials,
  tenantSecrets,
  tenantUsers,
  userSecrets,
  type UserSecret,
} from "./security/users";
import { metaGroupTrim, scaleDownGuard, systemConnection, volumeGrowth } from "./ops/resources";
import { orphanStatefulSet } from "./ops/storage-growth";
import type { MonitoringEndpoints } from "./plan/monitoring-endpoints";

/** The outputs of NatsCluster, declared once: the class fields and registerOutputs both use it. */
export interface NatsClusterOutputs {
  /** The namespace NATS runs in. */
  namespace: pulumi.Output<string>;
  /** The client Service's name (port 4222). */
  serviceName: pulumi.Output<string>;
  /** In-cluster client URL through the Service, e.g. `nats://events.nats.svc.cluster.local:4222`. */
  clientUrl: pulumi.Output<string>;
  /** In-cluster client URLs: the Service, then each server through the headless Service. */
  clientUrls: pulumi.Output<string[]>;
  /** In-cluster monitoring URL (port 8222: /healthz, /varz, /jsz, /connz, /routez). */
  monitoringUrl: pulumi.Output<string>;
  /**
   * Where monitoring reaches the servers: the monitoring port and its Service, the
   * Prometheus exporter's port and path (when on), the PodMonitor's name (when created).
   */
  monitoringEndpoints: pulumi.Output<MonitoringEndpoints>;
  /** Name of the Secret holding the users, passwords and the server's auth include file; undefined without auth. */
  credentialsSecretName: pulumi.Output<string | undefined>;
  /** The zones the servers run in (each server is tagged `az:<zone>`). */
  zones: pulumi.Output<string[]>;
  /** Number of servers. */
  replicas: pulumi.Output<number>;
  /** The application user; undefined without auth. */
  appUser: pulumi.Output<string | undefined>;
  /** The application user's password. Secret. */
  appPassword: pulumi.Output<string | undefined>;
  /** The system account user, for monitoring and operations. */
  systemUser: pulumi.Output<string | undefined>;
  /** The system user's password. Secret. */
  systemPassword: pulumi.Output<string | undefined>;
  /** CA certificate (PEM) of the servers' TLS certificate; undefined without TLS. */
  caCert: pulumi.Output<string | undefined>;
  /** StorageClass of the JetStream volumes (undefined = the cluster default). */
  storageClassName: pulumi.Output<string | undefined>;
  /** The EKS/GKE cluster's name; undefined on an existing Kubernetes cluster. */
  kubernetesClusterName: pulumi.Output<string | undefined>;
  /** Kubeconfig of the EKS/GKE cluster (or the one given). Secret. */
  kubeconfig: pulumi.Output<string | undefined>;
  /** The nats chart version deployed. */
  chartVersion: pulumi.Output<string>;
  /**
   * The URL(s) this program uses to reach NATS (the port-forward's
   * 127.0.0.1 address, the load balancer's, or the ones given). Not secret:
   * use it to open the same port-forward by hand for `pulumi refresh`.
   */
  accessUrls: pulumi.Output<string[]>;
  /**
   * How this program reaches NATS, for Stream, Consumer, KeyValue and
   * ObjectStore `connection`. Resolves only after the chart's objects are
   * created and the servers' pods are ready (and, with port-forward, after the
   * forward listens); carries the chart as a dependency. Secret (password).
   */
  connection: pulumi.Output<ConnectionArgs>;
  /** Gateway (= cluster) name in a super-cluster; undefined without a gateway. */
  gatewayName: pulumi.Output<string | undefined>;
  /**
   * The URL other clusters dial (`nats://<address>:7222`); resolves once the
   * gateway Service has its address, before the chart. Undefined without a gateway.
   */
  gatewayUrl: pulumi.Output<string | undefined>;
  /** In-cluster URL leaf nodes connect to (`nats-leaf://<service>:7422`); undefined when off. */
  leafUrl: pulumi.Output<string | undefined>;
  /** The user leaf nodes log in as; undefined when off. */
  leafUser: pulumi.Output<string | undefined>;
  /** Its password. Secret. */
  leafPassword: pulumi.Output<string | undefined>;
  /**
   * The users of `auth.accounts`, by user name: how each reaches NATS, in
   * the shape Stream, Consumer, KeyValue and ObjectStore take as `connection`
   * (so an asset is created in that user's account). Secret.
   */
  users: pulumi.Output<Record<string, ConnectionArgs>>;
  /** The Kubernetes Secret of each user of `auth.accounts`, by user name (`<name>-user-<user>`). */
  userSecretNames: pulumi.Output<Record<string, string>>;
}

/**
 * Production NATS with JetStream on Kubernetes (EKS, GKE or an existing
 * cluster), deployed with the official nats chart. See docs/cluster.md.
 */
export class NatsCluster extends pulumi.ComponentResource {
  static readonly __pulumiType = "nats:index:NatsCluster";

  readonly namespace!: pulumi.Output<string>;
  readonly serviceName!: pulumi.Output<string>;
  readonly clientUrl!: pulumi.Output<string>;
  readonly clientUrls!: pulumi.Output<string[]>;
  readonly monitoringUrl!: pulumi.Output<string>;
  readonly monitoringEndpoints!: pulumi.Output<MonitoringEndpoints>;
  readonly credentialsSecretName!: pulumi.Output<string | undefined>;
  readonly zones!: pulumi.Output<string[]>;
  readonly replicas!: pulumi.Output<number>;
  readonly appUser!: pulumi.Output<string | undefined>;
  readonly appPassword!: pulumi.Output<string | undefined>;
  readonly systemUser!: pulumi.Output<string | undefined>;
  readonly systemPassword!: pulumi.Output<string | undefined>;
  readonly caCert!: pulumi.Output<string | undefined>;
  readonly storageClassName!: pulumi.Output<string | undefined>;
  readonly kubernetesClusterName!: pulumi.Output<string | undefined>;
  readonly kubeconfig!: pulumi.Output<string | undefined>;
  readonly chartVersion!: pulumi.Output<string>;
  readonly accessUrls!: pulumi.Output<string[]>;
  readonly connection!: pulumi.Output<ConnectionArgs>;
  readonly gatewayName!: pulumi.Output<string | undefined>;
  readonly gatewayUrl!: pulumi.Output<string | undefined>;
  readonly leafUrl!: pulumi.Output<string | undefined>;
  readonly leafUser!: pulumi.Output<string | undefined>;
  readonly leafPassword!: pulumi.Output<string | undefined>;
  readonly users!: pulumi.Output<Record<string, ConnectionArgs>>;
  readonly userSecretNames!: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: NatsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything: bad args create nothing.
    const p = makePlan(name, args, stackId());
    super(NatsCluster.__pulumiType, name, {}, opts);

    for (const w of p.warnings) pulumi.log.warn(w, this);

    const platform: PlatformResult =
      p.platform === "aws"
        ? createAwsPlatform(p, this)
        : p.platform === "gcp"
          ? createGcpPlatform(p, this)
          : createKubernetesPlatform(p, this);
    const provider = platform.provider;
    const k8sOpts = (dependsOn: pulumi.Input<pulumi.Resource>[] = []): pulumi.CustomResourceOptions => ({
      parent: this,
      provider,
      dependsOn,
    });

    const ns = p.createNamespace
      ? new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: p.namespace } }, k8sOpts())
      : undefined;
    const namespace: pulumi.Output<string> = ns ? ns.metadata.name : pulumi.output(p.namespace);
    const inNamespace = ns ? [ns] : [];

    // Credentials: generated passwords, the server's include file, and the users for other tools.
    let secret: k8s.core.v1.Secret | undefined;
    let appPassword: pulumi.Output<string> | undefined;
    let systemPassword: pulumi.Output<string> | undefined;
    let leafPassword: pulumi.Output<string> | undefined;
    let tenants: Record<string, pulumi.Output<UserSecret>> = {};
    let appCreds: pulumi.Output<string> | undefined;
    let systemCreds: pulumi.Output<string> | undefined;
    if (p.auth) {
      const a = p.auth;
      // Given passwords (a super-cluster shares one set) or generated ones.
      const pw = (who: string, given: pulumi.Input<string> | undefined) =>
        given !== undefined
          ? pulumi.output(given)
          : new random.RandomPassword(
              `${name}-${who}-password`,
              { length: a.passwordLength, special: false },
              { parent: this },
            ).result;
      if (a.mode === "password") {
        systemPassword = pulumi.secret(pw("system", args.auth?.systemPassword));
        appPassword = pulumi.secret(pw("app", args.auth?.appPassword));
      }
      if (p.leafnodes) leafPassword = pulumi.secret(pw("leaf", args.leafnodes?.password));
      const routes = p.routes;
      const routesInclude = routes
        ? pulumi.secret(pw("route", args.auth?.routePassword).apply((rp) => renderRoutesInclude(routes, rp)))
        : undefined;
      const leafUser = p.leafnodes?.user;
      let include: pulumi.Output<string>;
      if (a.mode === "jwt") {
        // Operator, accounts and users as JWTs; every user logs in with its .creds (security/jwt*.ts).
        const jwt = jwtAuth(p, name, this);
        include = jwt.include;
        appCreds = pulumi.secret(jwt.creds.apply((c) => c[a.appUser]));
        systemCreds = pulumi.secret(jwt.creds.apply((c) => c[a.systemUser]));
        tenants = Object.fromEntries(
          tenantUsers(p).map((u) => [u.name, jwt.creds.apply((c): UserSecret => ({ creds: c[u.name] }))]),
        );
      } else {
        tenants = tenantSecrets(p, name, args.auth?.accounts, a.passwordLength, this);
        include = pulumi.secret(
          pulumi
            .all([systemPassword!, appPassword!, leafPassword, tenantCredentials(p, tenants)])
            .apply(([s, ap, lp, tc]) =>
              renderAuthInclude(a, s, ap, leafUser && lp ? { user: leafUser, password: lp } : undefined, tc),
            ),
        );
      }
      secret = new k8s.core.v1.Secret(
        `${name}-credentials`,
        {
          metadata: { name: p.names.credentialsSecret, namespace },
          type: "Opaque",
          stringData: {
            [a.includeFile]: include,
            "app-account": a.appAccount,
            "app-user": a.appUser,
            ...(a.mode === "jwt"
              ? { "app.creds": appCreds!, "system.creds": systemCreds! }
              : { "app-password": appPassword!, "system-password": systemPassword! }),
            "system-user": a.systemUser,
            ...(p.leafnodes ? { "leaf-user": p.leafnodes.user, "leaf-password": leafPassword! } : {}),
            ...(routes && routesInclude ? { [routes.includeFile]: routesInclude } : {}),
          },
        },
        k8sOpts(inNamespace),
      );
    }

    const tls = p.tls
      ? createTls(p, namespace, { parent: this, provider, dependsOn: inNamespace })
      : undefined;
    // Each tenant user's own Secret: what a client of that user needs (security/users.ts).
    userSecrets(p, tenants, namespace, tls?.caCert, k8sOpts(inNamespace));

    // The zone-discovery init container reads its node; the chart creates no RBAC, so bind here.
    const role = new k8s.rbac.v1.ClusterRole(
      `${name}-node-reader`,
      {
        metadata: { name: p.names.clusterRole },
        rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
      },
      k8sOpts(),
    );
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-node-reader`,
      {
        metadata: { name: p.names.clusterRole },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: p.names.serviceAccount, namespace }],
      },
      k8sOpts(),
    );

    // Before the chart, so no server pod ever runs with its route port open to the cluster.
    const policy = p.networkPolicy
      ? new k8s.networking.v1.NetworkPolicy(
          `${name}-ingress`,
          { metadata: { name: p.networkPolicy.name, namespace }, spec: p.networkPolicy.spec },
          k8sOpts(inNamespace),
        )
      : undefined;

    // A super-cluster member: its gateway Service and certificate come before its chart
    // (their address is what the other members' charts list; see gateway-resources.ts).
    let gateway: GatewayResources | undefined;
    let values: Record<string, unknown> = p.chart.values;
    if (p.gateway) {
      const g = p.gateway;
      gateway = createGateway(p, g, namespace, { parent: this, provider, dependsOn: inNamespace });
      const remotes = pulumi.output(args.gateway?.remotes ?? []).apply((list) => {
        const r = (list as GatewayRemote[]).map((x) => ({ name: x.name, urls: [...x.urls] }));
        const problems = checkRemotes(g.name, r);
        if (problems.length > 0)
          throw new Error(`NatsCluster "${name}": gateway.remotes: ${problems.join(" ")}`);
        return r;
      });
      values = withGatewayInputs(
        values,
        remotes,
        gateway.host.apply((h) => `${h}:7222`),
      );
    }

    // How a client reaches NATS (servers, app credentials, TLS, the forward the provider reopens).
    const caCert = tls ? tls.caCert : undefined;
    const portForward = portForwardArgs(p);
    const connectionTo = (
      servers: pulumi.Input<string[]>,
      as?: pulumi.Output<UserSecret>,
      asUser?: UserPlan,
    ): pulumi.Output<ConnectionArgs> =>
      pulumi
        .all([servers, appPassword, caCert, portForward ? platform.kubeconfig : undefined, as, appCreds])
        .apply(([srv, password, ca, kubeconfig, user, creds]): ConnectionArgs => {
          const c: ConnectionArgs = { servers: srv, readyTimeout: p.readyTimeout };
          // The provider reopens the forward itself (refresh and destroy do not run the program).
          if (portForward) c.portForward = portForward;
          if (portForward && kubeconfig) c.kubeconfig = kubeconfig;
          if (user && "creds" in user) c.creds = user.creds;
          else if (user && "seed" in user) c.nkeySeed = user.seed;
          else if (user) {
            c.user = asUser?.name;
            c.password = user.password;
          } else if (p.auth?.mode === "jwt") {
            c.creds = creds;
          } else if (p.auth) {
            c.user = p.auth.appUser;
            c.password = password;
          }
          if (p.tls?.client && ca) c.tls = { ca };
          if (asUser) c.account = accountLimitsOf(p, asUser);
          // Core NATS only: the JetStream resources refuse this connection at preview.
          else if (!p.jetstream)
            c.account = { ...(p.auth ? { name: p.auth.appAccount } : {}), jetstream: false };
          return c;
        });

    // Lowering replicas: refused at preview when the streams cannot live with it (ops/).
    const systemAuth = systemPassword ?? systemCreds?.apply((creds) => ({ creds }));
    const guard = systemAuth
      ? scaleDownGuard(p, systemConnection(p, connectionTo(p.access.urls), systemAuth), { parent: this })
      : undefined;
    // Growing jetstream.fileStorage: the claims grow first, in place (ops/storage-growth.ts).
    const growth = volumeGrowth(p, platform.kubeconfig, { parent: this });

    const chart = new k8s.helm.v4.Chart(
      name,
      {
        chart: p.chart.name,
        version: p.chart.version,
        repositoryOpts: { repo: p.chart.repository },
        name: p.names.release,
        namespace,
        values,
      },
      {
        ...k8sOpts([
          ...inNamespace,
          ...(secret ? [secret] : []),
          ...(tls?.secret ? [tls.secret] : []),
          ...(gateway ? gateway.dependsOn : []),
          binding,
          ...(policy ? [policy] : []),
          ...(guard ? [guard] : []),
          growth,
          ...platform.readyForPods,
        ]),
        // The StatefulSet's replacement (a new volume size) keeps its pods (ops/storage-growth.ts).
        transforms: [orphanStatefulSet],
      },
    );

    // Alert rules and dashboards (monitoring/): they need only the namespace.
    createMonitoring(name, p, namespace, k8sOpts(inNamespace));

    // Ready = every object of the chart registered; the Kubernetes provider reports the
    // StatefulSet created only once its pods are ready (the readiness probe is
    // /healthz?js-server-only=true). The Output carries the chart's objects as dependencies.
    const ready = pulumi
      .all([chart.urn, chart.resources])
      .apply(([, resources]) =>
        pulumi.all(
          (resources ?? []).map((r: unknown) =>
            pulumi.CustomResource.isInstance(r) ? r.id : pulumi.Resource.isInstance(r) ? r.urn : String(r),
          ),
        ),
      );
    const servers = clientServers({
      plan: p,
      ready,
      kubeconfig: platform.kubeconfig,
      provider,
      parent: this,
    });
    const connection = connectionTo(servers);
    // After the departed pods are gone: their servers leave the JetStream meta group (ops/).
    if (systemAuth && p.jetstream)
      metaGroupTrim(p, systemConnection(p, connection, systemAuth), {
        parent: this,
      });

    const outputs: NatsClusterOutputs = {
      namespace,
      serviceName: pulumi.output(p.names.service),
      clientUrl: pulumi.output(p.clientUrls[0]),
      clientUrls: pulumi.output(p.clientUrls),
      monitoringUrl: pulumi.output(p.monitoringUrl),
      monitoringEndpoints: pulumi.output(p.monitoringEndpoints),
      credentialsSecretName: secret ? secret.metadata.name : pulumi.output(undefined),
      zones: pulumi.output(p.zones),
      replicas: pulumi.output(p.replicas),
      appUser: pulumi.output(p.auth?.appUser),
      appPassword: appPassword ?? pulumi.output(undefined),
      systemUser: pulumi.output(p.auth?.systemUser),
      systemPassword: systemPassword ?? pulumi.output(undefined),
      caCert: caCert ?? pulumi.output(undefined),
      storageClassName: pulumi.output(p.storage.className),
      kubernetesClusterName: platform.clusterName ?? pulumi.output(undefined),
      kubeconfig: platform.kubeconfig ? pulumi.secret(platform.kubeconfig) : pulumi.output(undefined),
      chartVersion: pulumi.output(p.chart.version),
      accessUrls: servers,
      connection: pulumi.secret(connection),
      gatewayName: pulumi.output(p.gateway?.name),
      gatewayUrl: gateway ? gateway.url : pulumi.output(undefined),
      leafUrl: pulumi.output(
        p.leafnodes
          ? `nats-leaf://${p.clientUrls[0].replace(/^\w+:\/\//, "").replace(/:4222$/, "")}:7422`
          : undefined,
      ),
      leafUser: pulumi.output(p.leafnodes?.user),
      leafPassword: leafPassword ?? pulumi.output(undefined),
      users: pulumi.secret(
        pulumi.all(
          Object.fromEntries(tenantUsers(p).map((u) => [u.name, connectionTo(servers, tenants[u.name], u)])),
        ),
      ),
      userSecretNames: pulumi.output(Object.fromEntries(tenantUsers(p).map((u) => [u.name, u.secretName]))),
    };
    Object.assign(this, outputs);
    this.registerOutputs(outputs);
    this.tenantUsers = tenantUsers(p).map((u) => u.name);
  }

  private readonly tenantUsers: string[] = [];

  /**
   * The `connection` of one user of `auth.accounts` (an entry of `users`):
   * a Stream, Consumer, KeyValue or ObjectStore given it is created in that
   * user's account. Secret.
   */
  userConnection(user: string): pulumi.Output<ConnectionArgs> {
    if (!this.tenantUsers.includes(user))
      throw new Error(
        `NatsCluster.userConnection: ${JSON.stringify(user)} is not a user of auth.accounts (users: ${this.tenantUsers.join(", ") || "none"}).`,
      );
    return pulumi.secret(this.users.apply((all) => all[user]));
  }
}
