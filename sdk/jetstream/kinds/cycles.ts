// Configurations every stream-like kind (stream, KV bucket, object store) can
// write that the server refuses only at `pulumi up`: a stream that copies
// from itself ("detected cycle", 10052), a republish destination inside the
// stream's own subjects ("republish destination forms a cycle", 10052) and an
// empty placement tag (a cluster answers 10005). Checked on the canonical
// configuration, so KV and object store names (KV_<bucket>) and the default
// subjects are those the server sees.
import type { Json } from "../api";
import type { InputProblem } from "../errors";
import { subjectsOverlap } from "../names";

type Copy = Json & { name?: string; external?: Json };

/** Where the server's own checks (stream.go, checkStreamCfg) would refuse the canonical configuration `w`. */
export function streamLikeCycleProblems(w: Json): InputProblem[] {
  const problems: InputProblem[] = [];
  const own = String(w.name);
  // A copy through an external API prefix reads another domain's or account's stream.
  const isSelf = (c: Copy | undefined) => c !== undefined && c.name === own && c.external === undefined;
  const itself =
    'names this stream itself: a stream cannot copy from itself (the server refuses it: "detected cycle")';
  if (isSelf(w.mirror as Copy | undefined)) problems.push({ property: "mirror.name", reason: itself });
  ((w.sources as Copy[] | undefined) ?? []).forEach((s, i) => {
    if (isSelf(s)) problems.push({ property: `sources[${i}].name`, reason: itself });
  });

  const republish = w.republish as { src?: string; dest?: string } | undefined;
  const subjects = (w.subjects as string[] | undefined) ?? [];
  if (typeof republish?.dest === "string") {
    const hit = subjects.find((s) => subjectsOverlap(s, republish.dest!));
    if (hit !== undefined) {
      problems.push({
        property: "republish.dest",
        reason:
          `"${republish.dest}" overlaps the stream's own subject "${hit}": each republished message would be ` +
          "stored again, a cycle the server refuses; choose a destination outside the stream's subjects",
      });
    }
  }

  const tags = ((w.placement as Json | undefined)?.tags as unknown[] | undefined) ?? [];
  tags.forEach((tag, i) => {
    if (typeof tag === "string" && tag.trim() === "")
      problems.push({
        property: `placement.tags[${i}]`,
        reason: "must not be empty: no server carries an empty tag, so a cluster cannot place the stream",
      });
  });
  return problems;
}

/** Filters of one consumer must not overlap (the server's 10138). */
export function filterOverlapProblems(
  filters: readonly string[],
  property = "filterSubjects",
): InputProblem[] {
  const problems: InputProblem[] = [];
  filters.forEach((f, i) => {
    const earlier = filters.slice(0, i).find((g) => subjectsOverlap(f, g));
    if (earlier !== undefined)
      problems.push({
        property: `${property}[${i}]`,
        reason: `"${f}" overlaps "${earlier}": a consumer's filters must not overlap (the server refuses it)`,
      });
  });
  return problems;
}
