// The monitoring objects of objects.ts as Kubernetes resources of the component,
// created after the chart (the PrometheusRule's alerts read the chart's pods).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../plan/types";
import { monitoringObjects } from "./objects";

export function createMonitoring(
  name: string,
  p: ClusterPlan,
  namespace: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): void {
  const { rule, dashboards } = monitoringObjects(p);
  if (rule)
    new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      { ...rule, metadata: { ...rule.metadata, namespace } },
      opts,
    );
  for (const cm of dashboards)
    new k8s.core.v1.ConfigMap(
      `${name}-${cm.metadata.name.slice(p.names.release.length + 1)}`,
      {
        // The cluster's own namespace comes from the Namespace resource when the component creates it.
        metadata: {
          ...cm.metadata,
          namespace: cm.metadata.namespace === p.namespace ? namespace : cm.metadata.namespace,
        },
        data: cm.data,
      },
      opts,
    );
}
