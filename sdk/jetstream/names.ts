// Names and subjects, checked locally: the server never sees a bad name (an
// empty one gets "no responders", a dot makes the request time out), so the
// provider must refuse them itself with a clear message.

const FORBIDDEN_IN_NAME = /[\s.*>/\\]/;
const BUCKET_NAME = /^[a-zA-Z0-9_-]+$/;
const MAX_NAME_BYTES = 255;

/** Why `name` is not a valid stream or consumer name, or undefined when it is. */
export function assetNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (FORBIDDEN_IN_NAME.test(name)) {
    return `"${name}" must not contain whitespace or any of . * > / \\ (names become subject tokens and file names)`;
  }
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `"${name}" is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/** Why `name` is not a valid KV bucket or object store name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) {
    return `"${name}" must match ${BUCKET_NAME.source} (letters, digits, "_" and "-")`;
  }
  if (Buffer.byteLength(name) > MAX_NAME_BYTES - 4) return `"${name}" is too long`;
  return undefined;
}

/**
 * Why `subject` is not a valid subject (or subject filter when `wildcards`),
 * or undefined. Tokens are split by ".", none empty; "*" matches one token and
 * ">" only the last ones.
 */
export function subjectProblem(subject: string, wildcards = true): string | undefined {
  if (subject.length === 0) return "must not be empty";
  if (/\s/.test(subject)) return `"${subject}" must not contain whitespace`;
  const tokens = subject.split(".");
  for (const [i, token] of tokens.entries()) {
    if (token.length === 0) return `"${subject}" has an empty token (two dots, or a leading or trailing dot)`;
    const hasWildcard = token.includes("*") || token.includes(">");
    if (!hasWildcard) continue;
    if (!wildcards) return `"${subject}" must not contain wildcards here`;
    if (token !== "*" && token !== ">") return `"${subject}": a wildcard must be a whole token ("${token}")`;
    if (token === ">" && i !== tokens.length - 1)
      return `"${subject}": ">" is allowed only as the last token`;
  }
  return undefined;
}

/** True when the two subject filters can match a common subject. */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const s = x[i];
    const t = y[i];
    if (s === ">" || t === ">") return s !== undefined && t !== undefined;
    if (s === undefined || t === undefined) return false;
    if (s !== "*" && t !== "*" && s !== t) return false;
  }
  return true;
}
