// Builds the Pulumi package schema (schema.json) from the code: the JetStream
// field tables (rows with their codecs, docs, defaults and change rules), the
// connection and control inputs as declared in TypeScript, and the
// NatsCluster args and outputs interfaces read with the compiler API.
// `npm run schema` writes it; tests/schema fails when the committed file is
// out of date.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Field, SchemaType } from "../jetstream/fields";
import { streamFields } from "../jetstream/tables/stream";
import { consumerFields } from "../jetstream/tables/consumer";
import { keyValueFields, objectStoreFields } from "../jetstream/tables/bucket";
import { InterfaceReader, pascal } from "./ts-reader";
import type { PropIR, TypeIR } from "./ts-reader";
import { streamInfoFields, consumerInfoFields } from "./info";
import { components } from "./components";

export { components, COMPONENT_TOKEN } from "./components";
import type { InfoField } from "./info";

export const PACKAGE = "nats";
/** A dependency's pinned version in package.json (the Kubernetes provider type, the SDK requirements). */
export function dependencyVersion(name: string): string {
  const pkg = JSON.parse(fs.readFileSync(repoPath("package.json"), "utf8"));
  const version: string | undefined = pkg.dependencies?.[name];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`codegen: ${name} is not pinned in package.json`);
  return version;
}
/**
 * The package's repository: the Go SDK's module path derives from it
 * (`<repository>/sdk/go`, with a go.mod; packages `.../sdk/go/nats` and
 * `.../sdk/go/nats/jetstream`).
 */
export const REPOSITORY = "github.com/pulumi-nats/pulumi-nats";
export const GO_MODULE = `${REPOSITORY}/sdk/go`;
export const GO_IMPORT_BASE = `${GO_MODULE}/nats`;

/* eslint-disable @typescript-eslint/no-explicit-any -- schema.json is free-form JSON */
type Json = Record<string, any>;

/** The JetStream resources: token, table, what the asset is called and its identity inputs. */
export const jetstreamResources = [
  {
    token: "nats:jetstream:Stream",
    rows: streamFields,
    label: "stream",
    identity: ["name"],
    info: streamInfoFields,
    doc: "A JetStream stream. Changes are applied in place where the server allows it; a change it cannot apply replaces the stream (deleted first: two streams cannot share a name), and a replacement or deletion that would destroy messages is refused unless `allowDataLoss` is set.",
  },
  {
    token: "nats:jetstream:Consumer",
    rows: consumerFields,
    label: "consumer",
    identity: ["stream", "name"],
    info: consumerInfoFields,
    doc: "A durable JetStream consumer (pull, or push with `deliverSubject`).",
  },
  {
    token: "nats:jetstream:KeyValue",
    rows: keyValueFields,
    label: "bucket",
    identity: ["bucket"],
    info: streamInfoFields,
    doc: "A JetStream key/value bucket (stream `KV_<bucket>`). A replacement or deletion that would destroy values is refused unless `allowDataLoss` is set.",
  },
  {
    token: "nats:jetstream:ObjectStore",
    rows: objectStoreFields,
    label: "object store",
    identity: ["bucket"],
    info: streamInfoFields,
    doc: "A JetStream object store (stream `OBJ_<bucket>`). A replacement or deletion that would destroy objects is refused unless `allowDataLoss` is set.",
  },
] as const;

function repoPath(...parts: string[]): string {
  // bin/sdk/codegen -> repository root, or sdk/codegen when run from source.
  const up = __dirname.includes(`${path.sep}bin${path.sep}`) ? "../../.." : "../..";
  return path.resolve(__dirname, up, ...parts);
}

export function buildSchema(version: string): Json {
  const kubernetes = dependencyVersion("@pulumi/kubernetes");
  const pulumiVersion = dependencyVersion("@pulumi/pulumi");
  const major = (v: string) => Number(v.split(".")[0]);
  const types: Json = {};
  const resources: Json = {};

  const addType = (token: string, spec: Json) => {
    const existing = types[token];
    if (existing && JSON.stringify(existing) !== JSON.stringify(spec)) {
      throw new Error(`codegen: two different types named ${token}`);
    }
    types[token] = spec;
  };

  // ---- TypeScript declarations: connection, control inputs, the component -----
  const files = {
    connection: repoPath("sdk/jetstream/connection-args.ts"),
    dynamic: repoPath("sdk/jetstream/dynamic.ts"),
  };
  // Every source file of both parts, so types imported from anywhere in them resolve.
  const sources = ["sdk/jetstream", "sdk/cluster"].flatMap((dir) => tsFiles(repoPath(dir)));
  const reader = new InterfaceReader([...new Set([...Object.values(files), ...sources])], {
    resourceRefs: { "k8s.Provider": `/kubernetes/v${kubernetes}/schema.json#/provider` },
  });

  const typeRef = (t: TypeIR, plain: boolean): Json => {
    const mark = plain ? { plain: true } : {};
    switch (t.kind) {
      case "string":
      case "integer":
      case "number":
      case "boolean":
        return { type: t.kind, ...mark };
      case "array":
        return { type: "array", items: typeRef(t.items, plain && !t.input), ...mark };
      case "map":
        return { type: "object", additionalProperties: typeRef(t.values, plain && !t.input), ...mark };
      case "oneOf":
        return { oneOf: t.of.map((x) => typeRef(x, plain)), ...mark };
      case "ref":
        return { $ref: t.ref, ...mark };
      case "any":
        return { $ref: "pulumi.json#/Any", ...mark };
      case "enum": {
        const token = `${PACKAGE}:${t.module}:${t.name}`;
        addType(token, {
          type: "string",
          ...(t.doc ? { description: t.doc } : {}),
          enum: t.values.map((v) => ({
            ...(v.name ? { name: v.name } : {}),
            value: v.value,
            ...(v.doc ? { description: v.doc } : {}),
          })),
        });
        return { $ref: `#/types/${token}`, ...mark };
      }
      case "object": {
        const token = `${PACKAGE}:${t.module}:${t.name}`;
        if (!types[token]) {
          types[token] = {}; // placeholder against recursion
          types[token] = {
            type: "object",
            ...(t.doc ? { description: t.doc } : {}),
            properties: properties(t.props, true),
            ...required(t.props),
          };
        }
        return { $ref: `#/types/${token}`, ...mark };
      }
    }
  };

  /** Properties of an interface; `component` marks plain (non-Input) values `plain`. */
  function properties(props: PropIR[], component: boolean): Json {
    return Object.fromEntries(
      props.map((p) => [
        p.name,
        {
          ...typeRef(p.type, component && !p.input),
          description: describe(p.doc, p.defaultDoc),
          ...(p.secret ? { secret: true } : {}),
        },
      ]),
    );
  }

  const connection = reader.read(files.connection, "ConnectionArgs");
  const connectionType = typeRef(
    {
      kind: "object",
      name: "Connection",
      module: "jetstream",
      doc: connection.doc,
      // `servers` is a list in every other language: Python's generator
      // refuses a union of string and list ("Unexpected type. Expected
      // 'list'"). TypeScript programs may still pass a comma-separated string.
      props: connection.props.map((p) =>
        p.name === "servers" ? { ...p, type: { kind: "array", items: { kind: "string" }, input: true } } : p,
      ),
    },
    false,
  );
  const assetArgs = reader.read(files.dynamic, "AssetArgs");
  const control = properties(
    assetArgs.props.filter((p) => p.name !== "connection"),
    false,
  );
  const connectionDoc = assetArgs.props.find((p) => p.name === "connection")!;

  // ---- JetStream resources from the field tables --------------------------------
  const rowTypes = new Map<string, readonly Field[]>();
  const collect = (rows: readonly Field[]) => {
    for (const row of rows) {
      const nested = (row.codec as { rows?: readonly Field[] }).rows;
      const name = row.codec.schema.type === "ref" ? row.codec.schema.name : undefined;
      if (nested && name && !rowTypes.has(name)) {
        rowTypes.set(name, nested);
        collect(nested);
      }
    }
  };
  for (const r of jetstreamResources) collect(r.rows);

  const codecType = (s: SchemaType, row: Field): Json => {
    switch (s.type) {
      case "string": {
        if (!s.enum) return { type: "string" };
        // A closed set of the server's strings: an enum named after the field (Retention, AckPolicy).
        const token = `${PACKAGE}:jetstream:${pascal(row.key)}`;
        addType(token, { type: "string", enum: s.enum.map((value) => ({ value })) });
        return { $ref: `#/types/${token}` };
      }
      case "integer":
      case "number":
      case "boolean":
        return { type: s.type };
      case "array":
        return { type: "array", items: codecType(s.items, row) };
      case "object":
        return { type: "object", additionalProperties: codecType(s.additionalProperties, row) };
      case "oneOf":
        return { oneOf: s.oneOf.map((x) => codecType(x, row)) };
      case "ref": {
        const token = `${PACKAGE}:jetstream:${s.name}`;
        const rows = rowTypes.get(s.name);
        if (!rows) throw new Error(`codegen: no rows for the nested type ${s.name}`);
        if (!types[token]) {
          types[token] = {}; // placeholder against recursion
          types[token] = {
            type: "object",
            properties: Object.fromEntries(rows.map((r) => [r.key, rowProperty(r, "")])),
          };
        }
        return { $ref: `#/types/${token}` };
      }
    }
  };

  const rowProperty = (row: Field, label: string): Json => ({
    ...codecType(row.codec.schema, row),
    description: rowDoc(row, label),
  });

  for (const r of jetstreamResources) {
    const infoToken = r.info === consumerInfoFields ? "ConsumerInfo" : "StreamInfo";
    addType(`${PACKAGE}:jetstream:${infoToken}`, infoType(r.info, infoToken));
    const inputs: Json = {
      connection: {
        ...connectionType,
        description: describe(connectionDoc.doc, connectionDoc.defaultDoc),
      },
      ...Object.fromEntries(r.rows.map((row) => [row.key, rowProperty(row, r.label)])),
      ...control,
    };
    resources[r.token] = {
      description: r.doc,
      inputProperties: inputs,
      requiredInputs: ["connection", ...r.identity],
      properties: {
        ...inputs,
        info: {
          $ref: `#/types/${PACKAGE}:jetstream:${infoToken}`,
          description: "What the server reported after the last create, update or refresh.",
        },
      },
      requiredOutputs: ["connection", ...r.identity, "info"],
    };
  }

  // ---- the components ------------------------------------------------------------
  for (const c of components) {
    const args = reader.read(repoPath(c.args.file), c.args.name);
    const outputs = reader.read(repoPath(c.outputs.file), c.outputs.name);
    resources[c.token] = {
      isComponent: true,
      description: c.doc,
      inputProperties: properties(args.props, true),
      requiredInputs: args.props.filter((p) => !p.optional).map((p) => p.name),
      properties: properties(outputs.props, false),
      requiredOutputs: outputs.props.filter((p) => !p.optional).map((p) => p.name),
    };
  }

  return {
    name: PACKAGE,
    displayName: "NATS",
    version,
    description:
      "Production NATS with JetStream on Kubernetes and its streams, consumers, KV buckets and object stores, with truthful previews.",
    keywords: ["pulumi", "nats", "jetstream", "kubernetes", "kind/component", "category/infrastructure"],
    license: "Apache-2.0",
    repository: `https://${REPOSITORY}`,
    // supportPack: SDKs as `pulumi package pack-sdk` expects them; the Go
    // generator then writes go.mod (module GO_MODULE).
    meta: { moduleFormat: "(.*)", supportPack: true },
    language: {
      nodejs: {
        packageName: "pulumi-nats",
        dependencies: { "@pulumi/pulumi": `^${pulumiVersion}`, "@pulumi/kubernetes": `^${kubernetes}` },
        respectSchemaVersion: true,
      },
      python: {
        packageName: "pulumi_nats",
        requires: {
          pulumi: `>=${major(pulumiVersion)}.0.0,<${major(pulumiVersion) + 1}.0.0`,
          "pulumi-kubernetes": `>=${kubernetes},<${major(kubernetes) + 1}.0.0`,
        },
        respectSchemaVersion: true,
      },
      go: {
        importBasePath: GO_IMPORT_BASE,
        modulePath: GO_MODULE,
        generateResourceContainerTypes: true,
        respectSchemaVersion: true,
      },
      csharp: {
        rootNamespace: "Pulumi",
        namespaces: { nats: "Nats", jetstream: "JetStream" },
        packageReferences: {
          Pulumi: `${major(pulumiVersion)}.*`,
          "Pulumi.Kubernetes": `${major(kubernetes)}.*`,
        },
        respectSchemaVersion: true,
      },
    },
    config: {},
    provider: { description: "The nats provider: serves NatsCluster and the JetStream resources." },
    types: sortKeys(types),
    resources: sortKeys(resources),
  };
}

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? tsFiles(path.join(dir, e.name))
        : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort();
}

function required(props: PropIR[]): Json {
  const names = props.filter((p) => !p.optional).map((p) => p.name);
  return names.length ? { required: names } : {};
}

function infoType(fields: InfoField[], name: string): Json {
  return {
    type: "object",
    description: `${name === "ConsumerInfo" ? "A consumer's" : "A stream's"} state as the server reported it.`,
    properties: Object.fromEntries(fields.map((f) => [f.key, { type: f.type, description: f.doc }])),
    // What every answer of the server carries: plain values, not pointers,
    // in the Go SDK (no .Elem()).
    required: fields.filter((f) => !f.optional).map((f) => f.key),
  };
}

/** A description with the `@default` tag last, as in the TypeScript docs. */
export function describe(doc: string, defaultDoc?: string): string {
  return defaultDoc !== undefined && defaultDoc !== "" ? `${doc}\n\n@default ${defaultDoc}` : doc;
}

/** A row's description: its doc, the server version it needs, its change rule and its default. */
export function rowDoc(row: Field, label: string): string {
  let doc = row.doc;
  if (row.since) doc += ` Needs nats-server ${row.since} or later.`;
  const what = label ? `the ${label}` : "the object it belongs to";
  if (row.change === "replace" && !/replac/i.test(doc)) doc += ` Changing this replaces ${what}.`;
  if (row.change === "oneWay" && !/replac/i.test(doc)) doc += ` Turning it off replaces ${what}.`;
  return describe(doc, row.defaultDoc);
}

function sortKeys(o: Json): Json {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/**
 * The schema without NatsCluster: the JetStream resources alone, whose SDKs
 * need no Kubernetes provider (NatsCluster's `platform.kubernetes.provider`
 * refers to the kubernetes package's schema, which SDK generation loads from
 * the kubernetes plugin). `node bin/sdk/codegen/write-schema.js --jetstream-only <file>`.
 */
export function jetstreamOnlySchema(schema: Json): Json {
  const resources = Object.fromEntries(
    Object.entries(schema.resources as Json).filter(([token]) => token.startsWith(`${PACKAGE}:jetstream:`)),
  );
  // Keep the types reachable from what is left.
  const keep = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/types/")) {
        const token = value.slice("#/types/".length);
        if (!keep.has(token)) {
          keep.add(token);
          visit(schema.types[token]);
        }
      } else visit(value);
    }
  };
  visit(resources);
  const types = Object.fromEntries(Object.entries(schema.types as Json).filter(([token]) => keep.has(token)));
  const language = structuredClone(schema.language) as Json;
  delete language.nodejs.dependencies["@pulumi/kubernetes"];
  delete language.python.requires["pulumi-kubernetes"];
  delete language.csharp.packageReferences["Pulumi.Kubernetes"];
  return {
    ...schema,
    description: `${schema.description} (JetStream resources only.)`,
    keywords: (schema.keywords as string[]).filter((k) => k !== "kubernetes" && k !== "kind/component"),
    language,
    types,
    resources,
  };
}

/** The schema as written to schema.json (stable formatting, trailing newline). */
export function schemaText(version: string): string {
  return JSON.stringify(buildSchema(version), null, 2) + "\n";
}
