// The super-cluster members rendered with the real chart (tests/cluster/rendered/*-gateway-*):
// the member args SuperCluster builds, with the addresses the gateway Services would get.
import type { SuperClusterMemberArgs } from "../../sdk/cluster/gateways/super-cluster";
import type { GatewayRemote } from "../../sdk/cluster/gateways/gateways";
import { GCP_ZONES, ZONES } from "./fixtures";

export const AWS_GATEWAY_HOST = "k8s-nats-eventsaw-0123456789-abcdef.elb.us-east-1.amazonaws.com";
export const GCP_GATEWAY_HOST = "10.20.0.7";

export const GATEWAY_RENDER: {
  key: string;
  args: SuperClusterMemberArgs;
  remotes: GatewayRemote[];
  advertise: string;
}[] = [
  {
    key: "aws",
    args: { platform: { aws: {} }, zones: ZONES, jetstream: { fileStorage: "20Gi" }, leafnodes: {} },
    remotes: [{ name: "gcp", urls: [`nats://${GCP_GATEWAY_HOST}:7222`] }],
    advertise: `${AWS_GATEWAY_HOST}:7222`,
  },
  {
    key: "gcp",
    args: {
      platform: { gcp: {} },
      zones: GCP_ZONES,
      jetstream: { fileStorage: "20Gi" },
      gateway: { expose: { type: "internalLoadBalancer" } },
    },
    remotes: [{ name: "aws", urls: [`nats://${AWS_GATEWAY_HOST}:7222`] }],
    advertise: `${GCP_GATEWAY_HOST}:7222`,
  },
];
