// The engine sends secret inputs to a plugin that accepts secrets (ours does:
// @pulumi/pulumi/provider's Configure says so) as wrapped objects, and the
// plugin must wrap secret outputs the same way. The core works on plain
// values: `reveal` unwraps and remembers where the secrets were, `conceal`
// wraps those places (and the credential fields) in the outputs again.
import {
  specialSigKey,
  specialSecretSig,
  specialOutputValueSig,
  unknownValue,
} from "@pulumi/pulumi/runtime/rpc";

export { serversCarryCredentials } from "../jetstream/server-urls";

export type Path = readonly string[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The value with every secret unwrapped (unknown output values become the unknown sentinel). */
export function reveal(
  value: unknown,
  at: Path = [],
  secrets: Path[] = [],
): { value: unknown; secrets: Path[] } {
  const walk = (v: unknown, p: Path): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, String(i)]));
    if (!isObject(v)) return v;
    if (v[specialSigKey] === specialSecretSig) {
      secrets.push(p);
      return walk(v.value, p);
    }
    if (v[specialSigKey] === specialOutputValueSig) {
      if (v.secret) secrets.push(p);
      return "value" in v ? walk(v.value, p) : unknownValue;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...p, k])]));
  };
  return { value: walk(value, at), secrets };
}

/** Wraps the values at these paths as secrets (paths that do not exist are skipped). */
export function conceal<T>(value: T, paths: readonly Path[]): T {
  let out: unknown = value;
  // Longest paths first, so an outer secret wraps an already wrapped inner one harmlessly.
  for (const path of [...paths].sort((a, b) => b.length - a.length)) out = wrapAt(out, path);
  return out as T;
}

function wrapAt(value: unknown, path: Path): unknown {
  if (path.length === 0) {
    if (value === undefined || value === null) return value;
    if (isObject(value) && value[specialSigKey] === specialSecretSig) return value;
    return { [specialSigKey]: specialSecretSig, value };
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const i = Number(head);
    if (!(i in value)) return value;
    const copy = [...value];
    copy[i] = wrapAt(copy[i], rest);
    return copy;
  }
  if (!isObject(value)) return value;
  if (value[specialSigKey] === specialSecretSig) return value; // already secret as a whole
  if (!(head in value)) return value;
  return { ...value, [head]: wrapAt(value[head], rest) };
}

/** Whether a value is a wrapped secret (for tests and callers). */
export function isSecret(value: unknown): boolean {
  return isObject(value) && value[specialSigKey] === specialSecretSig;
}
