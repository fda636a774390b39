import assert from "node:assert/strict";
import * as fs from "node:fs";
import { referenceDocs, referencePath } from "../../sdk/codegen/reference-docs";
import { streamFields } from "../../sdk/jetstream/tables/stream";

describe("docs/jetstream-reference.md", () => {
  it("is generated from the current field tables (run npm run docs)", () => {
    assert.equal(fs.readFileSync(referencePath, "utf8"), referenceDocs());
  });
  it("documents every stream field with its change rule", () => {
    const text = referenceDocs();
    for (const row of streamFields) assert.match(text, new RegExp(`\\| \`${row.key}\` \\|`));
    assert.match(text, /\| `storage` \| `storage` \| `file` \\\| `memory` \| file \| \*\*replace\*\* \|/);
  });
});
