// The components the package publishes: token, the class sdk/cluster exports
// (the plugin's construct instantiates it), and the interfaces of its args and
// outputs (the schema generator reads them). Add a row to publish another.
// No imports: the plugin reads this table at run time.
export const components = [
  {
    token: "nats:index:NatsCluster",
    className: "NatsCluster",
    args: { file: "sdk/cluster/args.ts", name: "NatsClusterArgs" },
    outputs: { file: "sdk/cluster/component.ts", name: "NatsClusterOutputs" },
    doc: "Production NATS with JetStream on Kubernetes (EKS, GKE or an existing cluster), deployed with the official nats Helm chart. Its `connection` output can be passed to the JetStream resources.",
  },
] as const;

export const COMPONENT_TOKEN = components[0].token;
