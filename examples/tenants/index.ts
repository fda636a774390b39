// One NATS cluster, two tenants (docs/tenancy.md). ACME has JetStream with a
// quota and publishes orders; GLOBEX has no JetStream and receives ACME's
// orders under its own prefix through an export and an import. Each user gets
// a Secret `<name>-user-<user>` in the namespace; the streams are created in
// ACME's account through its user's connection.
import * as pulumi from "@pulumi/pulumi";
import { NatsCluster, Stream, Consumer } from "pulumi-nats";

const config = new pulumi.Config();

const nats = new NatsCluster("shared", {
  platform: {
    kubernetes: {
      kubeconfig: config.requireSecret("kubeconfig"),
      storageClassName: config.get("storageClass") ?? "premium-ssd",
    },
  },
  zones: config.getObject<string[]>("zones") ?? ["zone-a", "zone-b", "zone-c"],
  jetstream: { fileStorage: "50Gi" },
  auth: {
    accounts: [
      {
        name: "ACME",
        // A quota: 10Gi of file storage, at most 2Gi per stream, 20 streams.
        jetstream: { maxFile: "10Gi", maxFileStreamBytes: "2Gi", maxStreams: 20 },
        limits: { maxConnections: 200 },
        users: [
          // Manages ACME's streams (its connection goes to the Stream below).
          { name: "acme-app" },
          // A device: publishes telemetry only, authenticates with an nkey.
          {
            name: "acme-device",
            nkey: true,
            jetstreamApi: false,
            permissions: { publish: { allow: ["telemetry.>"] }, subscribe: { deny: [">"] } },
          },
        ],
        exports: [{ stream: "orders.>", accounts: ["GLOBEX"] }],
      },
      {
        name: "GLOBEX",
        // Core NATS only for this tenant.
        jetstream: { enabled: false },
        users: [{ name: "globex-app" }],
        imports: [{ account: "ACME", stream: "orders.>", prefix: "acme" }],
      },
    ],
  },
});

// Created in ACME's account: it counts against ACME's quota, and maxBytes is
// required there (the quota makes every stream set one).
const orders = new Stream("acme-orders", {
  connection: nats.userConnection("acme-app"),
  name: "ORDERS",
  subjects: ["orders.>"],
  maxBytes: "2GiB",
  maxAge: "7d",
  replicas: 3,
});

new Consumer("acme-billing", {
  connection: nats.userConnection("acme-app"),
  stream: orders,
  name: "billing",
  filterSubjects: ["orders.paid"],
});

/** The Secret of each user: account, user, password or nkey seed, URLs. */
export const userSecrets = nats.userSecretNames;
export const natsUrl = nats.clientUrl;
