// A resource provider process driven over gRPC as the engine drives it: start
// it, read the port it prints, and call Check, Diff, Create, Read, Update and
// Delete. The dynamic provider host (tests/jetstream/host-client.ts) and the
// nats plugin (tests/provider/plugin-client.ts) both build on it.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are untyped JavaScript */
const provrpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb");
export const provproto: any = require("@pulumi/pulumi/proto/provider_pb");
const structproto: any = require("google-protobuf/google/protobuf/struct_pb");

export type Props = Record<string, unknown>;

const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(provproto.PropertyDiff.Kind).map(([name, n]) => [n as number, name]),
);

export function struct(value: Props) {
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

export interface Started {
  child: ChildProcess;
  client: any;
  stderr: string[];
}

/** Spawns a provider process and connects a client to the port it prints. */
export async function spawnProvider(
  what: string,
  command: string,
  args: string[],
  cwd: string,
): Promise<Started> {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}): ${stderr.join("")}`)));
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { child, client, stderr };
}

export class ProviderProcess {
  protected readonly child: ChildProcess;
  protected readonly client: any;
  readonly stderr: string[];

  protected constructor(started: Started) {
    this.child = started.child;
    this.client = started.client;
    this.stderr = started.stderr;
  }

  /** The process id (e.g. to read its memory from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  call(method: string, request: unknown): Promise<any> {
    return new Promise((resolve, reject) =>
      this.client[method](request, (err: Error | null, resp: unknown) => (err ? reject(err) : resolve(resp))),
    );
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

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}
