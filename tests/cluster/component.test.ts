// The NatsCluster resource graph under Pulumi mocks, per platform: real
// inputs, parents and dependencies (captured by a transformation), outputs,
// and secrets. No cloud or cluster exists here: the mocks stand in for them.
import assert from "node:assert/strict";
import * as bcrypt from "bcryptjs";
import type * as pulumi from "@pulumi/pulumi";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { awsArgs, awsValues, GCP_ZONES, ZONES } from "./fixtures";
import {
  buildCluster,
  dependencyNames,
  isSecret,
  plain,
  urnOf,
  valueOf,
  type Build,
  type Captured,
} from "./mocks";

// Imported lazily, after the first setMocks, as the Pulumi SDK requires.
type Cluster = import("../../sdk/cluster/component").NatsCluster;
async function build(args: NatsClusterArgs, name = "events", preview = true): Promise<Build<Cluster>> {
  const { NatsCluster } = await import("../../sdk/cluster/component");
  return buildCluster((transformations) => new NatsCluster(name, args, { transformations }), { preview });
}

function only(b: Build<unknown>, type: string, name?: string): Captured {
  const found = b.captured.filter((c) => c.type === type && (name === undefined || c.name === name));
  assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0];
}

function all(b: Build<unknown>, type: string): Captured[] {
  return b.captured.filter((c) => c.type === type);
}

async function names(resources: pulumi.Resource[]): Promise<string[]> {
  const urns = await Promise.all(resources.map(urnOf));
  return urns.map((u) => u.slice(u.lastIndexOf("::") + 2)).sort();
}

describe("NatsCluster under mocks", function () {
  this.timeout(30000);

  describe("on AWS with 3 zones and existing subnets", () => {
    let b: Build<Cluster>;
    const subnetIds = { "us-east-1a": "subnet-a", "us-east-1b": "subnet-b", "us-east-1c": "subnet-c" };
    before(async () => {
      b = await build(awsArgs({ platform: { aws: { subnetIds, tags: { team: "platform" } } } }));
    });

    it("registers the component with its type token and parents every resource to it", async () => {
      assert.equal(b.registered[0].type, "nats:index:NatsCluster");
      for (const c of b.captured)
        assert.equal(c.parent, b.value, `${c.type} ${c.name} is not parented to the component`);
    });

    it("creates one node group per zone on that zone's subnet, labelled and tainted for NATS", async () => {
      const groups = all(b, "aws:eks/nodeGroup:NodeGroup").filter((g) => g.name !== "events-system");
      assert.deepEqual(groups.map((g) => g.name).sort(), [
        "events-us-east-1a",
        "events-us-east-1b",
        "events-us-east-1c",
      ]);
      for (const g of groups) {
        const zone = g.name.replace("events-", "");
        const p = (await plain(g.props)) as Record<string, unknown>;
        assert.deepEqual(p.subnetIds, [subnetIds[zone as keyof typeof subnetIds]]);
        assert.deepEqual(p.labels, { "pulumi-nats/pool": "events" });
        assert.deepEqual(p.taints, [
          { key: "pulumi-nats/dedicated", value: "events", effect: "NO_SCHEDULE" },
        ]);
        assert.deepEqual(p.instanceTypes, ["m6i.xlarge"]);
        assert.deepEqual(p.scalingConfig, { desiredSize: 1, minSize: 1, maxSize: 2 });
        assert.equal(p.clusterName, "events-eks");
        assert.deepEqual(p.tags, { team: "platform", "pulumi-nats/zone": zone });
      }
      const system = (await plain(only(b, "aws:eks/nodeGroup:NodeGroup", "events-system").props)) as Record<
        string,
        unknown
      >;
      assert.deepEqual(system.subnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
      assert.equal(system.taints, undefined);
      assert.deepEqual(system.labels, { "pulumi-nats/system": "true" });
    });

    it("creates no VPC when subnets are given, and an EKS cluster on them with API access entries", async () => {
      assert.equal(all(b, "aws:ec2/vpc:Vpc").length, 0);
      const c = (await plain(only(b, "aws:eks/cluster:Cluster").props)) as Record<
        string,
        Record<string, unknown>
      >;
      assert.deepEqual(c.vpcConfig.subnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
      assert.deepEqual(c.accessConfig, {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: true,
      });
    });

    it("installs the EBS CSI driver with a Pod Identity role, and a gp3 StorageClass after it", async () => {
      const addon = only(b, "aws:eks/addon:Addon", "events-ebs-csi");
      const p = (await plain(addon.props)) as Record<string, unknown>;
      assert.equal(p.addonName, "aws-ebs-csi-driver");
      const assoc = p.podIdentityAssociations as { serviceAccount: string }[];
      assert.equal(assoc[0].serviceAccount, "ebs-csi-controller-sa");
      assert.ok((await names(addon.dependsOn)).includes("events-pod-identity-agent"));
      const role = (await plain(only(b, "aws:iam/role:Role", "events-ebs-csi").props)) as {
        assumeRolePolicy: string;
      };
      assert.match(role.assumeRolePolicy, /pods\.eks\.amazonaws\.com/);
      assert.ok(
        all(b, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").some((a) =>
          a.name.endsWith("AmazonEBSCSIDriverPolicy"),
        ),
      );

      const sc = only(b, "kubernetes:storage.k8s.io/v1:StorageClass");
      assert.deepEqual(await plain(sc.props), {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "events-jetstream" },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true" },
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
      });
      assert.ok((await names(sc.dependsOn)).includes("events-ebs-csi"));
    });

    it("makes a Kubernetes provider whose kubeconfig runs `aws eks get-token`, and uses it for every object", async () => {
      const prov = only(b, "pulumi:providers:kubernetes");
      const kc = JSON.parse((await plain(prov.props.kubeconfig)) as string);
      assert.equal(kc.clusters[0].cluster.server, "https://EKS.example.com");
      assert.deepEqual(kc.users[0].user.exec.command, "aws");
      assert.deepEqual(kc.users[0].user.exec.args, [
        "eks",
        "get-token",
        "--cluster-name",
        "events-eks",
        "--region",
        "us-east-1",
        "--output",
        "json",
      ]);
      for (const c of b.captured.filter((x) => x.type.startsWith("kubernetes:")))
        assert.ok(c.provider, `${c.type} ${c.name} has no provider`);
    });

    it("deploys the pinned chart with exactly the planned values, after everything it needs", async () => {
      const chart = only(b, "kubernetes:helm.sh/v4:Chart");
      const p = (await plain(chart.props)) as Record<string, unknown>;
      assert.equal(p.chart, "nats");
      assert.equal(p.version, "2.14.2");
      assert.deepEqual(p.repositoryOpts, { repo: "https://nats-io.github.io/k8s/helm/charts/" });
      assert.equal(p.name, "events");
      assert.equal(p.namespace, "nats");
      assert.deepEqual(p.values, awsValues());
      const deps = await names(chart.dependsOn);
      for (const d of [
        "events-ns",
        "events-credentials",
        "events-node-reader",
        "events-us-east-1a",
        "events-us-east-1b",
        "events-us-east-1c",
        "events-system",
        "events-ebs-csi",
        "events-jetstream",
      ])
        assert.ok(deps.includes(d), `chart does not depend on ${d}: ${deps.join(", ")}`);
    });

    it("binds the chart's ServiceAccount to a ClusterRole that may only get nodes", async () => {
      const role = (await plain(
        only(b, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").props,
      )) as Record<string, unknown>;
      assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]);
      const binding = (await plain(
        only(b, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").props,
      )) as Record<string, unknown>;
      assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "events", namespace: "nats" }]);
      assert.deepEqual(binding.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "nats-events-node-reader",
      });
    });

    it("puts a NetworkPolicy before the chart: routes and monitoring from the cluster's own pods only", async () => {
      const np = only(b, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "events-ingress");
      const own = {
        "app.kubernetes.io/component": "nats",
        "app.kubernetes.io/instance": "events",
        "app.kubernetes.io/name": "nats",
      };
      assert.deepEqual(await plain(np.props), {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "events-ingress", namespace: "nats" },
        spec: {
          podSelector: { matchLabels: own },
          policyTypes: ["Ingress"],
          ingress: [
            { ports: [{ protocol: "TCP", port: 4222 }] },
            {
              ports: [
                { protocol: "TCP", port: 6222 },
                { protocol: "TCP", port: 8222 },
              ],
              from: [{ podSelector: { matchLabels: own } }],
            },
          ],
        },
      });
      const chart = only(b, "kubernetes:helm.sh/v4:Chart");
      assert.ok((await names(chart.dependsOn)).includes("events-ingress"));
    });

    it("stores generated passwords in the credentials Secret as secrets, with the server's include file", async () => {
      const pw = all(b, "random:index/randomPassword:RandomPassword");
      // system, app, and the routes' own password.
      assert.deepEqual(
        pw.map((p) => p.name),
        ["events-system-password", "events-app-password", "events-route-password"],
      );
      for (const p of pw) assert.deepEqual(await plain(p.props), { length: 32, special: false });
      const s = only(b, "kubernetes:core/v1:Secret", "events-credentials");
      const data = s.props.stringData as Record<string, unknown>;
      for (const k of ["auth.conf", "routes.conf", "app-password", "system-password"])
        assert.ok(await isSecret(data[k]), `${k} is not secret`);
      const p = (await plain(s.props)) as { metadata: unknown; stringData: Record<string, string> };
      assert.deepEqual(p.metadata, { name: "events-credentials", namespace: "nats" });
      assert.equal(p.stringData["app-user"], "app");
      assert.equal(p.stringData["app-password"], "pweventsapppassword");
      // The include holds the bcrypt hash of the password, never the password.
      const app =
        /APP \{\n {4}jetstream: enabled\n {4}users: \[ \{ user: "app", password: "(\$2a\$11\$[^"]+)" \} \]/.exec(
          p.stringData["auth.conf"],
        );
      assert.ok(app, p.stringData["auth.conf"]);
      assert.ok(bcrypt.compareSync("pweventsapppassword", app[1]));
      assert.ok(!p.stringData["auth.conf"].includes("pwevents"));
      assert.match(p.stringData["auth.conf"], /system_account: SYS/);
      // Servers log in to each other's route port with the route user; no other server can.
      assert.match(
        p.stringData["routes.conf"],
        /authorization \{ user: "route", password: "pweventsroutepassword" \}\nroutes: \[ "nats:\/\/route:pweventsroutepassword@events-0\.events-headless:6222", /,
      );
      // The ConfigMap (rendered from values) never holds a password.
      assert.doesNotMatch(JSON.stringify(awsValues()), /pwevents/);
    });

    it("outputs names, URLs, zones and secret passwords", async () => {
      const c = b.value;
      assert.equal(await valueOf(c.namespace), "nats");
      assert.equal(await valueOf(c.serviceName), "events");
      assert.equal(await valueOf(c.clientUrl), "nats://events.nats.svc.cluster.local:4222");
      assert.deepEqual(await valueOf(c.clientUrls), [
        "nats://events.nats.svc.cluster.local:4222",
        "nats://events-0.events-headless.nats.svc.cluster.local:4222",
        "nats://events-1.events-headless.nats.svc.cluster.local:4222",
        "nats://events-2.events-headless.nats.svc.cluster.local:4222",
      ]);
      assert.equal(await valueOf(c.monitoringUrl), "http://events-headless.nats.svc.cluster.local:8222");
      assert.deepEqual(await valueOf(c.monitoringEndpoints), {
        service: "events-headless",
        port: 8222,
        portName: "monitor",
      });
      assert.equal(await valueOf(c.credentialsSecretName), "events-credentials");
      assert.deepEqual(await valueOf(c.zones), ZONES);
      assert.equal(await valueOf(c.storageClassName), "events-jetstream");
      assert.equal(await valueOf(c.kubernetesClusterName), "events-eks");
      assert.equal(await valueOf(c.chartVersion), "2.14.2");
      for (const o of [c.appPassword, c.systemPassword, c.kubeconfig, c.connection])
        assert.ok(await isSecret(o));
      assert.equal(await isSecret(c.clientUrl), false);
      assert.equal(await isSecret(c.accessUrls), false);
      assert.deepEqual(await valueOf(c.accessUrls), (await valueOf(c.connection)).servers);
    });

    it("outputs a connection (port-forward URL, app user) that depends on the chart", async () => {
      const conn = await valueOf(b.value.connection);
      assert.match(String((conn.servers as string[])[0]), /^nats:\/\/127\.0\.0\.1:1[45]\d{3}$/);
      const port = Number(/:(\d+)$/.exec(String((conn.servers as string[])[0]))![1]);
      assert.deepEqual(
        { ...conn, servers: undefined },
        {
          servers: undefined,
          user: "app",
          password: "pweventsapppassword",
          readyTimeout: "5m",
          // The provider reopens the same forward itself (refresh and destroy do not run the program).
          portForward: {
            namespace: "nats",
            labelSelector:
              "app.kubernetes.io/name=nats,app.kubernetes.io/instance=events,app.kubernetes.io/component=nats",
            remotePort: 4222,
            localPort: port,
            cluster: "events",
            // The forward belongs to this stack and release only (port-forward/identity.ts).
            release: "events",
            stack: "project/stack",
          },
          kubeconfig: conn.kubeconfig,
        },
      );
      assert.match(String(conn.kubeconfig), /"command":"aws","args":\["eks","get-token"/);
      const deps = await dependencyNames(b.value.connection);
      assert.ok(deps.includes("kubernetes:helm.sh/v4:Chart::events"), deps.join(", "));
    });
  });

  it("on AWS without subnets, creates a VPC with a private subnet per zone for the node groups", async () => {
    const b = await build(awsArgs());
    const priv = all(b, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private"));
    const cidrs = await Promise.all(
      priv.map(async (s) => [s.name, ((await plain(s.props)) as { cidrBlock: string }).cidrBlock]),
    );
    assert.deepEqual(Object.fromEntries(cidrs), {
      "events-private-us-east-1a": "10.0.0.0/20",
      "events-private-us-east-1b": "10.0.16.0/20",
      "events-private-us-east-1c": "10.0.32.0/20",
    });
    assert.equal(all(b, "aws:ec2/natGateway:NatGateway").length, 1);
    for (const z of ZONES) {
      const g = (await plain(only(b, "aws:eks/nodeGroup:NodeGroup", `events-${z}`).props)) as {
        subnetIds: string[];
      };
      assert.deepEqual(g.subnetIds, [`events-private-${z}-id`]);
    }
  });

  it("on an existing EKS cluster, adds node groups but no cluster, VPC, system nodes or CSI add-on", async () => {
    const b = await build(
      awsArgs({
        platform: {
          aws: {
            existingClusterName: "prod",
            subnetIds: { "us-east-1a": "a", "us-east-1b": "b", "us-east-1c": "c" },
          },
        },
      }),
    );
    assert.equal(all(b, "aws:eks/cluster:Cluster").length, 0);
    assert.equal(all(b, "aws:ec2/vpc:Vpc").length, 0);
    assert.equal(all(b, "aws:eks/addon:Addon").length, 0);
    const groups = all(b, "aws:eks/nodeGroup:NodeGroup");
    assert.deepEqual(groups.map((g) => g.name).sort(), [
      "events-us-east-1a",
      "events-us-east-1b",
      "events-us-east-1c",
    ]);
    assert.equal(((await plain(groups[0].props)) as { clusterName: string }).clusterName, "prod");
  });

  describe("on GCP with 3 zones", () => {
    let b: Build<Cluster>;
    before(async () => {
      b = await build(awsArgs({ platform: { gcp: { project: "acme" } }, zones: GCP_ZONES }));
    });

    it("creates one NATS node pool whose node locations are the 3 zones, and a system pool", async () => {
      const pool = (await plain(only(b, "gcp:container/nodePool:NodePool", "events-nats").props)) as Record<
        string,
        unknown
      >;
      assert.deepEqual(pool.nodeLocations, GCP_ZONES);
      assert.equal(pool.nodeCount, 1);
      assert.equal(pool.location, "europe-west1");
      assert.equal(pool.cluster, "events-gke");
      const nc = pool.nodeConfig as Record<string, unknown>;
      assert.equal(nc.machineType, "n2-standard-4");
      assert.deepEqual(nc.labels, { "pulumi-nats/pool": "events" });
      assert.deepEqual(nc.taints, [{ key: "pulumi-nats/dedicated", value: "events", effect: "NO_SCHEDULE" }]);
      assert.equal(all(b, "gcp:container/nodePool:NodePool").length, 2);
      const cluster = (await plain(only(b, "gcp:container/cluster:Cluster").props)) as Record<
        string,
        unknown
      >;
      assert.equal(cluster.location, "europe-west1");
      assert.equal(cluster.removeDefaultNodePool, true);
    });

    it("creates a pd-ssd StorageClass after the pools, a gke-gcloud-auth-plugin provider, and no AWS resource", async () => {
      const sc = only(b, "kubernetes:storage.k8s.io/v1:StorageClass");
      const p = (await plain(sc.props)) as Record<string, unknown>;
      assert.equal(p.provisioner, "pd.csi.storage.gke.io");
      assert.deepEqual(p.parameters, { type: "pd-ssd" });
      assert.equal(p.volumeBindingMode, "WaitForFirstConsumer");
      assert.equal(p.allowVolumeExpansion, true);
      assert.equal(p.reclaimPolicy, "Retain");
      assert.deepEqual(await names(sc.dependsOn), ["events-nats", "events-system"]);
      const kc = JSON.parse((await plain(only(b, "pulumi:providers:kubernetes").props.kubeconfig)) as string);
      assert.equal(kc.users[0].user.exec.command, "gke-gcloud-auth-plugin");
      assert.equal(kc.clusters[0].cluster.server, "https://203.0.113.10");
      assert.equal(b.captured.filter((c) => c.type.startsWith("aws:")).length, 0);
    });
  });

  describe("on an existing Kubernetes cluster", () => {
    it("creates no cloud resource and no StorageClass, using the kubeconfig given", async () => {
      const b = await build(
        awsArgs({
          platform: {
            kubernetes: { kubeconfig: "apiVersion: v1\nkind: Config\n", storageClassName: "standard" },
          },
          reclaimPolicy: "Delete",
        }),
      );
      assert.deepEqual(
        b.captured.filter((c) => /^(aws|gcp):/.test(c.type)),
        [],
      );
      assert.equal(all(b, "kubernetes:storage.k8s.io/v1:StorageClass").length, 0);
      const prov = only(b, "pulumi:providers:kubernetes");
      assert.ok(await isSecret(prov.props.kubeconfig));
      const types = [...new Set(b.captured.map((c) => c.type))].sort();
      assert.deepEqual(types, [
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:Secret",
        "kubernetes:helm.sh/v4:Chart",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        // Scale-down safety and volume growth (sdk/cluster/ops, tests/cluster/ops.test.ts).
        "pulumi-nodejs:dynamic/cluster:MetaGroupTrim",
        "pulumi-nodejs:dynamic/cluster:ScaleDownGuard",
        "pulumi-nodejs:dynamic/cluster:VolumeGrowth",
        "pulumi:providers:kubernetes",
        "random:index/randomPassword:RandomPassword",
      ]);
      assert.equal(await valueOf(b.value.kubernetesClusterName), undefined);
    });

    it("uses the provider given, the namespace as is when not created, and a user URL", async () => {
      const k8s = await import("@pulumi/kubernetes");
      let provider: pulumi.ProviderResource | undefined;
      const { NatsCluster } = await import("../../sdk/cluster/component");
      const b = await buildCluster((transformations) => {
        provider = new k8s.Provider("mine", {});
        return new NatsCluster(
          "events",
          awsArgs({
            platform: { kubernetes: { provider: provider as never } },
            createNamespace: false,
            namespace: "shared",
            access: { mode: "url", url: "nats://nats.vpn.example.com:4222" },
          }),
          { transformations },
        );
      });
      assert.equal(all(b, "pulumi:providers:kubernetes").length, 0);
      assert.equal(all(b, "kubernetes:core/v1:Namespace").length, 0);
      assert.equal(only(b, "kubernetes:helm.sh/v4:Chart").provider, provider);
      const conn = await valueOf(b.value.connection);
      assert.deepEqual(conn.servers, ["nats://nats.vpn.example.com:4222"]);
      assert.equal(await valueOf(b.value.namespace), "shared");
    });
  });

  it("with generated TLS: a CA, a server certificate for the Service, pods and 127.0.0.1, a tls Secret, and the CA in the connection", async () => {
    const b = await build(
      awsArgs({ tls: { client: true, routes: true, extraDnsNames: ["nats.example.com"] } }),
    );
    const csr = (await plain(only(b, "tls:index/certRequest:CertRequest").props)) as {
      dnsNames: string[];
      ipAddresses: string[];
    };
    assert.deepEqual(csr.ipAddresses, ["127.0.0.1"]);
    for (const n of [
      "events.nats.svc.cluster.local",
      "*.events-headless",
      "*.events-headless.nats.svc.cluster.local",
      "localhost",
      "nats.example.com",
    ])
      assert.ok(csr.dnsNames.includes(n), n);
    const cert = (await plain(only(b, "tls:index/locallySignedCert:LocallySignedCert").props)) as {
      allowedUses: string[];
    };
    assert.deepEqual(cert.allowedUses, [
      "digital_signature",
      "key_encipherment",
      "server_auth",
      "client_auth",
    ]);
    const s = only(b, "kubernetes:core/v1:Secret", "events-tls");
    assert.ok(await isSecret((s.props.stringData as Record<string, unknown>)["tls.key"]));
    const sp = (await plain(s.props)) as { type: string; metadata: { name: string } };
    assert.equal(sp.type, "kubernetes.io/tls");
    assert.equal(sp.metadata.name, "events-tls");
    const conn = await valueOf(b.value.connection);
    assert.match(String((conn.servers as string[])[0]), /^tls:\/\/127\.0\.0\.1:/);
    assert.deepEqual(conn.tls, { ca: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n" });
    assert.ok((await names(only(b, "kubernetes:helm.sh/v4:Chart").dependsOn)).includes("events-tls"));
  });

  it("with an internal load balancer, reads the Service after the chart and connects to its address", async () => {
    const b = await build(awsArgs({ service: { type: "InternalLoadBalancer" } }));
    const conn = await valueOf(b.value.connection);
    assert.deepEqual(conn.servers, ["nats://internal-lb.example.com:4222"]);
    const read = b.registered.find((r) => r.type === "kubernetes:core/v1:Service");
    assert.ok(read, "the Service was not read");
  });

  it("with auth off, creates no passwords or credentials Secret, and a connection without a user", async () => {
    const b = await build(
      awsArgs({ auth: { enabled: false }, platform: { kubernetes: { kubeconfig: "apiVersion: v1" } } }),
    );
    assert.equal(all(b, "random:index/randomPassword:RandomPassword").length, 0);
    assert.equal(all(b, "kubernetes:core/v1:Secret").length, 0);
    const conn = await valueOf(b.value.connection);
    assert.equal(conn.user, undefined);
    assert.equal(await valueOf(b.value.credentialsSecretName), undefined);
  });

  it("refuses bad args before registering anything", async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    const { NatsClusterArgsError } = await import("../../sdk/cluster/errors");
    let b: Build<unknown> | undefined;
    await assert.rejects(async () => {
      b = await buildCluster(
        (t) => new NatsCluster("events", awsArgs({ replicas: 4 }), { transformations: t }),
      );
    }, NatsClusterArgsError);
    assert.equal(b, undefined);
  });
});

// The JetStream resources' side of readiness: a Stream given `connection`
// must be registered with the chart among its dependencies, which is what
// makes the engine create it after the cluster and delete it before. The
// engine sees dependencies in the registration request, so the mock monitor's
// registerResource is wrapped to read them.
describe("a Stream given NatsCluster.connection", function () {
  this.timeout(30000);

  it("is registered with the chart (and so its objects) as a dependency", async () => {
    const pulumiSdk = await import("@pulumi/pulumi");
    const { NatsCluster } = await import("../../sdk/cluster/component");
    const { Stream } = await import("../../sdk/jetstream");
    const deps: Record<string, string[]> = {};
    let chartUrn: pulumi.Output<string> | undefined;
    await buildCluster(() => {
      const monitor = pulumiSdk.runtime.getMonitor() as unknown as {
        registerResource: (req: RegisterRequest, cb: unknown) => unknown;
      };
      const original = monitor.registerResource.bind(monitor);
      monitor.registerResource = (req, cb) => {
        const all = new Set(req.getDependenciesList());
        req.getPropertydependenciesMap().forEach((v) => v.getUrnsList().forEach((u) => all.add(u)));
        deps[`${req.getType()}::${req.getName()}`] = [...all];
        return original(req, cb);
      };
      const nats = new NatsCluster(
        "events",
        awsArgs({ platform: { kubernetes: { kubeconfig: "apiVersion: v1" } } }),
      );
      chartUrn = nats.urn.apply((u) =>
        u.replace(
          "nats:index:NatsCluster::events",
          "nats:index:NatsCluster$kubernetes:helm.sh/v4:Chart::events",
        ),
      );
      return new Stream("orders", {
        connection: nats.connection,
        name: "ORDERS",
        subjects: ["orders.>"],
      } as never);
    });
    const stream = Object.entries(deps).find(([k]) => k.endsWith("::orders"));
    assert.ok(stream, `the Stream was not registered: ${Object.keys(deps).join(", ")}`);
    assert.ok(stream[1].includes(await valueOf(chartUrn!)), `Stream dependencies: ${stream[1].join(", ")}`);
  });
});

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(f: (v: { getUrnsList(): string[] }) => void): void };
}
