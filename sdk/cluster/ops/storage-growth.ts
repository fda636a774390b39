// Growing `jetstream.fileStorage` in place. A StatefulSet's
// volumeClaimTemplates cannot change, so the Kubernetes provider replaces the
// StatefulSet, and its claims keep their size. Done here instead, before the
// chart changes anything:
// 1. refuse shrinking (at preview: check() names the field);
// 2. check the StatefulSet carries `pulumi.com/deletionPropagationPolicy:
//    orphan` (the chart's transform `orphanStatefulSet` sets it), so its
//    replacement keeps the running pods,
//    and that each claim's StorageClass allows expansion;
// 3. expand each existing claim `<template>-<statefulSet>-<i>` and wait until
//    it reports the new capacity.
// The chart depends on this, so the StatefulSet (new template size, pods
// orphaned and adopted again) and `max_file_store` (the ConfigMap, reloaded
// by the config reloader) change only after the volumes have grown.
import type * as pulumi from "@pulumi/pulumi";
import { parseBytes } from "../plan/quantity";

export const ORPHAN_ANNOTATION = "pulumi.com/deletionPropagationPolicy";

/**
 * A transform of the chart's children: the StatefulSet gets the orphan
 * deletion policy (read by the Kubernetes provider when it deletes the old
 * object on a replacement), and is replaced delete-first (its name is fixed).
 * Every other object is left alone.
 */
export const orphanStatefulSet: pulumi.ResourceTransform = (a) => {
  if (a.type !== "kubernetes:apps/v1:StatefulSet") return undefined;
  const props = a.props as { metadata?: { annotations?: Record<string, string> } };
  return {
    props: {
      ...a.props,
      metadata: {
        ...props.metadata,
        annotations: { ...props.metadata?.annotations, [ORPHAN_ANNOTATION]: "orphan" },
      },
    },
    opts: { ...a.opts, deleteBeforeReplace: true },
  };
};

/** Why going from `from` to `to` is refused (undefined when it is not). Pure. */
export function shrinkProblem(from: string | undefined, to: string): string | undefined {
  if (from === undefined) return undefined;
  const a = parseBytes(from);
  const b = parseBytes(to);
  if (a === undefined || b === undefined || b >= a) return undefined;
  return `jetstream.fileStorage: ${to} is smaller than the volumes' current ${from}; Kubernetes volumes cannot shrink. Keep ${from} (or more); to use smaller volumes, create a new cluster and migrate the streams.`;
}

/** The names of the file-store claims of a StatefulSet of `replicas` servers. */
export function claimNames(template: string, statefulSet: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `${template}-${statefulSet}-${i}`);
}

export interface GrowthTarget {
  kubeconfig: string;
  namespace: string;
  statefulSet: string;
  /** The claim template's name (the chart's `<fullname>-js`). */
  template: string;
  replicas: number;
  size: string;
  timeoutMs: number;
}

interface Obj {
  metadata?: { annotations?: Record<string, string> };
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } };
  status?: { capacity?: Record<string, string>; conditions?: { type: string; message?: string }[] };
  allowVolumeExpansion?: boolean;
}

/**
 * Expands every existing claim of the StatefulSet to `size` and waits until
 * each reports it. Resolves to the claims grown. Throws, naming what to
 * change, when the StatefulSet would lose its pods on replacement or a
 * StorageClass does not allow expansion.
 */
export async function growVolumes(t: GrowthTarget): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const k8s: any = require("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromString(t.kubeconfig);
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const read = async (apiVersion: string, kind: string, name: string, namespace?: string) => {
    try {
      return (await api.read({ apiVersion, kind, metadata: { name, namespace } })) as Obj;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
  const wanted = parseBytes(t.size)!;

  const sts = await read("apps/v1", "StatefulSet", t.statefulSet, t.namespace);
  if (sts && sts.metadata?.annotations?.[ORPHAN_ANNOTATION] !== "orphan")
    throw new Error(
      `jetstream.fileStorage: StatefulSet ${t.namespace}/${t.statefulSet} lacks the annotation ${ORPHAN_ANNOTATION}: orphan, so replacing it would delete every server at once. Run \`pulumi up\` once with the current size (it adds the annotation), then grow.`,
    );

  const claims: { name: string; obj: Obj }[] = [];
  for (const name of claimNames(t.template, t.statefulSet, t.replicas)) {
    const obj = await read("v1", "PersistentVolumeClaim", name, t.namespace);
    if (obj) claims.push({ name, obj });
  }
  const classes = new Map<string, Obj | undefined>();
  for (const c of claims) {
    const cls = c.obj.spec?.storageClassName;
    if (!cls) continue;
    if (!classes.has(cls)) classes.set(cls, await read("storage.k8s.io/v1", "StorageClass", cls));
    if (classes.get(cls)?.allowVolumeExpansion !== true)
      throw new Error(
        `jetstream.fileStorage: StorageClass ${cls} (of claim ${c.name}) does not allow volume expansion; set allowVolumeExpansion: true on it (or use a class that does), then grow.`,
      );
  }

  const grown: string[] = [];
  for (const c of claims) {
    const asked = parseBytes(c.obj.spec?.resources?.requests?.storage ?? "0") ?? 0;
    if (asked >= wanted) continue;
    await api.patch(
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: c.name, namespace: t.namespace },
        spec: { resources: { requests: { storage: t.size } } },
      },
      undefined,
      undefined,
      "pulumi-nats",
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    grown.push(c.name);
  }

  const deadline = Date.now() + t.timeoutMs;
  for (const name of claims.map((c) => c.name)) {
    for (;;) {
      const obj = await read("v1", "PersistentVolumeClaim", name, t.namespace);
      const capacity = parseBytes(obj?.status?.capacity?.storage ?? "0") ?? 0;
      if (capacity >= wanted) break;
      if (Date.now() > deadline) {
        const conditions = (obj?.status?.conditions ?? []).map((x) => x.type).join(", ");
        throw new Error(
          `jetstream.fileStorage: claim ${t.namespace}/${name} still reports ${obj?.status?.capacity?.storage ?? "no capacity"} after ${t.timeoutMs / 1000}s (conditions: ${conditions || "none"}); max_file_store was not raised. Check the volume driver's events, then run \`pulumi up\` again.`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return grown;
}
