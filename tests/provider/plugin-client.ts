// Drives the nats plugin (bin/sdk/provider/main.js) over gRPC as the engine
// does: start the process with an engine address, read the port it prints,
// and call GetSchema, CheckConfig, Configure, Check, Diff, Create, Read,
// Update, Delete and Construct.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { repoRoot } from "../harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are untyped JavaScript */
const provrpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto: any = require("@pulumi/pulumi/proto/provider_pb");
const pluginproto: any = require("@pulumi/pulumi/proto/plugin_pb");
const emptyproto: any = require("google-protobuf/google/protobuf/empty_pb");
const structproto: any = require("google-protobuf/google/protobuf/struct_pb");

export type Props = Record<string, unknown>;

const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(provproto.PropertyDiff.Kind).map(([name, n]) => [n as number, name]),
);

export class PluginProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    readonly stderr: string[],
  ) {}

  /** Starts the plugin as the engine would: `<entry> <engine-address>`. */
  static async start(engineAddress = "127.0.0.1:1"): Promise<PluginProcess> {
    const entry = path.join(repoRoot(), "sdk/provider/pulumi-resource-nats");
    const child = spawn(entry, [engineAddress], { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`plugin exited (${code}): ${stderr.join("")}`)));
      child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PluginProcess(child, client, stderr);
  }

  call(method: string, request: unknown): Promise<any> {
    return new Promise((resolve, reject) =>
      this.client[method](request, (err: Error | null, resp: unknown) => (err ? reject(err) : resolve(resp))),
    );
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

  async configure() {
    const resp = await this.call("configure", new provproto.ConfigureRequest().setArgs(struct({})));
    return { acceptSecrets: resp.getAcceptsecrets() as boolean, acceptResources: resp.getAcceptresources() };
  }

  async check(urn: string, olds: Props, news: Props) {
    const resp = await this.call(
      "check",
      new provproto.CheckRequest().setUrn(urn).setOlds(struct(olds)).setNews(struct(news)),
    );
    return {
      inputs: resp.getInputs().toJavaScript() as Props,
      failures: resp
        .getFailuresList()
        .map((f: any) => ({ property: f.getProperty() as string, reason: f.getReason() as string })) as {
        property: string;
        reason: string;
      }[],
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props) {
    const resp = await this.call(
      "diff",
      new provproto.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)),
    );
    const changes = resp.getChanges();
    const detailed: Record<string, string> = {};
    for (const [key, diff] of resp.getDetaileddiffMap().entries()) detailed[key] = KIND_NAMES[diff.getKind()];
    return {
      changes:
        changes === provproto.DiffResponse.DiffChanges.DIFF_SOME
          ? "some"
          : changes === provproto.DiffResponse.DiffChanges.DIFF_NONE
            ? "none"
            : "unknown",
      replaces: resp.getReplacesList() as string[],
      deleteBeforeReplace: resp.getDeletebeforereplace() as boolean,
      hasDetailedDiff: resp.getHasdetaileddiff() as boolean,
      detailed,
    };
  }

  async create(urn: string, props: Props) {
    const resp = await this.call(
      "create",
      new provproto.CreateRequest().setUrn(urn).setProperties(struct(props)),
    );
    return { id: resp.getId() as string, outs: resp.getProperties().toJavaScript() as Props };
  }

  async read(urn: string, id: string, props: Props) {
    const resp = await this.call(
      "read",
      new provproto.ReadRequest().setUrn(urn).setId(id).setProperties(struct(props)),
    );
    return {
      id: resp.getId() as string,
      props: resp.getProperties()?.toJavaScript() as Props,
      inputs: resp.getInputs()?.toJavaScript() as Props | undefined,
    };
  }

  async update(urn: string, id: string, olds: Props, news: Props) {
    const resp = await this.call(
      "update",
      new provproto.UpdateRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)),
    );
    return { outs: resp.getProperties().toJavaScript() as Props };
  }

  async delete(urn: string, id: string, props: Props) {
    await this.call(
      "delete",
      new provproto.DeleteRequest().setUrn(urn).setId(id).setProperties(struct(props)),
    );
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

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}

export { provproto, pluginproto };

export function struct(value: Props) {
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}
