// EKS from @pulumi/aws resources (no @pulumi/eks): the network (given subnets
// or a minimal VPC), the cluster (or an existing one), one managed node group
// per zone on that zone's subnet (EBS volumes are zonal: a group spanning zones
// could bring a pod up away from its volume), system nodes for cluster
// services, the EBS CSI driver through EKS Pod Identity, the gp3 StorageClass
// and a Kubernetes provider whose kubeconfig runs `aws eks get-token`.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/types";
import { grantEbsCsiKey } from "./kms";
import { createStorageClass } from "./storage";
import type { PlatformResult } from "./types";

const POLICY = "arn:aws:iam::aws:policy/";

function assumeRole(service: string, tagSession = false): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: tagSession ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole",
      },
    ],
  });
}

function role(
  name: string,
  service: string,
  policies: string[],
  tags: Record<string, string>,
  parent: pulumi.Resource,
  tagSession = false,
) {
  const r = new aws.iam.Role(name, { assumeRolePolicy: assumeRole(service, tagSession), tags }, { parent });
  const attachments = policies.map(
    (p) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${p.split("/").pop()}`,
        { role: r.name, policyArn: POLICY + p },
        { parent },
      ),
  );
  return { role: r, attachments };
}

/** A minimal production VPC: private subnets for nodes, public ones for the NAT gateway and load balancers. */
function createVpc(plan: ClusterPlan, parent: pulumi.Resource): Record<string, pulumi.Output<string>> {
  const a = plan.aws!;
  const v = a.vpc!;
  const n = plan.component;
  const tags = (extra: Record<string, string>) => ({ ...a.tags, ...extra });
  const vpc = new aws.ec2.Vpc(
    `${n}-vpc`,
    {
      cidrBlock: v.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tags({ Name: `${n}-nats` }),
    },
    { parent },
  );
  const igw = new aws.ec2.InternetGateway(`${n}-igw`, { vpcId: vpc.id, tags: a.tags }, { parent });
  const publicRt = new aws.ec2.RouteTable(
    `${n}-public`,
    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: a.tags },
    { parent },
  );
  const publicSubnets = plan.zones.map((z) => {
    const s = new aws.ec2.Subnet(
      `${n}-public-${z}`,
      {
        vpcId: vpc.id,
        availabilityZone: z,
        cidrBlock: v.publicSubnets[z],
        mapPublicIpOnLaunch: true,
        tags: tags({ Name: `${n}-public-${z}`, "kubernetes.io/role/elb": "1" }),
      },
      { parent },
    );
    new aws.ec2.RouteTableAssociation(
      `${n}-public-${z}`,
      { subnetId: s.id, routeTableId: publicRt.id },
      { parent },
    );
    return s;
  });
  // One NAT gateway keeps the cost down; nodes in other zones lose egress if its zone fails (pulls only).
  const eip = new aws.ec2.Eip(`${n}-nat`, { domain: "vpc", tags: a.tags }, { parent });
  const nat = new aws.ec2.NatGateway(
    `${n}-nat`,
    { allocationId: eip.id, subnetId: publicSubnets[0].id, tags: a.tags },
    { parent, dependsOn: [igw] },
  );
  const privateRt = new aws.ec2.RouteTable(
    `${n}-private`,
    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: a.tags },
    { parent },
  );
  const out: Record<string, pulumi.Output<string>> = {};
  for (const z of plan.zones) {
    const s = new aws.ec2.Subnet(
      `${n}-private-${z}`,
      {
        vpcId: vpc.id,
        availabilityZone: z,
        cidrBlock: v.privateSubnets[z],
        tags: tags({ Name: `${n}-private-${z}`, "kubernetes.io/role/internal-elb": "1" }),
      },
      { parent },
    );
    new aws.ec2.RouteTableAssociation(
      `${n}-private-${z}`,
      { subnetId: s.id, routeTableId: privateRt.id },
      { parent },
    );
    out[z] = s.id;
  }
  return out;
}

/** A kubeconfig that authenticates with `aws eks get-token` (the AWS CLI must be on PATH). */
export function eksKubeconfig(
  clusterName: pulumi.Input<string>,
  endpoint: pulumi.Input<string>,
  caData: pulumi.Input<string>,
  region: string,
): pulumi.Output<string> {
  return pulumi.all([clusterName, endpoint, caData]).apply(([name, server, ca]) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name, cluster: { server, "certificate-authority-data": ca } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      "current-context": name,
      users: [
        {
          name,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
              interactiveMode: "Never",
            },
          },
        },
      ],
    }),
  );
}

export function createAwsPlatform(plan: ClusterPlan, parent: pulumi.Resource): PlatformResult {
  const a = plan.aws!;
  const n = plan.component;
  const subnets: Record<string, pulumi.Input<string>> = a.subnetIds ?? createVpc(plan, parent);
  const allSubnets = plan.zones.map((z) => subnets[z]);

  let clusterName: pulumi.Output<string>;
  let endpoint: pulumi.Output<string>;
  let caData: pulumi.Output<string>;
  let cluster: aws.eks.Cluster | undefined;
  if (a.existingClusterName) {
    const existing = aws.eks.getClusterOutput({ name: a.existingClusterName }, { parent });
    clusterName = existing.name;
    endpoint = existing.endpoint;
    caData = existing.certificateAuthorities.apply((c) => c[0].data);
  } else {
    const clusterRole = role(
      `${n}-cluster`,
      "eks.amazonaws.com",
      ["AmazonEKSClusterPolicy"],
      a.tags,
      parent,
      true,
    );
    cluster = new aws.eks.Cluster(
      `${n}`,
      {
        roleArn: clusterRole.role.arn,
        version: a.kubernetesVersion,
        vpcConfig: { subnetIds: allSubnets, endpointPrivateAccess: true, endpointPublicAccess: true },
        // Access entries; the identity running `pulumi up` becomes cluster admin.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        tags: a.tags,
      },
      { parent, dependsOn: clusterRole.attachments },
    );
    clusterName = cluster.name;
    endpoint = cluster.endpoint;
    caData = cluster.certificateAuthority.apply((c) => c.data);
  }

  const nodeRole = role(
    `${n}-node`,
    "ec2.amazonaws.com",
    ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"],
    a.tags,
    parent,
  );
  const taint = plan.placement.taint!;
  // One zone at a time: each zone's group waits for the previous zone's, so the engine never
  // updates two groups at once (an AMI or instance change then drains one zone, then the next,
  // while `maxUnavailable: 1` and the PDB keep one NATS server down at a time within it).
  const natsGroups: aws.eks.NodeGroup[] = [];
  for (const z of plan.zones) {
    const previous = natsGroups.slice(-1);
    natsGroups.push(
      new aws.eks.NodeGroup(
        `${n}-${z}`,
        {
          clusterName,
          nodeRoleArn: nodeRole.role.arn,
          subnetIds: [subnets[z]],
          instanceTypes: [a.nodes.instanceType],
          diskSize: a.nodes.diskSizeGiB,
          scalingConfig: {
            desiredSize: a.nodes.nodesPerZone,
            minSize: a.nodes.nodesPerZone,
            maxSize: a.nodes.nodesPerZone + 1,
          },
          updateConfig: { maxUnavailable: 1 },
          labels: { ...plan.placement.nodeSelector },
          taints: [{ key: taint.key, value: taint.value, effect: "NO_SCHEDULE" }],
          tags: { ...a.tags, "pulumi-nats/zone": z },
        },
        { parent, dependsOn: [...nodeRole.attachments, ...previous] },
      ),
    );
  }
  const groups = [...natsGroups];
  if (a.systemNodes) {
    groups.push(
      new aws.eks.NodeGroup(
        `${n}-system`,
        {
          clusterName,
          nodeRoleArn: nodeRole.role.arn,
          subnetIds: allSubnets,
          instanceTypes: [a.systemNodes.instanceType],
          scalingConfig: {
            desiredSize: a.systemNodes.count,
            minSize: a.systemNodes.count,
            maxSize: a.systemNodes.count + 1,
          },
          // Not the NATS label key: a cluster named "system" must not select these nodes.
          labels: { "pulumi-nats/system": "true" },
          tags: a.tags,
        },
        { parent, dependsOn: nodeRole.attachments },
      ),
    );
  }

  const readyForPods: pulumi.Resource[] = [...groups];
  if (a.ebsCsiDriver) {
    const agent = new aws.eks.Addon(
      `${n}-pod-identity-agent`,
      { clusterName, addonName: "eks-pod-identity-agent", tags: a.tags },
      { parent, dependsOn: groups },
    );
    const csiRole = role(
      `${n}-ebs-csi`,
      "pods.eks.amazonaws.com",
      ["service-role/AmazonEBSCSIDriverPolicy"],
      a.tags,
      parent,
      true,
    );
    const keyPolicy = a.ebsKmsKeyId
      ? [grantEbsCsiKey(`${n}-ebs-csi-kms`, csiRole.role, a.ebsKmsKeyId, parent)]
      : [];
    readyForPods.push(
      new aws.eks.Addon(
        `${n}-ebs-csi`,
        {
          clusterName,
          addonName: "aws-ebs-csi-driver",
          podIdentityAssociations: [{ roleArn: csiRole.role.arn, serviceAccount: "ebs-csi-controller-sa" }],
          tags: a.tags,
        },
        { parent, dependsOn: [agent, ...csiRole.attachments, ...keyPolicy, ...groups] },
      ),
    );
  }

  const kubeconfig = eksKubeconfig(clusterName, endpoint, caData, a.region);
  const provider = new k8s.Provider(`${n}-k8s`, { kubeconfig }, { parent });
  const extra: Record<string, pulumi.Input<string>> = a.ebsKmsKeyId ? { kmsKeyId: a.ebsKmsKeyId } : {};
  readyForPods.push(createStorageClass(plan, extra, { parent, provider, dependsOn: readyForPods.slice() }));
  return { provider, kubeconfig, readyForPods, clusterName };
}
