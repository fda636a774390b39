// How the program running `pulumi up` reaches NATS, as the `servers` of the
// `connection` output. Every mode resolves only after `ready` (the chart's
// objects created, the StatefulSet's pods ready), and the Output carries the
// chart's resources as dependencies, so JetStream resources that take the
// connection are created after the cluster and deleted before it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "./plan/types";
import { ensurePortForward } from "../port-forward/port-forward";
import type { PortForwardArgs } from "../jetstream/connection-args";

export interface AccessContext {
  plan: ClusterPlan;
  /** Resolves once the chart's objects exist and are ready; carries them as dependencies. */
  ready: pulumi.Output<unknown>;
  kubeconfig: pulumi.Output<string> | undefined;
  provider: k8s.Provider | undefined;
  parent: pulumi.Resource;
}

/** The label selector of the NATS server pods (the chart's selector labels). */
export function podSelector(plan: ClusterPlan): string {
  return `app.kubernetes.io/name=nats,app.kubernetes.io/instance=${plan.names.release},app.kubernetes.io/component=nats`;
}

/**
 * The port-forward the JetStream provider opens itself before connecting, so
 * `pulumi refresh` and `pulumi destroy` (which do not run the program) reach
 * NATS too. Undefined unless the access mode is `portForward`.
 */
export function portForwardArgs(plan: ClusterPlan): PortForwardArgs | undefined {
  const a = plan.access;
  if (a.mode !== "portForward") return undefined;
  return {
    namespace: plan.namespace,
    labelSelector: podSelector(plan),
    remotePort: 4222,
    localPort: a.localPort,
    // The chart names the NATS cluster after the StatefulSet (clustering only).
    ...(plan.replicas > 1 ? { cluster: plan.names.statefulSet } : {}),
    release: plan.names.statefulSet,
    stack: stackId(),
  };
}

/** `<project>/<stack>`: a port-forward belongs to one stack. */
export function stackId(): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}`;
}

export function clientServers(ctx: AccessContext): pulumi.Output<string[]> {
  const { plan } = ctx;
  const a = plan.access;
  if (a.mode === "url") return ctx.ready.apply(() => a.urls);

  if (a.mode === "portForward") {
    // The forward runs in a detached process that outlives the program (see port-forward.ts).
    // During a preview nothing is opened: the URL is fixed (127.0.0.1:<localPort>), so the
    // JetStream resources see the same connection as in the last update and preview no change.
    return pulumi.all([ctx.ready, ctx.kubeconfig]).apply(async ([, kubeconfig]) => {
      if (!pulumi.runtime.isDryRun()) {
        const pf = portForwardArgs(plan)!;
        await ensurePortForward(
          {
            kubeconfig,
            namespace: pf.namespace,
            labelSelector: pf.labelSelector,
            remotePort: 4222,
            localPort: pf.localPort,
            release: pf.release!,
            stack: pf.stack!,
          },
          pf.cluster,
        );
      }
      return a.urls;
    });
  }

  // loadBalancer: read the Service after the chart created it; the Kubernetes provider
  // waits for a LoadBalancer Service to get its address before reporting it created.
  const id = ctx.ready.apply(() => `${plan.namespace}/${plan.names.service}`);
  const svc = k8s.core.v1.Service.get(`${plan.component}-client-lb`, id, {
    parent: ctx.parent,
    provider: ctx.provider,
  });
  return pulumi.all([ctx.ready, svc.status]).apply(([, status]) => {
    const ingress = status?.loadBalancer?.ingress?.[0];
    const host = ingress?.hostname || ingress?.ip;
    if (!host)
      throw new Error(`Service ${plan.namespace}/${plan.names.service} has no load balancer address yet`);
    return [`${a.scheme}://${host}:4222`];
  });
}
