// One stream through the dynamic provider (the compiled package in bin/):
// changing its storage while it holds messages is a refusal the user must see
// once, without a stack trace (tests/e2e/refusal-output.test.ts).
const pulumi = require("@pulumi/pulumi");
const { Stream } = require("../../../bin/sdk/jetstream");

const config = new pulumi.Config();
new Stream("events", {
  connection: { servers: config.require("url"), user: "app", password: config.requireSecret("password") },
  name: "REFUSED",
  subjects: ["refused.>"],
  storage: config.get("storage") || "file",
  maxAge: config.get("maxAge") || "1h",
});
