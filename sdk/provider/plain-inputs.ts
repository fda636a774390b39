// NatsCluster needs plain values where its args are plain (zones, replicas,
// sizes: they decide which resources exist), while construct receives every
// input that has dependencies or is secret as an Output. Guided by the
// schema's `plain` marks, this resolves Outputs at plain positions to their
// values and keeps them where the args accept Inputs.
import * as pulumi from "@pulumi/pulumi";

/* eslint-disable @typescript-eslint/no-explicit-any -- schema.json is free-form JSON */
type Json = Record<string, any>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  !pulumi.Output.isInstance(v) &&
  !pulumi.Resource.isInstance(v);

export async function resolvePlainInputs(
  inputs: pulumi.Inputs,
  properties: Json,
  types: Json,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    out[key] = await resolve(value, properties[key] ?? {}, types, key);
  }
  return out;
}

async function resolve(value: unknown, spec: Json, types: Json, where: string): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    if (!spec.plain) return value;
    const output = value as any;
    if (!(await output.isKnown)) {
      throw new pulumi.InputPropertyError({
        propertyPath: where,
        reason: "must be known when the program runs: it decides which resources NatsCluster creates",
      });
    }
    value = await output.promise();
  }
  if (value === undefined || value === null) return value;
  if (Array.isArray(value) && spec.type === "array") {
    return Promise.all(value.map((v, i) => resolve(v, spec.items ?? {}, types, `${where}[${i}]`)));
  }
  if (!isPlainObject(value)) return value;
  if (spec.type === "object" && spec.additionalProperties) {
    return entries(value, () => spec.additionalProperties, types, where);
  }
  const objectSpec = objectTypeOf(spec, types);
  if (objectSpec) return entries(value, (k) => objectSpec.properties?.[k] ?? {}, types, where);
  return value;
}

async function entries(
  value: Record<string, unknown>,
  specOf: (key: string) => Json,
  types: Json,
  where: string,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await resolve(v, specOf(k), types, `${where}.${k}`);
  return out;
}

/** The object type a property refers to (directly, or as the object member of a oneOf). */
function objectTypeOf(spec: Json, types: Json): Json | undefined {
  const refs: string[] = [spec.$ref, ...(spec.oneOf ?? []).map((s: Json) => s.$ref)].filter(Boolean);
  for (const ref of refs) {
    if (!ref.startsWith("#/types/")) continue;
    const t = types[ref.slice(8)];
    if (t?.type === "object") return t;
  }
  return undefined;
}
