// Runs an example under examples/ with the real CLI without installing it:
// a temporary project whose Pulumi.yaml points at the example's compiled
// program, with node_modules linked to the repository's.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../harness";

export function exampleProject(example: string): { dir: string; dispose: () => void } {
  const root = repoRoot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-nats-${example}-`));
  const program = path.join(root, "bin", "examples", example, "index.js");
  if (!fs.existsSync(program)) throw new Error(`${program} is missing: run npm run build`);
  const source = fs.readFileSync(path.join(root, "examples", example, "Pulumi.yaml"), "utf8");
  const name = /^name:\s*(\S+)/m.exec(source)?.[1] ?? example;
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      `name: ${name}`,
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      `main: ${path.relative(dir, program)}`,
      "",
    ].join("\n"),
  );
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A temporary project running `program` (JavaScript text) with the repository's node_modules linked:
 * for end-to-end tests that write their program inline. The caller removes the returned folder.
 */
export function inlineProject(name: string, program: string): string {
  const root = repoRoot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-nats-${name}-`));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
  );
  fs.writeFileSync(path.join(dir, "index.js"), program);
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}
