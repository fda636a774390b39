// The Node.js the tests (and so the README's commands and CI) run on: every
// installed package must accept it (npm's EBADENGINE otherwise), package.json's
// engines must not promise more than the dependencies allow, and the Pulumi
// CLI runs (language host, plugin, dynamic provider) get the same `node` from
// the PATH they inherit. scripts/node-env.sh pins it; install-node.sh installs it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { repoRoot } from "../harness";

interface PackageJson {
  name?: string;
  version?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
}

const readJson = (file: string): PackageJson => JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;

/** Every package.json under node_modules (scoped and nested ones too). */
function installedPackages(nodeModules: string): Array<{ dir: string; pkg: PackageJson }> {
  const found: Array<{ dir: string; pkg: PackageJson }> = [];
  const visit = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith(".")) continue;
      const sub = path.join(dir, e.name);
      if (e.name.startsWith("@")) {
        visit(sub);
        continue;
      }
      const file = path.join(sub, "package.json");
      if (fs.existsSync(file)) {
        found.push({ dir: sub, pkg: readJson(file) });
        visit(path.join(sub, "node_modules"));
      }
    }
  };
  visit(nodeModules);
  return found;
}

/** The pin in scripts/node-env.sh, as bash reads it. */
function pinned(): { version: string; minMajor: number } {
  const out = execFileSync(
    "bash",
    ["-c", '. scripts/node-env.sh && echo "$PULUMI_NATS_NODE_VERSION $PULUMI_NATS_NODE_MIN_MAJOR"'],
    { cwd: repoRoot(), encoding: "utf8" },
  ).trim();
  const [version, minMajor] = out.split(" ");
  return { version, minMajor: Number(minMajor) };
}

describe("the Node.js runtime", () => {
  const root = repoRoot();
  const own = readJson(path.join(root, "package.json"));

  it("is accepted by the engines field of every installed package (no EBADENGINE)", () => {
    const refused = installedPackages(path.join(root, "node_modules"))
      .filter(({ pkg }) => pkg.engines?.node && semver.validRange(pkg.engines.node))
      .filter(
        ({ pkg }) => !semver.satisfies(process.version, pkg.engines!.node!, { includePrerelease: true }),
      )
      .map(({ pkg }) => `${pkg.name}@${pkg.version} needs node ${pkg.engines!.node}`);
    assert.deepEqual(refused, [], `node ${process.version} is refused by: ${refused.join("; ")}`);
  });

  it("package.json's engines promises no Node a runtime dependency refuses", () => {
    const ours = own.engines?.node;
    assert.ok(ours, "package.json has no engines.node");
    const looser = Object.keys(own.dependencies ?? {})
      .map((name) => readJson(path.join(root, "node_modules", name, "package.json")))
      .filter((dep) => dep.engines?.node && semver.validRange(dep.engines.node))
      .filter((dep) => !semver.subset(ours, dep.engines!.node!))
      .map((dep) => `${dep.name}@${dep.version} needs ${dep.engines!.node}`);
    assert.deepEqual(looser, [], `engines.node "${ours}" is looser than: ${looser.join("; ")}`);
  });

  it("matches the pin: engines' minimum is the pin's minimum major, and the pinned version satisfies it", () => {
    const pin = pinned();
    assert.equal(semver.minVersion(own.engines!.node!)?.major, pin.minMajor);
    assert.ok(semver.satisfies(pin.version, own.engines!.node!), `pinned ${pin.version} is outside engines`);
    assert.ok(semver.major(pin.version) % 2 === 0, `pinned ${pin.version} is not an LTS line (even major)`);
  });

  it("is the `node` that Pulumi CLI runs find on their PATH (language host, plugin, dynamic provider)", () => {
    // tests/e2e/pulumi-cli.ts hands the CLI process.env's PATH (with the CLI's
    // directory in front, which holds no node): the first node there is what runs.
    const onPath = execFileSync("node", ["--version"], { encoding: "utf8", env: process.env }).trim();
    assert.ok(
      semver.satisfies(onPath, own.engines!.node!),
      `the node on PATH is ${onPath}, outside engines ${own.engines!.node}: source scripts/node-env.sh after bash scripts/install-node.sh`,
    );
  });
});
