// NATS with JetStream on a new regional GKE cluster, one node pool across three
// zones, pd-ssd volumes, and the tutorial's JetStream assets.
import * as pulumi from "@pulumi/pulumi";
import { NatsCluster, Stream, Consumer, KeyValue } from "pulumi-nats";

const config = new pulumi.Config();
const gcpConfig = new pulumi.Config("gcp");
const zones = config.getObject<string[]>("zones") ?? ["europe-west1-b", "europe-west1-c", "europe-west1-d"];

const nats = new NatsCluster("events", {
  platform: {
    gcp: {
      project: gcpConfig.get("project"),
      // GKE refuses to delete a protected cluster: before `pulumi destroy`, run
      // `pulumi config set deletionProtection false && pulumi up` (see README).
      deletionProtection: config.getBoolean("deletionProtection") ?? true,
      nodes: { machineType: config.get("machineType") ?? "n2-standard-4", nodesPerZone: 1 },
    },
  },
  zones,
  replicas: 3,
  jetstream: { fileStorage: "20Gi", memoryStorage: "1Gi" },
  resources: "large",
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
