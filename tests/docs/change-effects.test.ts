import assert from "node:assert/strict";
import * as fs from "node:fs";
import { changeEffectsTable, jetstreamDocPath, withChangeEffects } from "../../sdk/codegen/change-effects";
import { streamFields } from "../../sdk/jetstream/tables/stream";
import { consumerFields } from "../../sdk/jetstream/tables/consumer";

describe("docs/jetstream.md: the change-effects table", () => {
  it("is generated from the current field tables (run npm run docs)", () => {
    const page = fs.readFileSync(jetstreamDocPath, "utf8");
    assert.equal(page, withChangeEffects(page));
  });
  it("has one row per field, with what a lowered limit and a consumer replacement do", () => {
    const text = changeEffectsTable();
    for (const row of streamFields) assert.match(text, new RegExp(`\\| Stream \\| \`${row.key}\` \\|`));
    for (const row of consumerFields) assert.match(text, new RegExp(`\\| Consumer \\| \`${row.key}\` \\|`));
    assert.match(
      text,
      /\| Stream \| `maxMsgs` \| update \| lowered below what is held: the server removes the oldest/,
    );
    assert.match(text, /\| KeyValue \| `history` \| update \| lowered below what is held/);
    assert.match(
      text,
      /\| Consumer \| `ackPolicy` \| replace \| .*interest.* \| resumes after its acknowledged position/,
    );
  });
});
