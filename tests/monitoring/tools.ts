// The monitoring test tools scripts/install-promtool.sh builds into .cache/bin.
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../harness";

/** Absolute path of a tool in .cache/bin; a clear error naming the install script when absent. */
export function monitoringTool(name: "promtool" | "prometheus-nats-exporter"): string {
  const file = path.join(repoRoot(), ".cache", "bin", name);
  if (!fs.existsSync(file))
    throw new Error(
      `${name} is not in ${path.dirname(file)}: run \`bash scripts/install-promtool.sh\` first.`,
    );
  return file;
}
