// The stream kind: canonical configuration with the server's own defaults
// (subjects default to the name, the duplicate window to 2m or max age), and
// the cross-field rules the server would otherwise report one at a time.
import { encodeAll } from "../fields";
import type { Json } from "../api";
import type { InputProblem } from "../errors";
import { assetNameProblem, subjectProblem, subjectsOverlap } from "../names";
import { parseDuration } from "../units";
import { streamFields } from "../tables/stream";
import { streamLikeKind } from "./stream-like";

const TWO_MINUTES_NS = parseDuration("2m");
const INT32_MAX = 2 ** 31 - 1;

type Source = Json & { name?: string; _domain?: string; external?: Json; filter_subject?: string };

/** `domain` is shorthand for an external API prefix; the server only knows the latter. */
export function resolveSourceDomain(src: Source | undefined): Source | undefined {
  if (!src || src._domain === undefined) return src;
  const { _domain, ...rest } = src;
  return { ...rest, external: { api: `$JS.${_domain}.API` } };
}

/** What the server forces on a sealed stream. */
const SEALED = { max_age: 0, discard: "new", deny_delete: true, deny_purge: true, allow_rollup_hdrs: false };

export function streamDesired(config: Record<string, unknown>): Json {
  const { wire } = encodeAll(streamFields, config);
  wire.mirror = resolveSourceDomain(wire.mirror as Source | undefined);
  if (Array.isArray(wire.sources)) wire.sources = (wire.sources as Source[]).map(resolveSourceDomain);
  const copies = wire.mirror !== undefined || (Array.isArray(wire.sources) && wire.sources.length > 0);
  const subjects = wire.subjects as string[] | undefined;
  if ((!subjects || subjects.length === 0) && !copies) wire.subjects = [wire.name];
  if (wire.duplicate_window === undefined && !copies) {
    const maxAge = Number(wire.max_age ?? 0);
    wire.duplicate_window = maxAge > 0 && maxAge < TWO_MINUTES_NS ? maxAge : TWO_MINUTES_NS;
  }
  if (wire.sealed === true) {
    // Sealing makes the server force these (stream.go, configUpdateCheck);
    // desiring anything else would show a false diff after every refresh.
    // Contradicting inputs are refused by streamProblems.
    Object.assign(wire, SEALED);
  }
  return wire;
}

export function streamProblems(config: Record<string, unknown>, w: Json): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (property: string, reason: string | undefined) => reason && problems.push({ property, reason });
  add("name", typeof config.name === "string" ? assetNameProblem(config.name) : "is required");

  const subjects = (config.subjects as string[] | undefined) ?? [];
  subjects.forEach((s, i) => add(`subjects[${i}]`, subjectProblem(s)));
  subjects.forEach((s, i) =>
    subjects
      .slice(0, i)
      .forEach((t) => subjectsOverlap(s, t) && add(`subjects[${i}]`, `"${s}" overlaps "${t}"`)),
  );
  if (w.mirror && subjects.length)
    add("subjects", "must be empty for a mirror (a mirror stores its origin's subjects)");
  if (w.mirror && Array.isArray(w.sources) && w.sources.length)
    add("sources", "cannot be combined with mirror");

  const maxAge = Number(w.max_age);
  if (maxAge > 0 && maxAge < 100e6) add("maxAge", "must be 0 (unlimited) or at least 100ms");
  const dup = Number(w.duplicate_window ?? 0);
  if (dup > 0 && dup < 100e6) add("duplicateWindow", "must be at least 100ms");
  if (maxAge > 0 && dup > maxAge) add("duplicateWindow", "must not be longer than maxAge");
  if (Number(w.max_msg_size) > INT32_MAX) add("maxMsgSize", `must be at most ${INT32_MAX} bytes`);
  if (w.discard_new_per_subject) {
    if (w.discard !== "new") add("discardNewPerSubject", 'needs discard: "new"');
    if (Number(w.max_msgs_per_subject) <= 0) add("discardNewPerSubject", "needs maxMsgsPerSubject above 0");
  }
  if (w.sealed === true) {
    // The server forces these on a sealed stream; say so rather than silently differ.
    const forced: [string, boolean][] = [
      ["maxAge", config.maxAge !== undefined && parseDuration(config.maxAge as string | number) !== 0],
      ["discard", config.discard !== undefined && config.discard !== "new"],
      ["denyDelete", config.denyDelete === false],
      ["denyPurge", config.denyPurge === false],
      ["allowRollup", config.allowRollup === true],
    ];
    for (const [key, bad] of forced)
      if (bad)
        add(key, 'a sealed stream has no maxAge, discard "new", denyDelete, denyPurge and no allowRollup');
  }
  if (w.deny_purge && w.allow_rollup_hdrs)
    add("allowRollup", "cannot be combined with denyPurge (roll-ups purge)");
  const markerTtl = Number(w.subject_delete_marker_ttl ?? 0);
  if (markerTtl > 0) {
    if (markerTtl < 1e9) add("subjectDeleteMarkerTtl", "must be at least 1s");
    if (!w.allow_msg_ttl) add("subjectDeleteMarkerTtl", "needs allowMsgTtl: true");
    if (!w.allow_rollup_hdrs) add("subjectDeleteMarkerTtl", "needs allowRollup: true");
  }
  if (w.allow_msg_counter) {
    if (w.discard === "new") add("allowMsgCounter", 'cannot be combined with discard: "new"');
    if (w.allow_msg_ttl) add("allowMsgCounter", "cannot be combined with allowMsgTtl");
    if (w.retention !== "limits") add("allowMsgCounter", 'needs retention: "limits"');
  }
  if (w.allow_msg_schedules) {
    if (w.discard === "new") add("allowMsgSchedules", 'cannot be combined with discard: "new"');
    if (!w.allow_rollup_hdrs) add("allowMsgSchedules", "needs allowRollup: true");
  }
  if (w.persist_mode === "async") {
    if (w.storage !== "file") add("persistMode", 'async needs storage: "file"');
    if (Number(w.num_replicas) > 1) add("persistMode", "async needs replicas: 1");
  }
  const metadata = (config.metadata as Record<string, string> | undefined) ?? {};
  for (const key of Object.keys(metadata)) {
    if (key.startsWith("_nats")) add(`metadata.${key}`, 'keys beginning with "_nats" belong to the server');
  }
  const placement = config.placement as { cluster?: string; tags?: string[] } | undefined;
  if (placement && !placement.cluster && !(placement.tags ?? []).length)
    add("placement", "give a cluster, tags or both");
  const mirror = config.mirror as Record<string, unknown> | undefined;
  if (mirror) sourceProblems("mirror", mirror).forEach((p) => problems.push(p));
  ((config.sources as Record<string, unknown>[] | undefined) ?? []).forEach((s, i) =>
    sourceProblems(`sources[${i}]`, s).forEach((p) => problems.push(p)),
  );
  const transform = config.subjectTransform as { src?: string; dest?: string } | undefined;
  if (transform) {
    if (transform.src) add("subjectTransform.src", subjectProblem(transform.src));
    add("subjectTransform.dest", transform.dest ? subjectProblem(transform.dest) : "is required");
  }
  const republish = config.republish as { src?: string; dest?: string } | undefined;
  if (republish) {
    add("republish.src", republish.src ? subjectProblem(republish.src) : "is required");
    add("republish.dest", republish.dest ? subjectProblem(republish.dest) : "is required");
  }
  return problems;
}

export function sourceProblems(path: string, src: Record<string, unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  const name = src.name;
  if (typeof name !== "string") problems.push({ property: `${path}.name`, reason: "is required" });
  else {
    const p = assetNameProblem(name);
    if (p) problems.push({ property: `${path}.name`, reason: p });
  }
  if (src.domain !== undefined && src.external !== undefined) {
    problems.push({ property: `${path}.domain`, reason: "give domain or external, not both" });
  }
  if (typeof src.filterSubject === "string") {
    const p = subjectProblem(src.filterSubject);
    if (p) problems.push({ property: `${path}.filterSubject`, reason: p });
  }
  if (src.optStartSeq !== undefined && src.optStartTime !== undefined) {
    problems.push({ property: `${path}.optStartSeq`, reason: "give optStartSeq or optStartTime, not both" });
  }
  return problems;
}

export const streamKind = streamLikeKind({
  label: "stream",
  typeName: "Stream",
  dataNoun: "messages",
  rows: streamFields,
  streamName: (id) => id,
  id: (config) => String(config.name),
  desired: streamDesired,
  validate: streamProblems,
});
