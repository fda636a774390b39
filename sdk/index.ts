// The public API of pulumi-nats. Everything a user imports comes from here:
// the NatsCluster component (sdk/cluster) and the JetStream resources
// (sdk/jetstream).
export const packageName = "nats";
export * from "./cluster";
export * from "./jetstream";
