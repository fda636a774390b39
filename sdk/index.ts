// The public API of pulumi-nats. Everything a user imports comes from here:
// the NatsCluster component (sdk/cluster) and the JetStream resources
// (sdk/jetstream).
//
// First, when the engine runs this package as the `nats` plugin
// (PulumiPlugin.yaml), serve the provider instead of Pulumi's experimental
// component host; a no-op whenever a program imports the package.
require("./provider/plugin-mode").startIfRunAsPlugin(module);

export const packageName = "nats";
export * from "./cluster";
export * from "./jetstream";
