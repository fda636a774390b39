// JetStream assets only, against any NATS system you can reach: a URL and
// credentials (a .creds file, or user and password). Nothing else is created.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { Stream, Consumer, KeyValue, ObjectStore } from "pulumi-nats";
import type { ConnectionArgs } from "pulumi-nats";

const config = new pulumi.Config();

// `pulumi config set servers nats://host:4222` and either
// `pulumi config set --secret creds "$(cat user.creds)"` or user + password.
const credsFile = config.get("credsFile");
const connection: ConnectionArgs = {
  servers: config.require("servers").split(","),
  creds: credsFile ? pulumi.secret(fs.readFileSync(credsFile, "utf8")) : config.getSecret("creds"),
  user: config.get("user"),
  password: config.getSecret("password"),
  domain: config.get("domain"),
};
const replicas = config.getNumber("replicas") ?? 3;

const orders = new Stream("orders", {
  connection,
  name: "ORDERS",
  description: "Orders placed by the shop",
  subjects: ["orders.*"],
  retention: "limits",
  storage: "file",
  replicas,
  maxAge: "30d",
  maxBytes: "5GiB",
  duplicateWindow: "5m",
  discard: "old",
  metadata: { owner: "shop-team" },
});

// Work queue of shipments: each message is processed once, then removed.
const shipments = new Stream("shipments", {
  connection,
  name: "SHIPMENTS",
  subjects: ["shipments.>"],
  retention: "workqueue",
  replicas,
  maxAge: "7d",
});

const fulfilment = new Consumer("fulfilment", {
  connection,
  stream: orders,
  name: "fulfilment",
  filterSubjects: ["orders.placed"],
  ackPolicy: "explicit",
  ackWait: "1m",
  maxDeliver: 10,
  backoff: ["1m", "5m", "30m"],
  maxAckPending: 500,
});

const shipper = new Consumer("shipper", {
  connection,
  stream: shipments,
  name: "shipper",
  ackPolicy: "explicit",
  maxDeliver: 5,
});

const sessions = new KeyValue("sessions", {
  connection,
  bucket: "sessions",
  history: 1,
  ttl: "12h",
  replicas,
  storage: "memory",
});

const invoices = new ObjectStore("invoices", {
  connection,
  bucket: "invoices",
  description: "Invoice PDFs",
  replicas,
});

export const streams = [orders.name, shipments.name];
export const consumers = [fulfilment.name, shipper.name];
export const buckets = [sessions.bucket, invoices.bucket];
