// During a preview, inputs that depend on resources not yet created reach the
// provider as this sentinel (the engine's protocol, shared by the dynamic
// provider host and plugin providers). Such a field cannot be validated or
// compared yet: the engine calls check and diff again once it is known.
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value is, or contains, a not-yet-known input. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
