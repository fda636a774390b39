// Drives the nats plugin (bin/sdk/provider/main.js) over gRPC as the engine
// does: start the process with an engine address, read the port it prints,
// and call GetSchema, CheckConfig, Configure, Check, Diff, Create, Read,
// Update, Delete and Construct.
import * as path from "node:path";
import { repoRoot } from "../harness";
import { ProviderProcess, spawnProvider, provproto, struct } from "../support/provider-client";
import type { Props } from "../support/provider-client";

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are untyped JavaScript */
const pluginproto: any = require("@pulumi/pulumi/proto/plugin_pb");
const emptyproto: any = require("google-protobuf/google/protobuf/empty_pb");

export type { Props };

export class PluginProcess extends ProviderProcess {
  /** Starts the plugin as the engine would: `<entry> <engine-address>`. */
  static async start(engineAddress = "127.0.0.1:1"): Promise<PluginProcess> {
    const entry = path.join(repoRoot(), "sdk/provider/pulumi-resource-nats");
    return new PluginProcess(await spawnProvider("plugin", entry, [engineAddress], repoRoot()));
  }

  async getSchema(): Promise<string> {
    return (await this.call("getSchema", new provproto.GetSchemaRequest())).getSchema();
  }

  async pluginVersion(): Promise<string> {
    return (await this.call("getPluginInfo", new emptyproto.Empty())).getVersion();
  }

  async checkConfig(news: Props) {
    const resp = await this.call(
      "checkConfig",
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:test::project::pulumi:providers:nats::default")
        .setOlds(struct({}))
        .setNews(struct(news)),
    );
    return { inputs: resp.getInputs()?.toJavaScript() as Props, failures: resp.getFailuresList().length };
  }

  /** Construct, as the engine sends it for a remote component; the plugin registers children with `monitor`. */
  async construct(type: string, name: string, inputs: Props, monitor: string, dryRun = false) {
    const req = new provproto.ConstructRequest()
      .setProject("project")
      .setStack("test")
      .setOrganization("organization")
      .setDryrun(dryRun)
      .setParallel(4)
      .setMonitorendpoint(monitor)
      .setType(type)
      .setName(name)
      .setInputs(struct(inputs))
      .setAcceptsOutputValues(true);
    const resp = await this.call("construct", req);
    return { urn: resp.getUrn() as string, state: resp.getState()?.toJavaScript() as Props };
  }
}

export { provproto, pluginproto, struct };
