// The package's main job on a local default: the tutorial's JetStream assets
// (stream EVENTS, consumer event-processor, KV bucket settings) on the local
// 3-node cluster that `bash scripts/local-up.sh` starts. The root Pulumi.yaml
// runs this program; the same code works against any NATS URL.
import * as pulumi from "@pulumi/pulumi";
import { Stream, Consumer, KeyValue } from "pulumi-nats";

const config = new pulumi.Config();

// Where the cluster is: set by scripts/local-up.sh (`pulumi config set servers ...`).
const connection = {
  servers: config.require("servers").split(","),
  user: config.get("user") ?? "app",
  password: config.requireSecret("password"),
};
// Allow replacing assets that hold messages (off: such a change is refused at preview).
const allowDataLoss = config.getBoolean("allowDataLoss") ?? false;

const events = new Stream("events", {
  connection,
  allowDataLoss,
  name: "EVENTS",
  description: "Application events",
  subjects: ["events.>"],
  retention: "limits",
  // Try `pulumi config set eventsMaxAge 14d` (an update) or
  // `pulumi config set eventsStorage memory` (a replacement) and preview.
  maxAge: config.get("eventsMaxAge") ?? "7d",
  maxBytes: "10GiB",
  replicas: 3,
  storage: (config.get("eventsStorage") ?? "file") as "file" | "memory",
  discard: "old",
});

const processor = new Consumer("event-processor", {
  connection,
  stream: events,
  name: "event-processor",
  deliverPolicy: "all",
  ackPolicy: "explicit",
  maxDeliver: 5,
  ackWait: "30s",
});

const settings = new KeyValue("settings", {
  connection,
  allowDataLoss,
  bucket: "settings",
  history: 5,
  replicas: 3,
});

export const streamName = events.name;
export const consumerName = processor.name;
export const bucketName = settings.bucket;
export const streamMessages = events.info.apply((i) => i.messages ?? 0);
