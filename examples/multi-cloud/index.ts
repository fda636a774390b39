// One NATS system across two clouds: a 3-server cluster on EKS and one on GKE,
// joined by gateways (mutual TLS from one CA, shared accounts and passwords)
// into a super-cluster. Orders are stored in AWS, where they are produced, and
// mirrored into GCP for disaster recovery.
import * as pulumi from "@pulumi/pulumi";
import { Consumer, Stream, SuperCluster } from "pulumi-nats";

const config = new pulumi.Config();
const gcpConfig = new pulumi.Config("gcp");
// Restrict who may reach the gateway load balancers (both clouds honour this annotation).
const sourceRanges = config.get("gatewaySourceRanges");
const annotations = sourceRanges
  ? { "service.beta.kubernetes.io/load-balancer-source-ranges": sourceRanges }
  : undefined;

const nats = new SuperCluster("events", {
  // Accounts and users are the same in both clouds; passwords are generated once.
  auth: { appAccount: "APP", appUser: "app" },
  clusters: {
    // Cluster (gateway) names are the keys; Kubernetes names are events-aws / events-gcp.
    aws: {
      platform: { aws: { vpcCidr: "10.40.0.0/16" } },
      zones: config.getObject<string[]>("awsZones") ?? ["us-east-1a", "us-east-1b", "us-east-1c"],
      jetstream: { fileStorage: "20Gi" },
      resources: "large",
      // The gateway (7222) behind a public NLB; the other cloud dials its address.
      gateway: { expose: { type: "loadBalancer", annotations } },
    },
    gcp: {
      // Deletion protection stays on (the default); see README, "Tear it down".
      platform: {
        gcp: {
          project: gcpConfig.get("project"),
          deletionProtection: config.getBoolean("gcpDeletionProtection") ?? true,
        },
      },
      zones: config.getObject<string[]>("gcpZones") ?? ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
      jetstream: { fileStorage: "20Gi" },
      resources: "large",
      gateway: { expose: { type: "loadBalancer", annotations } },
    },
  },
});

const aws = nats.clusters.aws;
const gcp = nats.clusters.gcp;

// The stream lives in AWS (3 replicas in 3 AWS zones) ...
const orders = new Stream("orders", {
  connection: aws.connection,
  name: "ORDERS",
  subjects: ["orders.>"],
  retention: "limits",
  maxAge: "30d",
  maxBytes: "10GiB",
  replicas: 3,
  storage: "file",
  placement: nats.placement("aws"),
});

// ... and its mirror in GCP, fed across the gateway, readable if AWS is down.
const ordersDr = new Stream(
  "orders-dr",
  {
    connection: gcp.connection,
    name: "ORDERS_DR",
    mirror: { name: "ORDERS" },
    retention: "limits",
    maxAge: "30d",
    maxBytes: "10GiB",
    replicas: 3,
    storage: "file",
    placement: nats.placement("gcp"),
  },
  { dependsOn: [orders] },
);

// A reader in GCP made ahead of time: it keeps working while AWS is unreachable
// (a new consumer needs the JetStream meta group's quorum, see the README).
new Consumer("orders-dr-reader", {
  connection: gcp.connection,
  stream: ordersDr,
  name: "dr-reader",
  deliverPolicy: "all",
  ackPolicy: "explicit",
});

export const gatewayUrls = { aws: aws.gatewayUrl, gcp: gcp.gatewayUrl };
export const clientUrls = { aws: aws.clientUrl, gcp: gcp.clientUrl };
export const credentialsSecrets = { aws: aws.credentialsSecretName, gcp: gcp.credentialsSecretName };
export const gatewayCaCert = nats.gatewayCaCert;
