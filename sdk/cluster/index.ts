// The cluster's public exports (re-exported by sdk/index.ts).
export { NatsCluster } from "./component";
export type { NatsClusterOutputs } from "./component";
export * from "./args";
export * from "./tenancy-args";
export { ResourcePreset, PRESETS } from "./plan/presets";
export { NatsClusterArgsError } from "./errors";
export type { ArgsIssue } from "./errors";
export { plan, DEFAULT_CHART_VERSION, DEFAULT_CHART_REPOSITORY, NODE_LABEL, NODE_TAINT } from "./plan/plan";
export type { ClusterPlan } from "./plan/types";
export { checkChartKeys, KEYS_CHART_VERSION } from "./chart/keys";
export {
  SuperCluster,
  SuperClusterArgsError,
  checkSuperClusterArgs,
  memberArgs,
} from "./gateways/super-cluster";
export type { SuperClusterArgs, SuperClusterMemberArgs } from "./gateways/super-cluster";
export { placementIn, checkSuperCluster, GATEWAY_PORT, LEAFNODE_PORT } from "./gateways/gateways";
export type {
  GatewayArgs,
  GatewayExposeArgs,
  GatewayRemote,
  GatewayTlsArgs,
  LeafNodesArgs,
} from "./gateways/gateways";
export { NatsLeafNode, renderLeafConfig, planLeafNode } from "./gateways/leafnodes";
export type { NatsLeafNodeArgs, LeafConfigInput } from "./gateways/leafnodes";
