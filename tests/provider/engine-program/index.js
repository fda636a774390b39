// A program that uses the nats plugin the way an SDK generated from
// schema.json does: resources registered by type token, served by the plugin
// (sdk/provider/pulumi-resource-nats), not by a dynamic provider.
const pulumi = require("@pulumi/pulumi");

const config = new pulumi.Config();
const connection = {
  servers: [config.require("url")],
  user: "app",
  password: config.requireSecret("password"),
};
const name = config.get("streamName") || "VIA_PLUGIN";
const stream = new pulumi.CustomResource("nats:jetstream:Stream", "events", {
  connection,
  name,
  subjects: [`${name.toLowerCase()}.>`],
  maxAge: config.get("maxAge") || "1h",
  storage: config.get("storage"),
  allowDataLoss: config.getBoolean("allowDataLoss"),
  info: undefined,
});
const consumer = new pulumi.CustomResource("nats:jetstream:Consumer", "workers", {
  connection,
  stream: stream.name,
  name: "workers",
  info: undefined,
});

exports.streamName = stream.info.apply((i) => i.streamName);
exports.consumerStream = consumer.info.apply((i) => i.streamName);
exports.connection = stream.connection;
