// Drives @pulumi/pulumi's dynamic provider host over gRPC, as the engine does:
// start the host process, read its port, and call Configure, Check, Diff,
// Create, Read, Update and Delete with the serialized provider in `__provider`.
import * as path from "node:path";
import { repoRoot } from "../harness";
import { ProviderProcess, spawnProvider } from "../support/provider-client";

export type { Props } from "../support/provider-client";

export class DynamicHost extends ProviderProcess {
  static async start(cwd = repoRoot()): Promise<DynamicHost> {
    const host = path.join(repoRoot(), "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");
    const started = await spawnProvider(
      "dynamic provider host",
      process.execPath,
      [host, "127.0.0.1:1"],
      cwd,
    );
    const self = new DynamicHost(started);
    await self.configure();
    return self;
  }
}
