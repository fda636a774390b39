// Serves the provider with @pulumi/pulumi/provider's `main` (the gRPC server,
// Construct with its runtime set-up, Configure, GetSchema, CRUD), adding what
// its server leaves out: a detailed diff (which property changes, and whether
// as an update or a replacement), and CheckConfig/DiffConfig, which it answers
// with "not implemented" (this provider has no configuration).
//
// `main` builds its gRPC service object internally; the only place to extend
// it is where it is registered (`grpc.Server.prototype.addService`, from the
// @grpc/grpc-js that @pulumi/pulumi itself loads). The patch is installed for
// the synchronous part of `main` only and removed right after.
// tests/provider checks over gRPC that the detailed diff arrives.
import * as path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import type { NatsProvider, PropertyDiffKind } from "./provider";

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated gRPC stubs are untyped JavaScript */
type Callback = (err: unknown, resp?: unknown) => void;
interface Call {
  request: any;
}

function pulumiRequire(id: string): any {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return require(require.resolve(id, { paths: [pulumiDir] }));
}

const DIFF_PATH = "/pulumirpc.ResourceProvider/Diff";

export function serve(provider: NatsProvider, args: string[]): Promise<void> {
  const grpc = pulumiRequire("@grpc/grpc-js");
  const proto = grpc.Server.prototype;
  const addService = proto.addService;
  proto.addService = function (this: unknown, service: any, implementation: any) {
    const extended = service?.diff?.path === DIFF_PATH ? extend(implementation, provider) : implementation;
    return addService.call(this, service, extended);
  };
  try {
    return main(provider, args);
  } finally {
    proto.addService = addService;
  }
}

/** The service object of `main`, with Diff, CheckConfig and DiffConfig replaced. */
export function extend(base: object, provider: NatsProvider): object {
  const provproto = require("@pulumi/pulumi/proto/provider_pb");
  const Kind = provproto.PropertyDiff.Kind;
  const kinds: Record<PropertyDiffKind, number> = {
    ADD: Kind.ADD,
    ADD_REPLACE: Kind.ADD_REPLACE,
    DELETE: Kind.DELETE,
    DELETE_REPLACE: Kind.DELETE_REPLACE,
    UPDATE: Kind.UPDATE,
    UPDATE_REPLACE: Kind.UPDATE_REPLACE,
  };
  const Changes = provproto.DiffResponse.DiffChanges;
  const overrides = {
    async diff(call: Call, callback: Callback) {
      try {
        const req = call.request;
        const result = await provider.diff(
          req.getId(),
          req.getUrn(),
          req.getOlds()?.toJavaScript() ?? {},
          req.getNews()?.toJavaScript() ?? {},
        );
        const resp = new provproto.DiffResponse();
        resp.setChanges(result.changes ? Changes.DIFF_SOME : Changes.DIFF_NONE);
        resp.setReplacesList(result.replaces ?? []);
        resp.setDeletebeforereplace(Boolean(result.deleteBeforeReplace));
        resp.setHasdetaileddiff(true);
        const detailed = resp.getDetaileddiffMap();
        for (const [key, kind] of Object.entries(result.detailedDiff)) {
          detailed.set(key, new provproto.PropertyDiff().setKind(kinds[kind]).setInputdiff(true));
        }
        resp.setDiffsList(Object.keys(result.detailedDiff));
        callback(undefined, resp);
      } catch (err) {
        callback(err);
      }
    },
    checkConfig(call: Call, callback: Callback) {
      const resp = new provproto.CheckResponse();
      resp.setInputs(call.request.getNews());
      callback(undefined, resp);
    },
    diffConfig(call: Call, callback: Callback) {
      const req = call.request;
      const olds = JSON.stringify(req.getOlds()?.toJavaScript() ?? {});
      const news = JSON.stringify(req.getNews()?.toJavaScript() ?? {});
      const resp = new provproto.DiffResponse();
      resp.setChanges(olds === news ? Changes.DIFF_NONE : Changes.DIFF_SOME);
      callback(undefined, resp);
    },
  };
  return Object.assign(Object.create(base), overrides);
}
