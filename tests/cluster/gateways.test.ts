// SuperCluster (an AWS and a GCP NatsCluster joined by gateways) under Pulumi
// mocks: each side's chart lists the OTHER side's gateway address, taken from
// that side's gateway Service output (not a constant), names are unique, TLS
// is on, the passwords are shared and stay secret. Plus the refusals:
// duplicate cluster names, gateways without TLS, mismatched accounts, server
// name clashes, and a placement outside the super-cluster.
import assert from "node:assert/strict";
import * as bcrypt from "bcryptjs";
import type { SuperClusterArgs } from "../../sdk/cluster/gateways/super-cluster";
import { checkSuperClusterArgs } from "../../sdk/cluster/gateways/super-cluster";
import { plan } from "../../sdk/cluster/plan/plan";
import { checkRemotes, placementIn } from "../../sdk/cluster/gateways/gateways";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { GCP_ZONES, ZONES } from "./fixtures";
import { buildCluster, dependencyNames, isSecret, plain, valueOf, type Build, type Captured } from "./mocks";

type SuperCluster = import("../../sdk/cluster/gateways/super-cluster").SuperCluster;

const ARGS: SuperClusterArgs = {
  clusters: {
    aws: { platform: { aws: {} }, zones: ZONES, jetstream: { fileStorage: "20Gi" } },
    gcp: {
      platform: { gcp: {} },
      zones: GCP_ZONES,
      jetstream: { fileStorage: "20Gi" },
      gateway: { expose: { type: "internalLoadBalancer" } },
    },
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function one(b: Build<unknown>, type: string, name: string): Captured {
  const found = b.captured.filter((c) => c.type === type && c.name === name);
  assert.equal(found.length, 1, `expected one ${type} ${name}, found ${found.length}`);
  return found[0];
}

describe("SuperCluster under mocks (AWS + GCP)", function () {
  this.timeout(30000);
  let b: Build<SuperCluster>;
  before(async () => {
    const { SuperCluster } = await import("../../sdk/cluster/gateways/super-cluster");
    b = await buildCluster((transformations) => new SuperCluster("events", ARGS, { transformations }));
  });

  it("creates two NatsClusters with distinct cluster names and server names", async () => {
    assert.deepEqual(Object.keys(b.value.clusters), ["aws", "gcp"]);
    assert.deepEqual(b.value.clusterNames, { aws: "aws", gcp: "gcp" });
    for (const k of ["aws", "gcp"]) {
      const v = (await plain(one(b, "kubernetes:helm.sh/v4:Chart", `events-${k}`).props.values)) as Any;
      assert.equal(v.fullnameOverride, `events-${k}`); // pods (and server names) events-<k>-0..2
      assert.equal(v.config.cluster.merge.name, k);
      assert.equal(v.config.gateway.merge.name, k);
      assert.equal(await valueOf(b.value.clusters[k].gatewayName), k);
    }
  });

  it("lists in each chart the other side's gateway address, from that side's gateway Service", async () => {
    const addr = {
      aws: "events-aws-gateway.lb.example.com",
      gcp: "events-gcp-gateway.lb.example.com",
    };
    for (const [self, other] of [
      ["aws", "gcp"],
      ["gcp", "aws"],
    ] as const) {
      const chart = one(b, "kubernetes:helm.sh/v4:Chart", `events-${self}`);
      const values = chart.props.values as Any;
      const gateways = values.config.gateway.merge.gateways;
      assert.deepEqual(await plain(gateways), [{ name: other, urls: [`nats://${addr[other]}:7222`] }]);
      assert.equal(await plain(values.config.gateway.merge.advertise), `${addr[self]}:7222`);
      // An Output carrying the other member's gateway Service, not a constant.
      assert.ok(
        (await dependencyNames(gateways)).includes(`kubernetes:core/v1:Service::events-${other}-gateway`),
        `the ${self} gateway list does not come from the ${other} gateway Service`,
      );
      assert.equal(await valueOf(b.value.clusters[other].gatewayUrl), `nats://${addr[other]}:7222`);
    }
  });

  it("creates each gateway Service before its chart, as a (internal) load balancer waiting only for its address", async () => {
    const aws = (await plain(one(b, "kubernetes:core/v1:Service", "events-aws-gateway").props)) as Any;
    const gcp = (await plain(one(b, "kubernetes:core/v1:Service", "events-gcp-gateway").props)) as Any;
    assert.equal(aws.spec.type, "LoadBalancer");
    assert.deepEqual(aws.spec.ports, [{ name: "gateway", port: 7222, targetPort: 7222, protocol: "TCP" }]);
    assert.deepEqual(aws.spec.selector, {
      "app.kubernetes.io/name": "nats",
      "app.kubernetes.io/instance": "events-aws",
      "app.kubernetes.io/component": "nats",
    });
    assert.equal(
      aws.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"],
      "internet-facing",
    );
    assert.equal(
      aws.metadata.annotations["pulumi.com/waitFor"],
      "jsonpath={.status.loadBalancer.ingress[0]}",
    );
    assert.equal(gcp.metadata.annotations["networking.gke.io/load-balancer-type"], "Internal");
    for (const k of ["aws", "gcp"]) {
      const deps = one(b, "kubernetes:helm.sh/v4:Chart", `events-${k}`).dependsOn;
      const names = await Promise.all(deps.map((d) => valueOf(d.urn)));
      assert.ok(
        names.some((u) => u.endsWith(`::events-${k}-gateway`)),
        `chart ${k} does not wait for its gateway Service`,
      );
      assert.ok(
        names.some((u) => u.endsWith(`::events-${k}-gateway-tls`)),
        `chart ${k} does not wait for its gateway TLS`,
      );
    }
  });

  it("turns TLS on for gateways, with certificates from one shared CA, for the exposed address", async () => {
    const cas = b.captured.filter((c) => c.type === "tls:index/selfSignedCert:SelfSignedCert");
    assert.deepEqual(
      cas.map((c) => c.name),
      ["events-gateway-ca"],
    );
    for (const k of ["aws", "gcp"]) {
      const v = (await plain(one(b, "kubernetes:helm.sh/v4:Chart", `events-${k}`).props.values)) as Any;
      assert.deepEqual(v.config.gateway.tls, {
        enabled: true,
        secretName: `events-${k}-gateway-tls`,
        merge: { ca_file: "/etc/nats-certs/gateway/ca.crt", verify: true, timeout: 5 },
      });
      assert.equal(v.config.gateway.merge.reject_unknown_cluster, true);
      const cert = one(b, "tls:index/locallySignedCert:LocallySignedCert", `events-${k}-gateway`)
        .props as Any;
      assert.equal(await plain(cert.caPrivateKeyPem), "KEY-events-gateway-ca");
      assert.ok(await isSecret(cert.caPrivateKeyPem), "the CA key must stay secret");
      const csr = (await plain(
        one(b, "tls:index/certRequest:CertRequest", `events-${k}-gateway`).props,
      )) as Any;
      assert.equal(csr.dnsNames[0], `events-${k}-gateway.lb.example.com`);
      const secret = one(b, "kubernetes:core/v1:Secret", `events-${k}-gateway-tls`).props as Any;
      assert.ok(await isSecret(secret.stringData["tls.key"]));
    }
  });

  it("shares one system and one app password, secret everywhere, and never in the chart values", async () => {
    const pws = b.captured.filter((c) => c.type === "random:index/randomPassword:RandomPassword");
    // Route passwords stay per member: routes never cross clusters.
    assert.deepEqual(pws.map((c) => c.name).sort(), [
      "events-app-password",
      "events-aws-route-password",
      "events-gcp-route-password",
      "events-system-password",
    ]);
    const includes: string[] = [];
    for (const k of ["aws", "gcp"]) {
      const secret = one(b, "kubernetes:core/v1:Secret", `events-${k}-credentials`).props as Any;
      assert.ok(await isSecret(secret.stringData["auth.conf"]));
      assert.ok(await isSecret(secret.stringData["app-password"]));
      includes.push((await plain(secret.stringData["auth.conf"])) as string);
      const values = JSON.stringify(
        await plain(one(b, "kubernetes:helm.sh/v4:Chart", `events-${k}`).props.values),
      );
      assert.ok(!values.includes("pweventsapppassword") && !values.includes("pweventssystempassword"));
      assert.ok(await isSecret(b.value.clusters[k].connection));
      assert.ok(await isSecret(b.value.clusters[k].appPassword));
      assert.equal(await valueOf(b.value.clusters[k].appPassword), "pweventsapppassword");
    }
    assert.equal(includes[0], includes[1]);
    assert.match(includes[0], /system_account: SYS/);
    assert.ok(await isSecret(b.value.appPassword));
    assert.ok(await isSecret(b.value.systemPassword));
  });

  it("gives placements in member clusters and refuses one outside", () => {
    assert.deepEqual(b.value.placement("aws"), { cluster: "aws" });
    assert.deepEqual(b.value.placement("gcp", ["az:europe-west1-b"]), {
      cluster: "gcp",
      tags: ["az:europe-west1-b"],
    });
    assert.throws(
      () => b.value.placement("azure"),
      /"azure" is not part of this super-cluster \(clusters: aws, gcp\)/,
    );
  });
});

describe("SuperCluster and gateway refusals", () => {
  const refuses = (args: SuperClusterArgs, ...expected: [string, RegExp][]) => {
    assert.throws(
      () => checkSuperClusterArgs("events", args),
      (err: Error & { issues?: { path: string; message: string }[] }) => {
        for (const [path, re] of expected)
          assert.ok(
            err.issues?.some((i) => i.path === path && re.test(i.message)),
            `no issue ${path} ~ ${re} in:\n${err.message}`,
          );
        return true;
      },
    );
  };

  it("refuses duplicate cluster names", () => {
    refuses(
      {
        clusters: {
          aws: { ...ARGS.clusters.aws, gateway: { name: "east" } },
          gcp: { ...ARGS.clusters.gcp, gateway: { name: "east" } },
        },
      },
      ["clusters.gcp.gateway.name", /duplicate cluster name "east" \(also aws\)/],
    );
  });

  it("refuses clashing server names (the same release name in both clusters)", () => {
    refuses(
      {
        clusters: {
          aws: { ...ARGS.clusters.aws, name: "nats" },
          gcp: { ...ARGS.clusters.gcp, name: "nats" },
        },
      },
      ["clusters.gcp.name", /server name "nats-0" is also used in aws/],
    );
  });

  it("refuses mismatched accounts and users, and passwords set per member", () => {
    refuses(
      {
        auth: { appAccount: "ORDERS" },
        clusters: {
          aws: ARGS.clusters.aws,
          gcp: { ...ARGS.clusters.gcp, auth: { appAccount: "BILLING", appPassword: "x".repeat(32) } },
        },
      },
      ["clusters.gcp.auth.appAccount", /"BILLING" differs from aws's "ORDERS"/],
      ["clusters.gcp.auth.appPassword", /set by SuperCluster/],
    );
    refuses(
      { clusters: { aws: ARGS.clusters.aws, gcp: { ...ARGS.clusters.gcp, auth: { enabled: false } } } },
      ["clusters", /auth is on in aws but off elsewhere/],
    );
  });

  it("refuses different JetStream domains, a single member, and member args errors with their path", () => {
    refuses(
      { clusters: { aws: ARGS.clusters.aws, gcp: { ...ARGS.clusters.gcp, jetstream: { domain: "gcp" } } } },
      ["clusters", /JetStream domains differ/],
    );
    refuses({ clusters: { aws: ARGS.clusters.aws } }, ["clusters", /at least two clusters/]);
    refuses({ clusters: { aws: { ...ARGS.clusters.aws, replicas: 4 }, gcp: ARGS.clusters.gcp } }, [
      "clusters.aws.replicas",
      /even/,
    ]);
  });

  it("refuses a gateway without TLS, and a bad exposure, on NatsCluster itself", () => {
    assert.throws(
      () =>
        plan("events", {
          platform: { aws: {} },
          zones: ZONES,
          gateway: { expose: { type: "address" }, remotes: [] },
        }),
      (err: NatsClusterArgsError) => {
        const paths = err.issues.map((i) => i.path);
        assert.deepEqual(paths, ["gateway.expose.address", "gateway.tls"]);
        assert.match(err.message, /gateway\.tls: is required: gateways carry every account's traffic/);
        return true;
      },
    );
  });

  it("checks the remote list a member receives", () => {
    assert.deepEqual(checkRemotes("aws", [{ name: "gcp", urls: ["nats://gw.example.com:7222"] }]), []);
    assert.deepEqual(
      checkRemotes("aws", [
        { name: "aws", urls: ["nats://a:7222"] },
        { name: "gcp", urls: [] },
        { name: "gcp", urls: ["gw.example.com"] },
      ]),
      [
        "lists itself (aws) as a remote gateway.",
        "gateway gcp has no URLs.",
        "lists the gateway gcp twice: cluster names must be unique.",
        'gateway gcp: "gw.example.com" is not a nats://host:port URL.',
      ],
    );
    assert.throws(() => placementIn(["aws", "gcp"], "azure"), /not part of this super-cluster/);
  });
});

describe("leaf nodes under mocks: a hub NatsCluster and a NatsLeafNode joining it", function () {
  this.timeout(30000);
  type Built = {
    hub: import("../../sdk/cluster/component").NatsCluster;
    leaf: import("../../sdk/cluster/gateways/leafnodes").NatsLeafNode;
  };
  let b: Build<Built>;
  before(async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    const { NatsLeafNode } = await import("../../sdk/cluster/gateways/leafnodes");
    b = await buildCluster((transformations) => {
      const hub = new NatsCluster(
        "hub",
        { platform: { aws: {} }, zones: ZONES, tls: { client: true }, leafnodes: {} },
        { transformations },
      );
      const leaf = new NatsLeafNode(
        "edge",
        {
          hub: {
            urls: hub.leafUrl.apply((u) => [u!]),
            user: hub.leafUser.apply((u) => u!),
            password: hub.leafPassword.apply((p) => p!),
            caCert: hub.caCert.apply((c) => c!),
          },
        },
        { transformations },
      );
      return { hub, leaf };
    });
  });

  it("opens the hub's leaf port with TLS and a leaf-only user whose password stays secret", async () => {
    const v = (await plain(one(b, "kubernetes:helm.sh/v4:Chart", "hub").props.values)) as Any;
    assert.deepEqual(v.config.leafnodes, {
      enabled: true,
      port: 7422,
      tls: { enabled: true, secretName: "hub-tls" },
    });
    const secret = one(b, "kubernetes:core/v1:Secret", "hub-credentials").props as Any;
    assert.ok(await isSecret(secret.stringData["leaf-password"]));
    const auth = (await plain(secret.stringData["auth.conf"])) as string;
    const leaf =
      /\{ user: "leaf", password: "(\$2a\$11\$[^"]+)", allowed_connection_types: \["LEAFNODE"\] \}/.exec(
        auth,
      );
    assert.ok(leaf, auth);
    assert.ok(
      bcrypt.compareSync("pwhubleafpassword", leaf[1]),
      "the include holds the leaf password's bcrypt hash",
    );
    assert.ok(!auth.includes("pwhub"));
    assert.ok(await isSecret(b.value.hub.leafPassword));
    assert.equal(await valueOf(b.value.hub.leafUrl), "nats-leaf://hub.nats.svc.cluster.local:7422");
  });

  it("gives the leaf its hub credentials through a Secret, never in the chart values", async () => {
    const secret = one(b, "kubernetes:core/v1:Secret", "edge-leaf").props as Any;
    assert.ok(await isSecret(secret.stringData["leaf.conf"]));
    const conf = (await plain(secret.stringData["leaf.conf"])) as string;
    assert.match(
      conf,
      /urls: \["nats-leaf:\/\/leaf:pwhubleafpassword@hub\.nats\.svc\.cluster\.local:7422"\], account: "APP", tls \{ ca_file: "\/etc\/nats-leaf\/ca\.crt" \}/,
    );
    const chart = one(b, "kubernetes:helm.sh/v4:Chart", "edge");
    const values = JSON.stringify(await plain(chart.props.values));
    assert.ok(!values.includes("pwhub") && !values.includes("pwedge"));
    assert.match(values, /"zz_leaf\$include":"\.\.\/nats-leaf\/leaf\.conf"/);
    assert.ok(await isSecret(b.value.leaf.localPassword));
  });
});

describe("a standalone NatsCluster gateway with a given address and your own TLS Secret", function () {
  this.timeout(30000);
  it("makes a ClusterIP gateway Service (no await), no certificate, and takes remotes as given", async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    const b = await buildCluster(
      (transformations) =>
        new NatsCluster(
          "edge",
          {
            platform: { kubernetes: { kubeconfig: "KUBECONFIG" } },
            zones: ["a", "b", "c"],
            gateway: {
              name: "onprem",
              expose: { type: "address", address: "gw.onprem.example.com" },
              tls: { secretName: "my-gateway-tls" },
              remotes: [{ name: "aws", urls: ["nats://gw.aws.example.com:7222"] }],
            },
          },
          { transformations },
        ),
    );
    const svc = (await plain(one(b, "kubernetes:core/v1:Service", "edge-gateway").props)) as Any;
    assert.equal(svc.spec.type, "ClusterIP");
    assert.equal(svc.metadata.annotations["pulumi.com/skipAwait"], "true");
    assert.equal(b.captured.filter((c) => c.type.startsWith("tls:")).length, 0);
    const v = (await plain(one(b, "kubernetes:helm.sh/v4:Chart", "edge").props.values)) as Any;
    assert.equal(v.config.gateway.tls.secretName, "my-gateway-tls");
    assert.deepEqual(v.config.gateway.merge.gateways, [
      { name: "aws", urls: ["nats://gw.aws.example.com:7222"] },
    ]);
    assert.equal(v.config.gateway.merge.advertise, "gw.onprem.example.com:7222");
    assert.equal(v.config.gateway.merge.name, "onprem");
    assert.equal(await valueOf(b.value.gatewayUrl), "nats://gw.onprem.example.com:7222");
  });
});
