// .mocharc.json lists the test folders in the order scripts/test.sh needs:
// those that need only nats-server first; then, each after its gate, the
// tests of the Pulumi CLI, the control plane's own, NatsCluster on the
// control plane through the CLI, and monitoring's (the gates wait for the
// builds test.sh runs in the background). A folder left out of the list
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

/** The gates of tests/gates, in the order the background builds finish. */
const GATES = ["pulumi", "control-plane", "kubernetes-provider", "monitoring"] as const;
type Gate = (typeof GATES)[number];

/** The gate a compiled test file must come after: the last build it needs. */
function gateFor(file: string): Gate | undefined {
  if (file === "bin/tests/kube/monitoring.test.js" || file.startsWith("bin/tests/monitoring/"))
    return "monitoring";
  if (file.startsWith("bin/tests/kube/"))
    return runsCli(sourceOf(file)) ? "kubernetes-provider" : "control-plane";
  if (file.startsWith("bin/tests/e2e/")) return "pulumi";
  return undefined;
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

  it("runs each test after the gate of the builds it needs, and the others before every gate", () => {
    const gate = (name: Gate) => specs.indexOf(`bin/tests/gates/${name}.test.js`);
    const order = GATES.map(gate);
    assert.ok(
      order.every((index, k) => index >= 0 && (k === 0 || index > order[k - 1])),
      `the gates are listed in this order: ${GATES.join(", ")}`,
    );
    for (const file of files) {
      if (file.startsWith("bin/tests/gates/")) continue;
      const needs = gateFor(file);
      const index = specIndex(file);
      if (needs) {
        assert.ok(index > gate(needs), `${file} runs before the ${needs} gate`);
      } else assert.ok(index < gate(GATES[0]), `${file} needs no build: it belongs before the gates`);
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
