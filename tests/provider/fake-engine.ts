// Just enough of the Pulumi engine for Construct over gRPC: a resource
// monitor that records registrations and echoes inputs as outputs, and the
// engine service the SDK logs to. Unimplemented methods answer UNIMPLEMENTED
// (the SDK then falls back, e.g. from GetDeploymentInfo to SupportsFeature).
import * as grpc from "@grpc/grpc-js";

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are untyped JavaScript */
const resrpc: any = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resproto: any = require("@pulumi/pulumi/proto/resource_pb");
const enginerpc: any = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineproto: any = require("@pulumi/pulumi/proto/engine_pb");
const emptyproto: any = require("google-protobuf/google/protobuf/empty_pb");
const structproto: any = require("google-protobuf/google/protobuf/struct_pb");

export interface Registration {
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  remote: boolean;
  inputs: Record<string, unknown>;
}

// "transforms": the real engine (3.260) has it; the NatsCluster's chart carries one (ops/storage-growth.ts).
const SUPPORTED = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "deletedWith",
  "aliasSpecs",
  "transforms",
]);

export class FakeEngine {
  readonly registrations: Registration[] = [];
  readonly outputs = new Map<string, Record<string, unknown>>();
  readonly logs: string[] = [];
  address = "";
  private constructor(private readonly server: grpc.Server) {}

  static async start(): Promise<FakeEngine> {
    const server = new grpc.Server();
    const self = new FakeEngine(server);
    const ok = (cb: (e: unknown, r?: unknown) => void) => cb(null, new emptyproto.Empty());
    server.addService(resrpc.ResourceMonitorService, {
      supportsFeature(call: any, cb: any) {
        cb(null, new resproto.SupportsFeatureResponse().setHassupport(SUPPORTED.has(call.request.getId())));
      },
      registerResource(call: any, cb: any) {
        const req = call.request;
        const parent: string = req.getParent();
        const parentType = parent ? `${parent.split("::")[2]}$` : "";
        const urn = `urn:pulumi:test::project::${parentType}${req.getType()}::${req.getName()}`;
        const inputs = req.getObject()?.toJavaScript() ?? {};
        self.registrations.push({
          type: req.getType(),
          name: req.getName(),
          parent,
          custom: req.getCustom(),
          remote: req.getRemote(),
          inputs,
        });
        const resp = new resproto.RegisterResourceResponse()
          .setUrn(urn)
          .setId(req.getCustom() ? `${req.getName()}-id` : "")
          .setObject(structproto.Struct.fromJavaScript(inputs));
        cb(null, resp);
      },
      registerResourceOutputs(call: any, cb: any) {
        self.outputs.set(call.request.getUrn(), call.request.getOutputs()?.toJavaScript() ?? {});
        ok(cb);
      },
      invoke(_call: any, cb: any) {
        cb(null, new resproto.InvokeResponse().setReturn(structproto.Struct.fromJavaScript({})));
      },
    });
    server.addService(enginerpc.EngineService, {
      log(call: any, cb: any) {
        self.logs.push(call.request.getMessage());
        ok(cb);
      },
      getRootResource(_call: any, cb: any) {
        cb(null, new engineproto.GetRootResourceResponse().setUrn(""));
      },
      setRootResource(_call: any, cb: any) {
        cb(null, new engineproto.SetRootResourceResponse());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    self.address = `127.0.0.1:${port}`;
    return self;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
