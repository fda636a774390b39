// Drives @pulumi/pulumi's dynamic provider host over gRPC, as the engine does:
// start the host process, read its port, and call Configure, Check, Diff,
// Create, Read, Update and Delete with the serialized provider in `__provider`.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { repoRoot } from "../harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are untyped JavaScript */
const provrpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto: any = require("@pulumi/pulumi/proto/provider_pb");
const structproto: any = require("google-protobuf/google/protobuf/struct_pb");

export type Props = Record<string, unknown>;

export class DynamicHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    readonly stderr: string[],
  ) {}

  /** The host process's id (e.g. to read its memory from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(cwd = repoRoot()): Promise<DynamicHost> {
    const host = path.join(repoRoot(), "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");
    const child = spawn(process.execPath, [host, "127.0.0.1:1"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.once("exit", (code) =>
        reject(new Error(`dynamic provider host exited (${code}): ${stderr.join("")}`)),
      );
      child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const self = new DynamicHost(child, client, stderr);
    await self.call(
      "configure",
      new provproto.ConfigureRequest().setArgs(structproto.Struct.fromJavaScript({})),
    );
    return self;
  }

  private call(method: string, request: unknown): Promise<any> {
    return new Promise((resolve, reject) =>
      this.client[method](request, (err: Error | null, resp: unknown) => (err ? reject(err) : resolve(resp))),
    );
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
        .map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props) {
    const resp = await this.call(
      "diff",
      new provproto.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)),
    );
    const changes = resp.getChanges();
    return {
      changes:
        changes === provproto.DiffResponse.DiffChanges.DIFF_SOME
          ? "some"
          : changes === provproto.DiffResponse.DiffChanges.DIFF_NONE
            ? "none"
            : "unknown",
      replaces: resp.getReplacesList() as string[],
      deleteBeforeReplace: resp.getDeletebeforereplace() as boolean,
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
    return { id: resp.getId() as string, props: resp.getProperties()?.toJavaScript() as Props };
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

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}

function struct(value: Props) {
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}
