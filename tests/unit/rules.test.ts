// The version-dependent change rules of the tables, for servers the test
// battery does not run (the real-server tests pin what 2.14.2 does).
import assert from "node:assert/strict";
import { streamFields } from "../../sdk/jetstream/tables/stream";
import { consumerFields } from "../../sdk/jetstream/tables/consumer";
import { keyValueFields } from "../../sdk/jetstream/tables/bucket";
import type { Field } from "../../sdk/jetstream/fields";
import { parseVersion } from "../../sdk/jetstream/version";

function rule(rows: readonly Field[], key: string, old: unknown, next: unknown, version?: string): string {
  const row = rows.find((r) => r.key === key);
  assert.ok(row, key);
  const change = row.change;
  if (change === "update" || change === "replace") return change;
  if (change === "oneWay") return old === true && next !== true ? "replace" : "update";
  return change({ old, next, version: version ? parseVersion(version) : undefined }).kind;
}

describe("change rules by server version", () => {
  const cases: [string, unknown, unknown, string | undefined, string][] = [
    ["maxConsumers", 10, 20, "2.12.4", "replace"],
    ["maxConsumers", 10, 20, "2.12.5", "update"],
    ["maxConsumers", 10, 20, "2.14.2", "update"],
    ["maxConsumers", 10, 20, undefined, "replace"],
    ["retention", "limits", "interest", "2.9.25", "replace"],
    ["retention", "limits", "interest", "2.10.0", "update"],
    ["retention", "interest", "limits", "2.14.2", "update"],
    ["retention", "limits", "workqueue", "2.14.2", "replace"],
    ["retention", "workqueue", "interest", "2.14.2", "replace"],
    ["mirror", { name: "A" }, undefined, "2.11.9", "replace"],
    ["mirror", { name: "A" }, undefined, "2.12.0", "update"],
    ["mirror", { name: "A" }, { name: "B" }, "2.14.2", "replace"],
    ["mirror", undefined, { name: "A" }, "2.14.2", "replace"],
    ["republish", undefined, { src: ">", dest: "x.>" }, "2.9.25", "replace"],
    ["republish", undefined, { src: ">", dest: "x.>" }, "2.10.0", "update"],
    ["sealed", false, true, "2.14.2", "update"],
    ["sealed", true, false, "2.14.2", "replace"],
    ["denyDelete", true, undefined, "2.14.2", "replace"],
    ["allowMsgTtl", true, false, "2.14.2", "replace"],
    ["allowMsgSchedules", undefined, true, "2.14.2", "update"],
    ["storage", "file", "memory", "2.14.2", "replace"],
    ["firstSeq", 1, 100, "2.14.2", "replace"],
    ["replicas", 1, 3, "2.14.2", "update"],
  ];
  for (const [key, old, next, version, want] of cases) {
    it(`stream ${key}: ${JSON.stringify(old)} -> ${JSON.stringify(next)} on ${version ?? "an unknown version"} is ${want}`, () => {
      assert.equal(rule(streamFields, key, old, next, version), want);
    });
  }

  it("consumer: adding or removing a deliver subject replaces, changing it updates", () => {
    assert.equal(rule(consumerFields, "deliverSubject", undefined, "d", "2.14.2"), "replace");
    assert.equal(rule(consumerFields, "deliverSubject", "d", undefined, "2.14.2"), "replace");
    assert.equal(rule(consumerFields, "deliverSubject", "d", "e", "2.14.2"), "update");
  });

  it("KV: removing the limit marker TTL replaces (per-message TTLs stay on), changing it updates", () => {
    assert.equal(rule(keyValueFields, "limitMarkerTtl", 60e9, undefined), "replace");
    assert.equal(rule(keyValueFields, "limitMarkerTtl", 60e9, 120e9), "update");
    assert.equal(rule(keyValueFields, "limitMarkerTtl", undefined, 60e9), "update");
  });

  it("every function rule gives a reason when it replaces", () => {
    for (const rows of [streamFields, consumerFields, keyValueFields] as readonly (readonly Field[])[]) {
      for (const row of rows) {
        if (typeof row.change !== "function") continue;
        for (const [old, next] of [
          [{ name: "A" }, undefined],
          ["limits", "workqueue"],
          [60e9, undefined],
          [undefined, "d"],
          [10, 20],
        ]) {
          const result = row.change({ old, next, version: parseVersion("2.9.0") });
          if (result.kind === "replace") assert.ok(result.why, `${row.key} replaces without a reason`);
        }
      }
    }
  });
});
