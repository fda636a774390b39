// The cluster's public exports (re-exported by sdk/index.ts).
export { NatsCluster } from "./component";
export type { NatsClusterOutputs } from "./component";
export * from "./args";
export { ResourcePreset, PRESETS } from "./presets";
export { NatsClusterArgsError } from "./errors";
export type { ArgsIssue } from "./errors";
export { plan, DEFAULT_CHART_VERSION, DEFAULT_CHART_REPOSITORY, NODE_LABEL, NODE_TAINT } from "./plan";
export type { ClusterPlan } from "./plan-types";
export { checkChartKeys, KEYS_CHART_VERSION } from "./chart-keys";
export { SuperCluster, SuperClusterArgsError, checkSuperClusterArgs, memberArgs } from "./super-cluster";
export type { SuperClusterArgs, SuperClusterMemberArgs } from "./super-cluster";
export { placementIn, checkSuperCluster, GATEWAY_PORT, LEAFNODE_PORT } from "./gateways";
export type {
  GatewayArgs,
  GatewayExposeArgs,
  GatewayRemote,
  GatewayTlsArgs,
  LeafNodesArgs,
} from "./gateways";
export { NatsLeafNode, renderLeafConfig, planLeafNode } from "./leafnodes";
export type { NatsLeafNodeArgs, LeafConfigInput } from "./leafnodes";
