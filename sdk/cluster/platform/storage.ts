// The JetStream StorageClass on AWS and GCP: zonal disks bound only once the
// pod is scheduled (WaitForFirstConsumer, so the volume is created in the
// pod's zone), expandable, and Retain by default so deleting a claim or the
// stack does not delete the data.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/types";

export function createStorageClass(
  plan: ClusterPlan,
  extraParameters: Record<string, pulumi.Input<string>>,
  opts: pulumi.CustomResourceOptions,
): k8s.storage.v1.StorageClass {
  const s = plan.storage;
  return new k8s.storage.v1.StorageClass(
    `${plan.component}-jetstream`,
    {
      metadata: { name: s.className },
      provisioner: s.provisioner!,
      parameters: { ...s.parameters, ...extraParameters },
      reclaimPolicy: s.reclaimPolicy,
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    },
    opts,
  );
}
