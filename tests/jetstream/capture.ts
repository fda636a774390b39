// Captures what a JetStream resource registers with the engine, under
// Pulumi's mocks: its inputs, with the serialized provider in `__provider`
// and secret inputs still wrapped as the engine stores them.
import * as pulumi from "@pulumi/pulumi";

/** The marker Pulumi wraps secret values in on the wire. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface Registration {
  type: string;
  name: string;
  /** Inputs as registered (secrets wrapped). */
  inputs: Record<string, unknown>;
  /** Top-level inputs registered as secrets. */
  secretInputs: string[];
  /** Inputs as the engine hands them to a provider that does not accept secrets. */
  plain: Record<string, unknown>;
}

/** Runs `declare` under mocks and returns every registration it made. */
export async function captureRegistrations(declare: () => void): Promise<Registration[]> {
  const registrations: Registration[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        registrations.push({
          type: args.type,
          name: args.name,
          inputs,
          secretInputs: Object.keys(inputs).filter((k) => isSecret(inputs[k])),
          plain: unwrap(inputs) as Record<string, unknown>,
        });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    true,
  );
  declare();
  // Let the registrations (and the provider's serialization) finish.
  for (let i = 0; i < 100 && registrations.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  return registrations;
}

function isSecret(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[SECRET_SIG] !== undefined
  );
}

function unwrap(value: unknown): unknown {
  if (isSecret(value)) return unwrap((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}
