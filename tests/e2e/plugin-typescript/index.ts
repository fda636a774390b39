// A TypeScript program whose JetStream resources are served by the nats
// plugin (pulumi-nats/plugin), for tests/e2e/plugin-typescript.test.ts.
import * as pulumi from "@pulumi/pulumi";
import { Stream, Consumer } from "../../../sdk/jetstream/plugin";

const config = new pulumi.Config();
const connection = {
  servers: config.require("servers"),
  user: "app",
  password: config.requireSecret("password"),
};
const orders = new Stream("orders", {
  connection,
  name: "ORDERS",
  subjects: ["orders.>"],
  storage: "file",
  replicas: 3,
  maxAge: config.get("ordersMaxAge") ?? "7d",
});
new Consumer("fulfilment", { connection, stream: orders, name: "fulfilment", ackWait: "30s" });
export const ordersStream = orders.name;
