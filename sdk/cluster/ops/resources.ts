// The scale-down operations as dynamic resources of the NatsCluster (see
// handlers.ts for what each does and scale-down.ts for why). As in
// jetstream/dynamic.ts, the serialized provider captures only where to load
// the handlers from; the system password and kubeconfig travel as the secret
// `credentials` input.
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "../../jetstream/connection-args";
import { splitConnection } from "../../jetstream/dynamic";
import type { ClusterPlan } from "../plan/types";
import type { OpsKind } from "./handlers";
import type { AccountLimitSpec } from "./account-limits";

const HANDLERS_BY_NAME = "pulumi-nats/cluster/ops-handlers";

function providerFor(kind: OpsKind): pulumi.dynamic.ResourceProvider {
  const byPath = require.resolve("./handlers");
  const byName = HANDLERS_BY_NAME;
  const load = () => {
    let mod: typeof import("./handlers");
    try {
      mod = require(byName);
    } catch {
      mod = require(byPath);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return mod.opsHandlers(kind) as any;
  };
  return {
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}

class VolumeGrowth extends pulumi.dynamic.Resource {
  /** The claims grown by the last change of size. */
  declare readonly grown: pulumi.Output<string[] | undefined>;
}

class ClusterOp extends pulumi.dynamic.Resource {
  /** The servers removed from the meta group by the last lowering of replicas (metaGroupTrim). */
  declare readonly removed: pulumi.Output<string[] | undefined>;
  constructor(
    kind: OpsKind,
    name: string,
    plan: ClusterPlan,
    connection: pulumi.Input<ConnectionArgs>,
    opts: pulumi.CustomResourceOptions,
  ) {
    const { connection: pub, credentials } = splitConnection(connection);
    super(
      providerFor(kind),
      name,
      {
        statefulSet: plan.names.statefulSet,
        replicas: plan.replicas,
        timeout: plan.readyTimeout,
        // scaleDownGuard: turning JetStream off is refused while streams exist (handlers.ts).
        jetstream: plan.jetstream,
        allowJetStreamDataLoss: plan.allowJetStreamDataLoss,
        // scaleDownGuard: an account limit lowered below its streams is refused (account-limits.ts).
        accountLimits: guardedAccountLimits(plan),
        connection: pub,
        credentials: pulumi.secret(
          credentials.apply((c) => ({ password: c.password, creds: c.creds, kubeconfig: c.kubeconfig })),
        ),
        removed: undefined,
      },
      { ...opts, additionalSecretOutputs: ["credentials"] },
      "cluster",
      kind === "scaleDownGuard" ? "ScaleDownGuard" : "MetaGroupTrim",
    );
  }
}

/** The tenant accounts' JetStream limits the guard checks against their streams. */
function guardedAccountLimits(plan: ClusterPlan): Record<string, AccountLimitSpec> {
  const out: Record<string, AccountLimitSpec> = {};
  // In JWT mode the servers name accounts by public key: not checked there (yet).
  if (plan.auth?.mode !== "password") return out;
  for (const a of plan.auth.accounts) {
    const js = a.jetstream;
    if (!js) continue;
    const spec: AccountLimitSpec = {
      ...(js.maxFile !== undefined ? { maxFile: js.maxFile } : {}),
      ...(js.maxMemory !== undefined ? { maxMemory: js.maxMemory } : {}),
      ...(js.maxStreams !== undefined ? { maxStreams: js.maxStreams } : {}),
    };
    if (Object.keys(spec).length > 0) out[a.name] = spec;
  }
  return out;
}

/**
 * Registered before the chart (the chart depends on it): refuses shrinking
 * the volumes at preview, and grows them in place before the StatefulSet and
 * `max_file_store` change. Its `size` is the claims' size.
 */
export function volumeGrowth(
  plan: ClusterPlan,
  kubeconfig: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  return new VolumeGrowth(
    providerFor("volumeGrowth"),
    `${plan.component}-volume-growth`,
    {
      namespace: plan.namespace,
      statefulSet: plan.names.statefulSet,
      // The chart's claim template name: "<fullname>-js" (fullnameOverride is the name).
      template: `${plan.name}-js`,
      replicas: plan.replicas,
      size: plan.storage.fileStorage,
      timeout: plan.readyTimeout,
      credentials: pulumi.secret(pulumi.output(kubeconfig).apply((k) => ({ kubeconfig: k }))),
      grown: undefined,
    },
    { ...opts, additionalSecretOutputs: ["credentials"] },
    "cluster",
    "VolumeGrowth",
  );
}

/** The system user's connection: the app connection's target with the system credentials. */
export function systemConnection(
  plan: ClusterPlan,
  base: pulumi.Input<ConnectionArgs>,
  /** The system user's password, or (JWT mode) its .creds. */
  system: pulumi.Input<string | { creds: string }>,
): pulumi.Output<ConnectionArgs> {
  return pulumi
    .all([pulumi.output(base), pulumi.output(system)])
    .apply(([c, auth]) =>
      auth !== null && typeof auth === "object"
        ? { ...c, user: undefined, password: undefined, creds: auth.creds }
        : { ...c, user: plan.auth!.systemUser, password: auth },
    );
}

/**
 * Registered before the chart (the chart depends on it): refuses, at preview,
 * a lowering of replicas the streams cannot live with. Needs the system user
 * and an address known before the chart (port-forward or given URLs).
 */
export function scaleDownGuard(
  plan: ClusterPlan,
  connection: pulumi.Input<ConnectionArgs>,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource | undefined {
  if (!plan.auth || plan.access.mode === "loadBalancer") return undefined;
  return new ClusterOp("scaleDownGuard", `${plan.component}-scale-down-guard`, plan, connection, opts);
}

/** Registered after the chart is ready: removes departed servers from the meta group. */
export function metaGroupTrim(
  plan: ClusterPlan,
  connection: pulumi.Input<ConnectionArgs>,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource | undefined {
  if (!plan.auth) return undefined;
  return new ClusterOp("metaGroupTrim", `${plan.component}-meta-group-trim`, plan, connection, opts);
}
