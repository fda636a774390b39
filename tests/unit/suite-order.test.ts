// .mocharc.json lists the test folders in the order scripts/test.sh needs:
// those that need only nats-server first; a gate, then the tests of the
// Pulumi CLI; a gate, then the control plane's and monitoring's tests; a gate,
// then NatsCluster on the control plane through the CLI (the gates wait for
// the builds test.sh runs in the background). A folder left out of the list
// would silently not run: every test file must be matched.
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

/** Whether a test file runs the real Pulumi CLI (through tests/e2e/pulumi-cli.ts or tests/kube/stack.ts). */
const runsCli = (file: string): boolean =>
  /from "\.\.\/e2e\/pulumi-cli"|from "\.\/pulumi-cli"|from "\.\/stack"/.test(fs.readFileSync(file, "utf8"));

/** The source of a compiled test file. */
const sourceOf = (compiled: string): string =>
  path.join(repoRoot(), compiled.replace(/^bin\//, "").replace(/\.js$/, ".ts"));

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

  it("runs each test after the gate of the builds it needs, and the others before every gate", () => {
    const gate = (name: string) => specs.indexOf(`bin/tests/gates/${name}.test.js`);
    const gates = ["pulumi", "control-plane", "kubernetes-provider"].map(gate);
    assert.ok(
      gates[0] >= 0 && gates[1] > gates[0] && gates[2] > gates[1],
      "the three gates are listed, in order",
    );
    for (const file of files) {
      if (file.startsWith("bin/tests/gates/")) continue;
      const needs = file.startsWith("bin/tests/e2e/")
        ? "pulumi"
        : file.startsWith("bin/tests/kube/") && runsCli(sourceOf(file))
          ? "kubernetes-provider"
          : file.startsWith("bin/tests/kube/") || file.startsWith("bin/tests/monitoring/")
            ? "control-plane"
            : undefined;
      const index = specIndex(file);
      if (needs) assert.ok(index > gate(needs), `${file} runs before the ${needs} gate`);
      else assert.ok(index < gate("pulumi"), `${file} needs no build: it belongs before the gates`);
    }
  });

  it("keeps every test that runs the Pulumi CLI in tests/e2e or tests/kube, after the gates", () => {
    const misplaced = testFiles(path.join(repoRoot(), "tests"))
      .filter(runsCli)
      .map((file) => path.relative(repoRoot(), file))
      .filter((file) => !file.startsWith("tests/e2e/") && !file.startsWith("tests/kube/"));
    assert.deepEqual(misplaced, []);
  });
});
