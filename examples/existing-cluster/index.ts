// NATS with JetStream on a Kubernetes cluster you already have: no cloud
// resource is created. Give the kubeconfig, the
// zones your nodes are in, the storage class and the nodes to use.
import * as pulumi from "@pulumi/pulumi";
import { NatsCluster, Stream, Consumer } from "pulumi-nats";
import type { ResourcePreset } from "pulumi-nats";

const config = new pulumi.Config();

const nats = new NatsCluster("events", {
  platform: {
    kubernetes: {
      // Required with port-forward access (`pulumi config set --secret kubeconfig "$(cat kubeconfig)"`):
      // the forward never follows the current kubectl context, which may point elsewhere later.
      kubeconfig: config.requireSecret("kubeconfig"),
      storageClassName: config.get("storageClass") ?? "premium-ssd",
      nodeSelector: config.getObject<Record<string, string>>("nodeSelector") ?? { workload: "nats" },
    },
  },
  zones: config.getObject<string[]>("zones") ?? ["zone-a", "zone-b", "zone-c"],
  replicas: 3,
  jetstream: { fileStorage: "50Gi" },
  resources: (config.get("preset") ?? "xlarge") as ResourcePreset,
  // From a CI runner inside the cluster's network, give the service URL instead:
  // access: { mode: "url", url: "nats://events.nats.svc:4222" },
  access: { mode: "portForward" },
});

const orders = new Stream("orders", {
  connection: nats.connection,
  name: "ORDERS",
  subjects: ["orders.>"],
  maxAge: "30d",
  replicas: 3,
});

new Consumer("billing", {
  connection: nats.connection,
  stream: orders,
  name: "billing",
  filterSubjects: ["orders.paid"],
  maxDeliver: 10,
});

export const natsUrl = nats.clientUrl;
export const monitoringUrl = nats.monitoringUrl;
export const credentialsSecret = nats.credentialsSecretName;
