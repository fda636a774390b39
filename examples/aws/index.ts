// NATS with JetStream on a new EKS cluster in a new VPC, one NATS node group per
// availability zone, and the tutorial's JetStream assets.
import * as pulumi from "@pulumi/pulumi";
import { NatsCluster, Stream, Consumer, KeyValue } from "pulumi-nats";

const config = new pulumi.Config();
const zones = config.getObject<string[]>("zones") ?? ["us-east-1a", "us-east-1b", "us-east-1c"];

const nats = new NatsCluster("events", {
  platform: {
    aws: {
      vpcCidr: "10.40.0.0/16",
      nodes: { instanceType: config.get("instanceType") ?? "m6i.xlarge", nodesPerZone: 1 },
    },
  },
  zones,
  replicas: 3,
  jetstream: { fileStorage: "20Gi", memoryStorage: "1Gi" },
  resources: "large",
  reclaimPolicy: "Retain",
  // `pulumi up` reaches NATS through a port-forward the program opens.
  access: { mode: "portForward" },
});

const events = new Stream("events", {
  connection: nats.connection,
  name: "EVENTS",
  subjects: ["events.>"],
  retention: "limits",
  maxAge: "7d",
  maxBytes: "10GiB",
  replicas: 3,
  storage: "file",
  discard: "old",
});

new Consumer("event-processor", {
  connection: nats.connection,
  stream: events,
  name: "event-processor",
  deliverPolicy: "all",
  ackPolicy: "explicit",
  maxDeliver: 5,
  ackWait: "30s",
});

new KeyValue("settings", { connection: nats.connection, bucket: "settings", history: 5, replicas: 3 });

export const kubeconfig = pulumi.secret(nats.kubeconfig);
export const clusterName = nats.kubernetesClusterName;
export const natsUrl = nats.clientUrl;
export const credentialsSecret = nats.credentialsSecretName;
export const zonesUsed = nats.zones;
