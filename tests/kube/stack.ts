// What the Kubernetes end-to-end tests share: a Pulumi stack of the test
// program (tests/kube/program) on the harness's control plane, the resource
// steps a preview or up prints, and the end of the component's detached
// port-forward.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { makeTempDir, repoRoot } from "../harness";
import { PulumiStack } from "../e2e/pulumi-cli";
import type { KubePlane } from "./control-plane";

/**
 * A stack of tests/kube/program in project `project`: the provider plugin on PATH,
 * KUBECONFIG and a private Helm home; `kubeconfig` and `chartRepo` already set.
 */
export async function createKubeStack(
  plane: KubePlane,
  project: string,
  stack: string,
): Promise<PulumiStack> {
  const dir = makeTempDir(`${project}-project`);
  const program = path.join(repoRoot(), "bin", "tests", "kube", "program", "index.js");
  assert.ok(fs.existsSync(program), `${program} is missing: run npm run build`);
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      `name: ${project}`,
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      `main: ${program}`,
      "",
    ].join("\n"),
  );
  fs.symlinkSync(path.join(repoRoot(), "node_modules"), path.join(dir, "node_modules"));
  const helm = makeTempDir("helm-home");
  const created = await PulumiStack.create(dir, stack, {
    ...plane.env(),
    HELM_CACHE_HOME: path.join(helm, "cache"),
    HELM_CONFIG_HOME: path.join(helm, "config"),
    HELM_DATA_HOME: path.join(helm, "data"),
  });
  await created.config("kubeconfig", plane.kubeconfig, true);
  await created.config("chartRepo", plane.chartRepoUrl);
  return created;
}

/** The pid of the process listening on 127.0.0.1:<port>, from ss. */
export function listenerPid(port: number): number | undefined {
  const out = execFileSync("ss", ["-tlnpH", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

/** Ends the component's port-forward on `localPort` (it outlives `pulumi up` by design), by its pid. */
export function stopPortForward(localPort: number | undefined): void {
  const pid = localPort ? listenerPid(localPort) : undefined;
  if (pid && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("port-forward"))
    process.kill(pid, "SIGKILL");
}

/** "op type" of each resource step a preview or up prints ("~ kubernetes:core/v1:ConfigMap"). */
export function resourceSteps(output: string): string[] {
  return output
    .split("\n")
    .map((l) => /^\s*(\+-|-\+|\+\+|--|\+|~|-)\s*([\w-]+:[\w/.-]+:\w+)[: ]/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}
