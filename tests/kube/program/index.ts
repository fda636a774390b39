// The Pulumi program of the Kubernetes end-to-end tests (tests/kube/e2e.test.ts):
// a NatsCluster on the harness's control plane, platform `kubernetes`, with
// everything a test varies read from stack config. Passwords are given (the
// random plugin cannot be had here) and the certificate is a pre-made Secret
// (the tls plugin cannot either).
import * as pulumi from "@pulumi/pulumi";
import { NatsCluster, Stream, type NatsClusterArgs } from "../../../sdk";

const cfg = new pulumi.Config();
const tlsSecret = cfg.get("tlsSecret");
const args: NatsClusterArgs = {
  platform: {
    kubernetes: {
      kubeconfig: cfg.requireSecret("kubeconfig"),
      storageClassName: cfg.get("storageClass"),
      nodeSelector: cfg.getObject<Record<string, string>>("nodeSelector"),
      tolerations: cfg.getObject("tolerations"),
    },
  },
  zones: cfg.requireObject<string[]>("zones"),
  replicas: cfg.getNumber("replicas") ?? 3,
  namespace: cfg.require("namespace"),
  createNamespace: false,
  jetstream: { fileStorage: cfg.get("fileStorage") ?? "2Gi" },
  resources: (cfg.get("resources") ?? "small") as NatsClusterArgs["resources"],
  auth: {
    appPassword: cfg.requireSecret("appPassword"),
    systemPassword: cfg.requireSecret("systemPassword"),
    routePassword: cfg.requireSecret("routePassword"),
    // A tenant (docs/tenancy.md): account ACME with a JetStream quota and one user.
    accounts: cfg.get("tenantPassword")
      ? [
          {
            name: "ACME",
            jetstream: { maxFile: "1Gi", maxFileStreamBytes: "256Mi" },
            users: [{ name: "acme-app", password: cfg.requireSecret("tenantPassword") }],
          },
        ]
      : undefined,
  },
  tls: tlsSecret
    ? { client: true, routes: true, secretName: tlsSecret, caCert: cfg.requireSecret("caCert") }
    : undefined,
  chart: { repository: cfg.require("chartRepo"), values: cfg.getObject("chartValues") },
  access: { mode: "portForward", localPort: cfg.requireNumber("localPort") },
  readyTimeout: "2m",
};
// Another test file names its cluster otherwise: cluster-scoped objects carry the name.
const nats = new NatsCluster(cfg.get("name") ?? "events", args);

if (cfg.getBoolean("stream")) {
  new Stream("orders", {
    connection: nats.connection,
    name: "ORDERS",
    subjects: ["orders.>"],
    replicas: 3,
  });
  if (cfg.get("tenantPassword"))
    // In ACME's account, through its user's connection (the quota makes maxBytes required).
    new Stream("acme-orders", {
      connection: nats.userConnection("acme-app"),
      name: "ACME_ORDERS",
      subjects: ["acme.orders.>"],
      maxBytes: "128MiB",
      replicas: 3,
    });
}

export const namespace = nats.namespace;
export const serviceName = nats.serviceName;
export const credentialsSecretName = nats.credentialsSecretName;
export const accessUrls = nats.accessUrls;
export const zones = nats.zones;
export const userSecretNames = nats.userSecretNames;
