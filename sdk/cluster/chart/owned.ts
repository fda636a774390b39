// Lists the component owns inside raw `chart.values`. The chart's `merge`
// maps replace lists, so a user list under one of these keys would silently
// drop what NatsCluster put there (the dedicated-node toleration, the zone
// init container, the config and data mounts) and ship a cluster that stays
// Pending or cannot start. Lists it makes sense to add to are appended to the
// component's; the others are refused, naming the key and the way that adds
// instead of replacing.

/** Appended after the component's items (the component's come first). */
export const APPENDED_LISTS = new Set([
  "podTemplate.merge.spec.tolerations",
  "podTemplate.merge.spec.initContainers",
]);

const PATCH_POD = 'add them with podTemplate.patch: [{ op: "add", path: "/spec/volumes/-", value: {...} }]';
const PATCH_CONTAINER =
  'add them with container.patch: [{ op: "add", path: "/volumeMounts/-", value: {...} }]';

/** Lists a raw value may not replace, with what to do instead. */
export const REFUSED_LISTS: Record<string, string> = {
  "podTemplate.merge.spec.volumes": `would replace the chart's config and pid volumes and the component's zone, token and credentials volumes; ${PATCH_POD}.`,
  "podTemplate.merge.spec.containers":
    "would replace the nats server, reloader and exporter containers; use container.merge / container.patch (and reloader.*, promExporter.*).",
  "podTemplate.merge.spec.topologySpreadConstraints":
    "would replace the zone spread; use podTemplate.topologySpreadConstraints (a map keyed by topology key), or placement.zoneSpread.",
  "podTemplate.merge.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms":
    "would replace the node affinity that keeps the servers in `zones`; set zones instead.",
  "container.merge.volumeMounts": `would replace the config, pid, data, zone and credentials mounts; ${PATCH_CONTAINER}.`,
  "container.merge.env":
    "would replace POD_NAME, SERVER_NAME and GOMEMLIMIT; use container.env (a map of name to value).",
  "container.merge.args": "would replace the server's --config argument.",
  "container.merge.ports": "would replace the server's ports; use container.ports (a map per protocol).",
  "reloader.merge.volumeMounts":
    "would replace the mounts the reloader watches; use reloader.patch with JSON Patch `add` ops.",
  "reloader.merge.args": "would replace the files the reloader watches; use reloader.patch.",
  "statefulSet.merge.spec.volumeClaimTemplates":
    "would replace the JetStream volume claim; use jetstream.fileStorage and config.jetstream.fileStore.pvc.*.",
};

/** Problems with owned lists in raw values, as { path, message } (path relative to the values root). */
export function checkOwnedLists(values: Record<string, unknown>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [path, why] of Object.entries(REFUSED_LISTS)) {
    let cur: unknown = values;
    for (const part of path.split(".")) {
      cur =
        cur !== null && typeof cur === "object" && !Array.isArray(cur)
          ? (cur as Record<string, unknown>)[part]
          : undefined;
      if (cur === undefined) break;
    }
    if (cur !== undefined) problems.push({ path, message: why });
  }
  return problems;
}
