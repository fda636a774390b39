// The public API of pulumi-nats. Everything a user imports comes from here.
export const packageName = "nats";
export * from "./jetstream";
