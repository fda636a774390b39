// KV buckets and object stores as the streams the server keeps for them
// (ADR-8 and ADR-20): the fixed settings every KV or object store client
// expects are always sent, and the bucket's own fields map onto stream fields.
import { encodeAll } from "../fields";
import type { Json } from "../api";
import type { InputProblem } from "../errors";
import { bucketNameProblem, subjectProblem } from "../names";
import { parseDuration } from "../units";
import { keyValueFields, objectStoreFields } from "../tables/bucket";
import { streamLikeKind } from "./stream-like";
import { sourceProblems } from "./stream";

const TWO_MINUTES_NS = parseDuration("2m");
const KV = "KV_";
const OBJ = "OBJ_";

type Source = Json & { name: string; external?: Json; _domain?: string };

function duplicateWindow(ttl: number): number {
  return ttl > 0 && ttl < TWO_MINUTES_NS ? ttl : TWO_MINUTES_NS;
}

/** A KV source or mirror names a bucket; the stream names `KV_<bucket>`, with a subject transform. */
function kvSource(bucket: string, src: Source, transform: boolean): Source {
  const { _domain, ...rest } = src;
  const from = src.name.startsWith(KV) ? src.name.slice(KV.length) : src.name;
  const out: Source = { ...rest, name: KV + from };
  if (_domain !== undefined) out.external = { api: `$JS.${_domain}.API` };
  if (transform && !out.external && from !== bucket) {
    out.subject_transforms = [{ src: `$KV.${from}.>`, dest: `$KV.${bucket}.>` }];
  }
  return out;
}

/** A bucket's TTL is the stream's max age: 0 (forever) or at least 100ms. */
function ttlProblems(w: Json): InputProblem[] {
  const ttl = Number(w.max_age ?? 0);
  return ttl > 0 && ttl < 100e6 ? [{ property: "ttl", reason: "must be 0 (forever) or at least 100ms" }] : [];
}

function bucketNameProblems(config: Record<string, unknown>): InputProblem[] {
  const problem = typeof config.bucket === "string" ? bucketNameProblem(config.bucket) : "is required";
  return problem ? [{ property: "bucket", reason: problem }] : [];
}

export function keyValueDesired(config: Record<string, unknown>): Json {
  const { wire } = encodeAll(keyValueFields, config);
  const bucket = String(config.bucket);
  const mirror = wire.mirror as Source | undefined;
  const sources = wire.sources as Source[] | undefined;
  const markerTtl = Number(wire.subject_delete_marker_ttl ?? 0);
  // Pedantic mode refuses a republish without a source ("republish source can
  // not be empty", 10157): a bucket republishes its own keys by default.
  const republish = wire.republish as Json | undefined;
  if (republish && !republish.src) wire.republish = { ...republish, src: `$KV.${bucket}.>` };
  return {
    ...wire,
    name: KV + bucket,
    subjects: mirror ? undefined : [`$KV.${bucket}.>`],
    mirror: mirror && kvSource(bucket, mirror, false),
    sources: sources?.map((s) => kvSource(bucket, s, true)),
    retention: "limits",
    discard: "new",
    allow_rollup_hdrs: true,
    deny_delete: true,
    deny_purge: false,
    allow_direct: true,
    mirror_direct: mirror !== undefined,
    allow_msg_ttl: markerTtl > 0 ? true : undefined,
    duplicate_window: mirror ? undefined : duplicateWindow(Number(wire.max_age ?? 0)),
  };
}

export const keyValueKind = streamLikeKind({
  label: "KV bucket",
  typeName: "KeyValue",
  dataNoun: "values",
  rows: keyValueFields,
  streamName: (id) => KV + id,
  id: (config) => String(config.bucket),
  desired: keyValueDesired,
  validate(config, w) {
    const problems = bucketNameProblems(config);
    if (w.mirror && Array.isArray(w.sources) && w.sources.length) {
      problems.push({ property: "sources", reason: "cannot be combined with mirror" });
    }
    const markerTtl = Number(w.subject_delete_marker_ttl ?? 0);
    if (markerTtl > 0 && markerTtl < 1e9)
      problems.push({ property: "limitMarkerTtl", reason: "must be at least 1s" });
    problems.push(...ttlProblems(w));
    const mirror = config.mirror as Record<string, unknown> | undefined;
    if (mirror) problems.push(...sourceProblems("mirror", mirror));
    ((config.sources as Record<string, unknown>[] | undefined) ?? []).forEach((s, i) =>
      problems.push(...sourceProblems(`sources[${i}]`, s)),
    );
    const republish = config.republish as { src?: string; dest?: string } | undefined;
    if (republish?.dest) {
      const p = subjectProblem(republish.dest);
      if (p) problems.push({ property: "republish.dest", reason: p });
    }
    return problems;
  },
  fromServer: (server, canonical) => ({ ...canonical, _bucket: String(server.name).slice(KV.length) }),
});

export function objectStoreDesired(config: Record<string, unknown>): Json {
  const { wire } = encodeAll(objectStoreFields, config);
  const bucket = String(config.bucket);
  return {
    ...wire,
    name: OBJ + bucket,
    subjects: [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`],
    retention: "limits",
    discard: "new",
    allow_rollup_hdrs: true,
    allow_direct: true,
    duplicate_window: duplicateWindow(Number(wire.max_age ?? 0)),
  };
}

export const objectStoreKind = streamLikeKind({
  label: "object store",
  typeName: "ObjectStore",
  dataNoun: "object chunks and metadata messages",
  rows: objectStoreFields,
  streamName: (id) => OBJ + id,
  id: (config) => String(config.bucket),
  desired: objectStoreDesired,
  validate(config, w) {
    const problems = bucketNameProblems(config);
    problems.push(...ttlProblems(w));
    return problems;
  },
  fromServer: (server, canonical) => ({ ...canonical, _bucket: String(server.name).slice(OBJ.length) }),
});
