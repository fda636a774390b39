// An existing Kubernetes cluster: nothing is created in any cloud. The user's
// provider is used as is, or a provider is made from the kubeconfig given;
// with neither, the ambient default provider and kubeconfig are used.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/types";
import type { PlatformResult } from "./types";

export function createKubernetesPlatform(plan: ClusterPlan, parent: pulumi.Resource): PlatformResult {
  const k = plan.kubernetes!;
  let provider = k.provider;
  const kubeconfig = k.kubeconfig === undefined ? undefined : pulumi.secret(pulumi.output(k.kubeconfig));
  if (!provider && kubeconfig)
    provider = new k8s.Provider(`${plan.component}-k8s`, { kubeconfig }, { parent });
  return { provider, kubeconfig, readyForPods: [], clusterName: undefined };
}
