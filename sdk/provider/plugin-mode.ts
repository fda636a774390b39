// Serving the plugin from the package itself (PulumiPlugin.yaml, runtime
// nodejs): the engine's nodejs language host runs
// `node @pulumi/pulumi/cmd/run-plugin <package dir> <engine address>`, which
// requires the package's main module. If that module exports a
// ComponentResource class, run-plugin would then start
// @pulumi/pulumi/provider/experimental's component host, which infers the
// schema from TypeScript (and fails on this API) and serves no custom
// resources. So the main module calls `startIfRunAsPlugin(module)` first:
// when run-plugin itself required it, this starts our provider, and the
// component host's own `main` call returns at once (`main` serves once per
// process).
import * as path from "node:path";

const RUN_PLUGIN = `${path.sep}@pulumi${path.sep}pulumi${path.sep}cmd${path.sep}run-plugin${path.sep}`;

/** Whether `mod` was required by run-plugin as the plugin's program (not imported by a program or another plugin). */
export function isRunPluginProgram(mod: NodeJS.Module | undefined): boolean {
  // `module.parent` is deprecated for lack of a replacement, not removed; it is exactly the requirer.
  const parent = (mod as { parent?: NodeJS.Module | null } | undefined)?.parent;
  return Boolean(parent?.filename?.includes(RUN_PLUGIN));
}

/** Starts the nats provider when `mod` (the package's main module) is run as the plugin. */
export function startIfRunAsPlugin(mod: NodeJS.Module): boolean {
  if (!isRunPluginProgram(mod)) return false;
  const { serve } = require("./serve") as typeof import("./serve");
  const { NatsProvider } = require("./provider") as typeof import("./provider");
  serve(NatsProvider.fromFile(), process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
  return true;
}
