// What a platform module hands back to the component.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface PlatformResult {
  /** The provider for every Kubernetes object; undefined = the ambient default provider. */
  provider: k8s.Provider | undefined;
  /** The kubeconfig the port-forward uses; undefined = the ambient one ($KUBECONFIG, ~/.kube/config). */
  kubeconfig: pulumi.Output<string> | undefined;
  /** Resources the NATS pods need before they can schedule and bind volumes (node groups, CSI driver). */
  readyForPods: pulumi.Resource[];
  /** The managed Kubernetes cluster's name (AWS/GCP). */
  clusterName: pulumi.Output<string> | undefined;
}
