// The plugin provider for programs in other languages: the four JetStream
// resources call the same core (cores.*) as the TypeScript dynamic resources,
// and NatsCluster is constructed from sdk/cluster. Inputs arrive with the
// connection's credentials inline (and secret); the core takes plain values.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { cores, CONTROL_KEYS } from "../jetstream/core";
import type { AssetCore, DiffResult, Props } from "../jetstream/core";
import { reveal, conceal, serversCarryCredentials } from "./secrets";
import { sizeUnitsChange } from "../jetstream/dynamic-handlers";
import { quietly } from "../jetstream/quiet-refusals";
import type { Path } from "./secrets";
import { resolvePlainInputs } from "./plain-inputs";
import { components } from "../codegen/components";
import { OWNER_INPUT } from "../jetstream/ownership";

/* eslint-disable @typescript-eslint/no-explicit-any -- schema.json and gRPC payloads are free-form JSON */
type Json = Record<string, any>;

export { COMPONENT_TOKEN } from "../codegen/components";

/** Component tokens and the class exported by sdk/cluster that implements each. */
const COMPONENT_CLASSES: Record<string, string> = Object.fromEntries(
  components.map((c) => [c.token, c.className]),
);

const CORE_BY_TOKEN: Record<string, AssetCore> = {
  "nats:jetstream:Stream": cores.stream,
  "nats:jetstream:Consumer": cores.consumer,
  "nats:jetstream:KeyValue": cores.keyValue,
  "nats:jetstream:ObjectStore": cores.objectStore,
};

/** How one property changed, in the engine's terms (pulumirpc.PropertyDiff.Kind). */
export type PropertyDiffKind =
  "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

export interface DetailedDiffResult extends provider.DiffResult {
  detailedDiff: Record<string, PropertyDiffKind>;
}

/** The resource type of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop()!;
}

/** The repository's (or installed package's) schema.json, next to package.json. */
export function defaultSchemaPath(): string {
  return path.resolve(__dirname, "../../..", "schema.json");
}

export class NatsProvider implements provider.Provider {
  readonly version: string;
  private readonly spec: Json;
  /** Paths of the connection's credential fields, from the schema's `secret: true` marks. */
  readonly credentialPaths: Path[];

  constructor(private readonly schemaText: string) {
    this.spec = JSON.parse(schemaText);
    this.version = this.spec.version ?? "0.0.0";
    this.credentialPaths = secretPathsOf(this.spec, `${this.spec.name}:jetstream:Connection`, ["connection"]);
  }

  static fromFile(file = defaultSchemaPath()): NatsProvider {
    return new NatsProvider(fs.readFileSync(file, "utf8"));
  }

  async getSchema(): Promise<string> {
    return this.schemaText;
  }

  private core(urn: string): AssetCore {
    const type = typeOfUrn(urn);
    const core = CORE_BY_TOKEN[type];
    if (!core) throw new Error(`unknown resource type ${type} (${urn})`);
    return core;
  }

  check(urn: string, olds: any, news: any): Promise<provider.CheckResult> {
    return quietly(async () => this.checkInputs(urn, olds, news));
  }

  private checkInputs(urn: string, olds: any, news: any): provider.CheckResult {
    const core = this.core(urn);
    const revealed = plain(news);
    const { inputs, failures } = core.check(revealed);
    // The engine records check's result as the inputs. Generated SDKs do not
    // mark nested fields secret, so every credential field is made secret here
    // (secrets the SDK did mark stay wrapped), and `servers` too when a URL
    // carries user:pass@ or a token.
    const servers = (revealed.connection as Props | undefined)?.servers;
    const secretPaths = [...this.credentialPaths, ...(serversCarryCredentials(servers) ? [SERVERS] : [])];
    const extra = Object.fromEntries(Object.entries(inputs).filter(([k]) => !(k in revealed)));
    return {
      inputs: conceal({ ...news, ...extra, ...sizeUnitsChange(core, plain(olds), revealed) }, secretPaths),
      failures,
    };
  }

  diff(id: string, urn: string, olds: any, news: any): Promise<DetailedDiffResult> {
    return quietly(() => this.diffInputs(id, urn, olds, news));
  }

  private async diffInputs(id: string, urn: string, olds: any, news: any): Promise<DetailedDiffResult> {
    const before = plain(olds);
    const after = { ...plain(news), [OWNER_INPUT]: urn };
    const result = await this.core(urn).diff(id, before, after);
    return {
      changes: result.changes,
      replaces: result.replaces,
      deleteBeforeReplace: result.deleteBeforeReplace,
      detailedDiff: detailedDiff(result, before, after),
    };
  }

  async create(urn: string, inputs: any): Promise<provider.CreateResult> {
    const { value, secrets } = reveal(inputs);
    const { id, outs } = await quietly(() =>
      this.core(urn).create({ ...(value as Props), [OWNER_INPUT]: urn }),
    );
    return { id, outs: this.outputs(outs, secrets) };
  }

  async read(id: string, urn: string, props?: any): Promise<provider.ReadResult> {
    const { value, secrets } = reveal(props ?? {});
    const found = await quietly(() => this.core(urn).read(id, value as Props));
    // Gone behind the program's back: an empty id tells the engine so.
    if (!found) return { id: "", props: {} };
    const outs = this.outputs(found.props, secrets);
    const { info: _info, ...inputs } = outs;
    return { id: found.id, props: outs, inputs };
  }

  async update(id: string, urn: string, olds: any, news: any): Promise<provider.UpdateResult> {
    const { value, secrets } = reveal(news);
    const { outs } = await quietly(() =>
      this.core(urn).update(id, plain(olds), { ...(value as Props), [OWNER_INPUT]: urn }),
    );
    return { outs: this.outputs(outs, secrets) };
  }

  async delete(id: string, urn: string, props: any): Promise<void> {
    // The engine gives the plugin the URN: the deleting resource is the one it names.
    await quietly(() => this.core(urn).delete(id, { ...plain(props), [OWNER_INPUT]: urn }));
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    const className = COMPONENT_CLASSES[type];
    const spec = this.spec.resources[type];
    if (!className || !spec?.isComponent) throw new Error(`unknown component type ${type}`);
    const args = await resolvePlainInputs(inputs, spec.inputProperties, this.spec.types);
    // Loaded on first use: the JetStream resources do not need the cluster's dependencies.
    const Component = (require("../cluster") as Record<string, any>)[className];
    const component: pulumi.ComponentResource = new Component(name, args, options);
    const state: pulumi.Inputs = {};
    for (const key of Object.keys(spec.properties)) state[key] = (component as any)[key];
    return { urn: component.urn, state };
  }

  /** Outputs with the places that were secret in the inputs, and every credential field, secret again. */
  private outputs(outs: Props, inputSecrets: Path[]): Props {
    const servers = (outs.connection as Props | undefined)?.servers;
    const carry = serversCarryCredentials(servers) ? [SERVERS] : [];
    return conceal(outs, [...inputSecrets, ...this.credentialPaths, ...carry]);
  }
}

const SERVERS: Path = ["connection", "servers"];

function plain(value: unknown): Props {
  return (reveal(value ?? {}).value ?? {}) as Props;
}

/** Paths of the `secret: true` properties of an object type, followed through nested object types. */
export function secretPathsOf(schema: Json, token: string, at: string[], seen = new Set<string>()): Path[] {
  const type = schema.types?.[token];
  if (!type?.properties || seen.has(token)) return [];
  seen.add(token);
  const paths: Path[] = [];
  for (const [key, prop] of Object.entries<Json>(type.properties)) {
    if (prop.secret) paths.push([...at, key]);
    const ref: string | undefined = prop.$ref;
    if (ref?.startsWith("#/types/")) paths.push(...secretPathsOf(schema, ref.slice(8), [...at, key], seen));
  }
  return paths;
}

/**
 * The engine's per-property view of the core's diff: each changed field as an
 * addition, deletion or update, and a replacement where the server cannot
 * apply it in place. Changes of the control inputs (connection,
 * allowDataLoss, adopt...) are updates.
 */
export function detailedDiff(result: DiffResult, olds: Props, news: Props): Record<string, PropertyDiffKind> {
  const out: Record<string, PropertyDiffKind> = {};
  for (const f of result.fields) {
    const base =
      olds[f.property] === undefined ? "ADD" : news[f.property] === undefined ? "DELETE" : "UPDATE";
    out[f.property] = f.kind === "replace" ? (`${base}_REPLACE` as PropertyDiffKind) : base;
  }
  // The owner (the resource's URN, see ownership.ts) changes with an alias rename: recorded by an update.
  if (news[OWNER_INPUT] !== undefined && olds[OWNER_INPUT] !== news[OWNER_INPUT]) out[OWNER_INPUT] = "UPDATE";
  // Credentials travel inside `connection` in the plugin's inputs.
  for (const key of CONTROL_KEYS.filter((k) => k !== "credentials") as string[]) {
    if (key in out || JSON.stringify(olds[key]) === JSON.stringify(news[key])) continue;
    if (typeof (olds[key] ?? news[key]) === "boolean" && Boolean(olds[key]) === Boolean(news[key])) continue;
    out[key] = olds[key] === undefined ? "ADD" : news[key] === undefined ? "DELETE" : "UPDATE";
  }
  return out;
}
