// Key validation for the NATS chart's values. The chart has no values schema
// and silently ignores keys it does not know, so a typo ("memStorage") ships a
// cluster without the setting. Every key the component writes, and every raw
// key a user passes, is checked against the real key list of the pinned chart
// (keys-2.14.2.json, derived from the chart's values.yaml and templates).
import { editDistance } from "../../jetstream/edit-distance";
import data from "./keys-2.14.2.json";
import { APPENDED_LISTS } from "./owned";

/** The chart version the key list was taken from. */
export const KEYS_CHART_VERSION: string = data.version;

const KEYS: Record<string, unknown> = data.keys;
/** Free-form sections: "map" (any keys below) or "list" (JSON Patch ops and other lists). */
const OPEN: Record<string, string> = data.openMaps;

/** Keys that exist in values.yaml but that no template reads. */
const UNUSED: Record<string, string> = {
  "natsBox.container.image.resources":
    "it is in the chart's values.yaml but no template reads it; use natsBox.container.resources",
};

/** Keys often found in tutorials, with where the setting really goes. */
const HINTS: Record<string, string> = {
  "podTemplate.nodeSelector":
    "use podTemplate.merge.spec.nodeSelector (NatsCluster sets it from the platform).",
  "podTemplate.affinity": "use podTemplate.merge.spec.affinity.",
  "podTemplate.tolerations":
    "use podTemplate.merge.spec.tolerations (NatsCluster sets it from the platform).",
  "config.serverTags":
    "NatsCluster tags each server az:<zone> itself; extra root config goes in config.merge.",
  "config.jetstream.memStorage":
    "use config.jetstream.memoryStore.maxSize (NatsCluster: jetstream.memoryStorage).",
  "config.jetstream.fileStorage":
    "use config.jetstream.fileStore.pvc.size (NatsCluster: jetstream.fileStorage).",
};

/** Every path that has keys below it ("config", "config.jetstream", ...). */
const PARENTS: Set<string> = (() => {
  const s = new Set<string>();
  for (const key of [...Object.keys(KEYS), ...Object.keys(OPEN)]) {
    const parts = key.split(".");
    for (let i = 1; i < parts.length; i++) s.add(parts.slice(0, i).join("."));
  }
  return s;
})();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `{ $tplYaml: ... }` / `{ $tplYamlSpread: ... }` values are templated by the chart anywhere. */
function isTemplate(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 1 && ("$tplYaml" in v || "$tplYamlSpread" in v);
}

function siblingsOf(path: string): string[] {
  const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
  const names = new Set<string>();
  for (const key of [...Object.keys(KEYS), ...Object.keys(OPEN)]) {
    if (parent === "" || key.startsWith(parent + ".")) {
      const rest = parent === "" ? key : key.slice(parent.length + 1);
      names.add(rest.split(".")[0]);
    }
  }
  return [...names];
}

function suggestion(path: string): string {
  const name = path.slice(path.lastIndexOf(".") + 1);
  const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".") + 1) : "";
  const siblings = siblingsOf(path);
  const close = siblings
    .map((s) => ({ s, d: editDistance(name, s) }))
    .filter(
      (x) =>
        x.d <= Math.max(2, Math.floor(name.length / 3)) ||
        x.s.toLowerCase().includes(name.toLowerCase()) ||
        (name.length >= 3 && x.s.toLowerCase().startsWith(name.slice(0, 3).toLowerCase())),
    )
    .sort((x, y) => x.d - y.d)
    .slice(0, 2)
    .map((x) => parent + x.s);
  if (close.length > 0) return ` Did you mean ${close.join(" or ")}?`;
  return siblings.length > 0 ? ` Keys here: ${siblings.sort().join(", ")}.` : "";
}

/** One unknown or ill-typed key. `path` is relative to the values root. */
export interface KeyProblem {
  path: string;
  message: string;
}

/**
 * Checks every key of `values` against the chart's key list and returns the
 * problems (empty when all keys exist). Free-form sections (the `merge` maps,
 * `patch` lists, `env`, `resources`, ...) are accepted as a whole.
 */
export function checkChartKeys(values: Record<string, unknown>): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (isTemplate(v)) continue;
      if (path in UNUSED) {
        problems.push({ path, message: UNUSED[path] });
        continue;
      }
      const open = OPEN[path];
      if (open === "map") {
        if (!isPlainObject(v)) problems.push({ path, message: "must be a map (object)." });
        continue;
      }
      if (open === "list") {
        if (!Array.isArray(v)) problems.push({ path, message: "must be a list." });
        continue;
      }
      if (path in KEYS) {
        const def = KEYS[path];
        if (Array.isArray(def) && !Array.isArray(v)) problems.push({ path, message: "must be a list." });
        else if (isPlainObject(def) && !isPlainObject(v))
          problems.push({ path, message: "must be a map (object)." });
        else if (def !== null && typeof def !== "object" && v !== null && typeof v !== typeof def)
          // The chart has no schema: "three" for a number renders and then fails in Kubernetes or nats.conf.
          problems.push({
            path,
            message: `must be a ${typeof def}, like its default ${JSON.stringify(def)}, got ${JSON.stringify(v)}.`,
          });
        continue;
      }
      if (PARENTS.has(path)) {
        if (isPlainObject(v)) walk(v, path);
        else problems.push({ path, message: "is a section of the chart's values and must be a map." });
        continue;
      }
      problems.push({
        path,
        message: `is not a key of the nats chart ${KEYS_CHART_VERSION} (the chart would silently ignore it).${
          path in HINTS ? ` ${HINTS[path][0].toUpperCase()}${HINTS[path].slice(1)}` : suggestion(path)
        }`,
      });
    }
  };
  walk(values, "");
  return problems;
}

/**
 * Deep-merges `over` into `base` the way the chart merges `merge` maps: maps
 * merge, lists and scalars replace, with two exceptions: lists under a key
 * named `patch` are appended, so a user's JSON Patch ops add to the
 * component's (which mount the auth and zone files) instead of dropping them,
 * and so are the owned lists of APPENDED_LISTS (tolerations, init containers).
 */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(b) && isPlainObject(v)) out[k] = mergeValues(b, v, path);
    else if ((k === "patch" || APPENDED_LISTS.has(path)) && Array.isArray(b) && Array.isArray(v))
      out[k] = [...b, ...v];
    else out[k] = v;
  }
  return out;
}
