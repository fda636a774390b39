// schema.json: valid against Pulumi's package metaschema, up to date with the
// code that generates it, and complete (every table row, secret credentials,
// the component).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { repoRoot } from "../harness";
import { buildSchema, schemaText, jetstreamResources, COMPONENT_TOKEN } from "../../sdk/codegen/schema";
import type { Field } from "../../sdk/jetstream/fields";
import { CONTROL_KEYS } from "../../sdk/jetstream/core";
import { InterfaceReader } from "../../sdk/codegen/ts-reader";

/* eslint-disable @typescript-eslint/no-explicit-any -- schema.json is free-form JSON */
type Json = Record<string, any>;

// CI clones the repository with the shared/ folder beside it, as here.
const METASCHEMA = path.join(repoRoot(), "..", "shared", "data", "pulumi-package-metaschema.json");
const root = repoRoot();
const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;

describe("schema.json", function () {
  this.timeout(60_000);
  let committed: string;
  let schema: Json;

  before(() => {
    committed = fs.readFileSync(path.join(root, "schema.json"), "utf8");
    schema = JSON.parse(committed);
  });

  it("is valid against Pulumi's package metaschema", function () {
    if (!fs.existsSync(METASCHEMA)) this.skip();
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(METASCHEMA, "utf8")));
    const ok = validate(schema);
    assert.ok(
      ok,
      `schema.json is not a valid Pulumi package schema:\n${JSON.stringify(validate.errors, null, 2)}`,
    );
  });

  it("is what the generator produces now (run `npm run schema` when this fails)", () => {
    const fresh = schemaText(version);
    if (fresh !== committed) {
      const a = committed.split("\n");
      const b = fresh.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(
        `schema.json is out of date: run \`npm run schema\` and commit it. First difference at line ${line + 1}:\n` +
          `  committed: ${a[line]}\n  generated: ${b[line]}`,
      );
    }
  });

  it("has only references that resolve to a declared type", () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") refs.push(x);
          else walk(x);
        }
      }
    };
    walk(schema);
    for (const ref of refs) {
      if (ref.startsWith("#/types/")) assert.ok(schema.types[ref.slice(8)], `dangling ${ref}`);
      else assert.match(ref, /^(pulumi\.json#\/Any|\/kubernetes\/v[\d.]+\/schema\.json#\/provider)$/);
    }
  });

  for (const r of jetstreamResources) {
    it(`describes ${r.token} with every row of its table, documented`, () => {
      const res = schema.resources[r.token];
      assert.ok(res, `${r.token} is missing`);
      for (const row of r.rows as readonly Field[]) {
        const prop = res.inputProperties[row.key];
        assert.ok(prop, `${r.token}: row ${row.key} has no input property`);
        assert.ok(
          prop.description?.startsWith(row.doc),
          `${r.token}.${row.key}: description is not the row's doc`,
        );
        if (row.defaultDoc)
          assert.ok(prop.description.includes(`@default ${row.defaultDoc}`), `${row.key}: no @default`);
        if (row.change === "replace")
          assert.match(prop.description, /replace/i, `${row.key}: no replacement note`);
        if (row.since)
          assert.ok(prop.description.includes(`nats-server ${row.since}`), `${row.key}: no version`);
        assert.ok(res.properties[row.key], `${r.token}: row ${row.key} is not an output`);
      }
      for (const key of CONTROL_KEYS.filter((k) => k !== "credentials")) {
        assert.ok(res.inputProperties[key]?.description, `${r.token}: ${key} missing or undocumented`);
      }
      assert.ok(res.properties.info, `${r.token}: no info output`);
      assert.deepEqual(res.requiredInputs, ["connection", ...r.identity]);
    });
  }

  // Nested fields of sdk/cluster/args.ts that have no JSDoc yet (asked of the
  // cluster's author); remove entries as they get documented.
  const KNOWN_UNDOCUMENTED = [
    "nats:index:AwsPlatformSystemNodes.instanceType",
    "nats:index:AwsPlatformSystemNodes.count",
    "nats:index:GcpPlatformExistingCluster.name",
    "nats:index:GcpPlatformExistingCluster.location",
    "nats:index:GcpPlatformSystemNodes.machineType",
    "nats:index:GcpPlatformSystemNodes.nodesPerZone",
    "nats:index:Toleration.key",
    "nats:index:Toleration.operator",
    "nats:index:Toleration.value",
    "nats:index:Toleration.effect",
    "nats:index:Toleration.tolerationSeconds",
    "nats:index:GatewayTlsCa.certPem",
    "nats:index:GatewayTlsCa.keyPem",
  ];

  it("documents every property of every type", () => {
    const undocumented: string[] = [];
    for (const [token, t] of Object.entries<Json>(schema.types)) {
      for (const [key, p] of Object.entries<Json>(t.properties ?? {}))
        if (!p.description) undocumented.push(`${token}.${key}`);
    }
    for (const [token, r] of Object.entries<Json>(schema.resources)) {
      for (const key of Object.keys(r.inputProperties))
        if (!r.inputProperties[key].description) undocumented.push(`${token}(in).${key}`);
      for (const key of Object.keys(r.properties))
        if (!r.properties[key].description) undocumented.push(`${token}(out).${key}`);
    }
    assert.deepEqual(
      undocumented.filter((u) => !KNOWN_UNDOCUMENTED.includes(u)),
      [],
    );
  });

  it("marks the connection's credentials secret, and nothing else of it", () => {
    // The core's Credentials (kept apart as secrets by the dynamic resources): tlsKey is tls.key.
    const core = path.join(root, "sdk/jetstream/core.ts");
    const credentials = new InterfaceReader([core], { resourceRefs: {} })
      .read(core, "Credentials")
      .props.map((p) => (p.name === "tlsKey" ? "tls.key" : p.name))
      .sort();
    const conn = schema.types["nats:jetstream:Connection"].properties;
    const tls = schema.types["nats:jetstream:ConnectionTls"].properties;
    const secret = [
      ...Object.keys(conn).filter((k) => conn[k].secret),
      ...Object.keys(tls)
        .filter((k) => tls[k].secret)
        .map((k) => `tls.${k}`),
    ].sort();
    assert.ok(credentials.includes("password"));
    assert.deepEqual(secret, credentials);
    for (const r of jetstreamResources) {
      assert.equal(
        schema.resources[r.token].inputProperties.connection.$ref,
        "#/types/nats:jetstream:Connection",
      );
    }
  });

  it("describes NatsCluster as a component with its args and outputs", () => {
    const c = schema.resources[COMPONENT_TOKEN];
    assert.equal(c.isComponent, true);
    assert.deepEqual(c.requiredInputs, ["platform", "zones"]);
    for (const key of [
      "platform",
      "zones",
      "replicas",
      "jetstream",
      "resources",
      "auth",
      "tls",
      "access",
      "chart",
    ]) {
      assert.ok(c.inputProperties[key], `input ${key}`);
    }
    // Graph-shaping args are plain values; the planner must see them.
    assert.equal(c.inputProperties.zones.plain, true);
    assert.equal(c.inputProperties.replicas.type, "integer");
    // Args that flow into a resource accept Outputs.
    const aws = schema.types["nats:index:AwsPlatform"].properties;
    assert.equal(aws.subnetIds.plain, true);
    assert.equal(aws.subnetIds.additionalProperties.plain, undefined);
    assert.equal(aws.ebsKmsKeyId.plain, undefined);
    assert.equal(
      schema.types["nats:index:KubernetesPlatform"].properties.provider.$ref,
      "/kubernetes/v4.34.2/schema.json#/provider",
    );
    assert.equal(c.properties.connection.$ref, "#/types/nats:jetstream:Connection");
    for (const key of ["appPassword", "systemPassword", "kubeconfig", "connection"]) {
      assert.equal(c.properties[key].secret, true, `${key} is secret`);
    }
    assert.equal(c.properties.namespace.secret, undefined);
    assert.ok(c.requiredOutputs.includes("connection"));
    assert.ok(!c.requiredOutputs.includes("caCert"), "caCert may be undefined");
  });

  it("names its enums' values after the `as const` objects", () => {
    const zone = schema.types["nats:index:ZoneSpread"];
    assert.deepEqual(
      zone.enum.map((v: Json) => [v.name, v.value]),
      [
        ["Hard", "hard"],
        ["Soft", "soft"],
      ],
    );
    assert.ok(zone.enum[0].description);
    assert.deepEqual(
      schema.types["nats:jetstream:Retention"].enum.map((v: Json) => v.value),
      ["limits", "interest", "workqueue"],
    );
  });

  it("is deterministic", () => {
    assert.equal(JSON.stringify(buildSchema(version)), JSON.stringify(buildSchema(version)));
  });

  it("documents defaults and replacements of the component's args from their JSDoc", () => {
    const c = schema.resources[COMPONENT_TOKEN];
    assert.match(c.inputProperties.replicas.description, /@default 3$/);
    assert.match(
      schema.types["nats:index:AwsNode"].properties.instanceType.description,
      /replaces the node groups/,
    );
  });
});
