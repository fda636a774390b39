// A gate in the suite's order (.mocharc.json): everything after it runs the
// real Pulumi CLI and the YAML language host, which scripts/test.sh builds in
// the background while the tests before this file run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";
import { awaitBuilds } from "../support/background-builds";

describe("gate: the Pulumi CLI and language hosts are built", function () {
  // A cold build of the CLI takes several minutes on 2 cores.
  this.timeout(45 * 60_000);

  it("has pulumi, pulumi-language-nodejs and pulumi-language-yaml in .cache/pulumi/bin", async () => {
    await awaitBuilds(["pulumi", "pulumi-yaml"]);
    const bin = path.join(repoRoot(), ".cache", "pulumi", "bin");
    for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-language-yaml"])
      assert.ok(fs.existsSync(path.join(bin, name)), `${name} is not in ${bin}: run bash scripts/test.sh`);
  });
});
