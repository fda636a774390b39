// The tutorial's EVENTS stream keeps exactly 10 GiB wherever a user copies it
// from: the README, the default program (Pulumi.yaml runs examples/local) and
// the examples.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSize } from "../../sdk/jetstream/units";
import { repoRoot } from "../harness";

const TEN_GIB = 1024 * 1024 * 1024 * 10;
const FILES = [
  "README.md",
  "examples/local/index.ts",
  "examples/aws/index.ts",
  "examples/gcp/index.ts",
  "examples/multi-cloud/index.ts",
];

describe("the tutorial's EVENTS stream size", () => {
  for (const file of FILES) {
    it(`${file}: EVENTS keeps 1024 * 1024 * 1024 * 10 bytes`, () => {
      const text = fs.readFileSync(path.join(repoRoot(), file), "utf8");
      const sizes = [...text.matchAll(/maxBytes:\s*("[^"]*"|\d+)/g)].map((m) => JSON.parse(m[1]));
      assert.ok(sizes.length > 0, `${file} declares maxBytes`);
      for (const size of sizes) assert.equal(parseSize(size), TEN_GIB, `${file}: ${size}`);
    });
  }
  it("the default program is examples/local", () => {
    const yaml = fs.readFileSync(path.join(repoRoot(), "Pulumi.yaml"), "utf8");
    assert.match(yaml, /main: bin\/examples\/local\/index\.js/);
  });
});
