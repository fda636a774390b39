// The schema's shape as SDK generators read it (defects found by generating
// SDKs, issue 17): `servers` a list (Python's generator refuses a union of
// string and list), always-present outputs required (plain values in Go, no
// .Elem()), a Go module path with a go.mod, and a JetStream-only schema that
// needs no kubernetes plugin. scripts/check-sdks.sh generates and compiles
// the SDKs themselves.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../harness";
import { buildSchema, jetstreamOnlySchema, GO_MODULE, PACKAGE } from "../../sdk/codegen/schema";

/* eslint-disable @typescript-eslint/no-explicit-any -- schema.json is free-form JSON */
type Json = Record<string, any>;

const refsIn = (node: unknown): string[] =>
  Array.isArray(node)
    ? node.flatMap(refsIn)
    : node && typeof node === "object"
      ? Object.entries(node).flatMap(([k, v]) => (k === "$ref" && typeof v === "string" ? [v] : refsIn(v)))
      : [];

describe("schema.json for SDK generators", function () {
  this.timeout(60_000);
  let schema: Json;
  before(() => {
    schema = JSON.parse(fs.readFileSync(path.join(repoRoot(), "schema.json"), "utf8"));
  });

  it("types Connection.servers as a list of strings only", () => {
    assert.deepEqual(
      {
        type: schema.types["nats:jetstream:Connection"].properties.servers.type,
        items: schema.types["nats:jetstream:Connection"].properties.servers.items,
      },
      { type: "array", items: { type: "string" } },
    );
  });

  it("marks the outputs every server answer carries as required", () => {
    assert.deepEqual(schema.types["nats:jetstream:StreamInfo"].required, [
      "streamName",
      "messages",
      "bytes",
      "firstSeq",
      "lastSeq",
      "deletedCount",
      "subjectCount",
      "consumerCount",
      "created",
    ]);
    assert.deepEqual(schema.types["nats:jetstream:ConsumerInfo"].required, [
      "streamName",
      "pending",
      "ackPending",
      "redelivered",
      "waiting",
      "deliveredStreamSeq",
      "deliveredConsumerSeq",
      "ackFloorStreamSeq",
      "ackFloorConsumerSeq",
      "created",
    ]);
    for (const [token, r] of Object.entries(schema.resources as Json)) {
      if (!token.startsWith(`${PACKAGE}:jetstream:`)) continue;
      assert.ok(r.requiredOutputs.includes("info") && r.requiredOutputs.includes("connection"), token);
    }
  });

  it("gives the Go SDK a module path, so the generator writes its go.mod", () => {
    assert.equal(schema.meta.supportPack, true);
    assert.equal(schema.language.go.modulePath, GO_MODULE);
    assert.ok(schema.language.go.importBasePath.startsWith(`${GO_MODULE}/`));
    assert.equal(`https://${GO_MODULE}`, `${schema.repository}/sdk/go`);
  });

  it("has a JetStream-only form without NatsCluster and without the kubernetes reference", () => {
    const full = buildSchema(schema.version);
    assert.ok(
      refsIn(full).some((r) => r.startsWith("/kubernetes/")),
      "the full schema has no kubernetes reference",
    );
    const only = jetstreamOnlySchema(full);
    assert.deepEqual(Object.keys(only.resources).sort(), [
      "nats:jetstream:Consumer",
      "nats:jetstream:KeyValue",
      "nats:jetstream:ObjectStore",
      "nats:jetstream:Stream",
    ]);
    const refs = refsIn(only);
    assert.deepEqual(
      refs.filter((r) => !r.startsWith("#/types/") && r !== "pulumi.json#/Any"),
      [],
      "references outside the package remain",
    );
    for (const r of refs.filter((x) => x.startsWith("#/types/")))
      assert.ok(only.types[r.slice("#/types/".length)], `${r} does not resolve`);
    assert.ok(!JSON.stringify(only).includes("kubernetes"), "a kubernetes dependency remains");
  });
});
