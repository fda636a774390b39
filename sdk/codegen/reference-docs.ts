// docs/jetstream-reference.md, generated from the field tables: every field
// of every JetStream resource with its server name, type, default, change
// rule and minimum server version. `npm run docs` writes it; a test fails
// when the committed page is out of date.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Field, SchemaType } from "../jetstream/fields";
import { streamFields } from "../jetstream/tables/stream";
import { consumerFields } from "../jetstream/tables/consumer";
import { keyValueFields, objectStoreFields } from "../jetstream/tables/bucket";
import { jetstreamDocPath, writeChangeEffects } from "./change-effects";
import { consumerInfoFields, streamInfoFields } from "./info";
import type { InfoField } from "./info";

const sections: [string, string, readonly Field[]][] = [
  ["Stream", "A stream's configuration.", streamFields],
  ["Consumer", "A durable consumer's configuration.", consumerFields],
  [
    "KeyValue",
    "A KV bucket (stream `KV_<bucket>`); server names are the underlying stream's.",
    keyValueFields,
  ],
  [
    "ObjectStore",
    "An object store (stream `OBJ_<bucket>`); server names are the underlying stream's.",
    objectStoreFields,
  ],
];

function typeText(t: SchemaType): string {
  switch (t.type) {
    case "string":
      return t.enum ? t.enum.map((v) => `\`${v}\``).join(" | ") : "string";
    case "array":
      return `list of ${typeText(t.items)}`;
    case "object":
      return `map of ${typeText(t.additionalProperties)}`;
    case "ref":
      return t.name;
    case "oneOf":
      return t.oneOf.map(typeText).join(" or ");
    default:
      return t.type;
  }
}

function ruleText(row: Field): string {
  if (row.change === "update") return "update in place";
  if (row.change === "replace") return "**replace**";
  if (row.change === "oneWay") return "on: update; off: **replace**";
  return "depends (see docs)";
}

const escape = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function referenceDocs(): string {
  const out = [
    "# JetStream resources: field reference",
    "",
    "Generated from the field tables in `sdk/jetstream/tables/` by `npm run docs`; do not edit.",
    'Durations accept `"30s"`, `"1h30m"`, `"7d"`, `"250ms"` or milliseconds; sizes accept',
    '`"10GiB"` (binary), `"10GB"` (decimal) or bytes. Every resource also takes `connection`,',
    "`allowDataLoss` and `adopt` (see jetstream.md).",
    "",
  ];
  for (const [name, intro, rows] of sections) {
    out.push(
      `## ${name}`,
      "",
      intro,
      "",
      "| field | server | type | default | on change | since | description |",
    );
    out.push("| --- | --- | --- | --- | --- | --- | --- |");
    for (const row of rows) {
      const server = row.wire.startsWith("_") ? "(identity)" : `\`${row.wire}\``;
      out.push(
        `| \`${row.key}\` | ${server} | ${escape(typeText(row.codec.schema))} | ${escape(row.defaultDoc ?? "")} | ` +
          `${ruleText(row)} | ${row.since ?? ""} | ${escape(row.doc)} |`,
      );
    }
    out.push("");
  }
  out.push(...infoSection());
  return out.join("\n");
}

const infoSections: [string, string, InfoField[]][] = [
  ["Stream, KeyValue and ObjectStore: `info`", "The underlying stream's state.", streamInfoFields],
  ["Consumer: `info`", "The consumer's position and lag.", consumerInfoFields],
];

/** The `info` outputs (jetstream/tables/info.ts): read from the answer of every create, update and refresh. */
function infoSection(): string[] {
  const out = [
    "## Outputs",
    "",
    "Every resource outputs `info`, what the server answered to the last create, update or",
    "`pulumi refresh` (the same API call, none added). It is never compared: a counter that moves",
    "does not make a change. Optional keys are absent when the server has no value.",
    "",
  ];
  for (const [name, intro, rows] of infoSections) {
    out.push(`### ${name}`, "", intro, "", "| key | type | description |", "| --- | --- | --- |");
    for (const row of rows) {
      const optional = row.optional ? " (optional)" : "";
      out.push(`| \`${row.key}\` | ${row.type}${optional} | ${escape(row.doc)} |`);
    }
    out.push("");
  }
  return out;
}

export const referencePath = path.join(__dirname, "..", "..", "..", "docs", "jetstream-reference.md");

if (require.main === module) {
  fs.writeFileSync(referencePath, referenceDocs());
  console.log(`wrote ${referencePath}`);
  writeChangeEffects();
  console.log(`wrote the change-effects table of ${jetstreamDocPath}`);
}
