// .mocharc.json lists the test folders in the order scripts/test.sh needs:
// those that need only nats-server first, then a gate, then the tests of the
// Pulumi CLI, another gate, then the control plane and monitoring tests (the
// gates wait for the builds test.sh runs in the background). A folder left out
// of the list would silently not run: every test file must be matched.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";

const specs: string[] = JSON.parse(fs.readFileSync(path.join(repoRoot(), ".mocharc.json"), "utf8")).spec;

/** The index of the first spec that matches a compiled test file (exact file, or `<dir>/**\/*.test.js`). */
function specIndex(compiled: string): number {
  return specs.findIndex((spec) =>
    spec.endsWith("/**/*.test.js")
      ? compiled.startsWith(spec.slice(0, -"**/*.test.js".length))
      : compiled === spec,
  );
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith(".test.ts") ? [file] : [];
  });
}

const compiledOf = (file: string): string =>
  path.join("bin", path.relative(repoRoot(), file)).split(path.sep).join("/").replace(/\.ts$/, ".js");

describe("the suite's order (.mocharc.json)", () => {
  const files = testFiles(path.join(repoRoot(), "tests")).map(compiledOf);

  it("runs every test file under tests/", () => {
    assert.ok(files.length > 50, `found only ${files.length} test files`);
    assert.deepEqual(
      files.filter((file) => specIndex(file) < 0),
      [],
      "add these folders or files to the spec list of .mocharc.json",
    );
  });

  it("runs the tests of the Pulumi CLI after its gate, and the control plane's and monitoring's after theirs", () => {
    const gate = (name: string) => specs.indexOf(`bin/tests/gates/${name}.test.js`);
    assert.ok(
      gate("pulumi") >= 0 && gate("control-plane") > gate("pulumi"),
      "both gates are in the list, in order",
    );
    for (const file of files) {
      const index = specIndex(file);
      const needs = file.startsWith("bin/tests/e2e/")
        ? "pulumi"
        : file.startsWith("bin/tests/kube/") || file.startsWith("bin/tests/monitoring/")
          ? "control-plane"
          : undefined;
      if (needs) assert.ok(index > gate(needs), `${file} runs before the ${needs} gate`);
      else if (!file.startsWith("bin/tests/gates/"))
        assert.ok(index < gate("pulumi"), `${file} needs no build: it belongs before the gates`);
    }
  });

  it("keeps every test that runs the Pulumi CLI in tests/e2e or tests/kube, after the gates", () => {
    const runsCli = (file: string) =>
      /from "\.\.\/e2e\/pulumi-cli"|from "\.\/pulumi-cli"|from "\.\/stack"/.test(
        fs.readFileSync(file, "utf8"),
      );
    const misplaced = testFiles(path.join(repoRoot(), "tests"))
      .filter(runsCli)
      .map((file) => path.relative(repoRoot(), file))
      .filter((file) => !file.startsWith("tests/e2e/") && !file.startsWith("tests/kube/"));
    assert.deepEqual(misplaced, []);
  });
});
