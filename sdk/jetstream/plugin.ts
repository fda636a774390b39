// The same four JetStream resources for TypeScript programs, served by the
// `nats` provider plugin (sdk/provider) instead of the dynamic provider:
// `import { Stream } from "pulumi-nats/plugin"`. They register the plugin's
// type tokens (nats:jetstream:Stream, ...) with plain inputs, so nothing is
// serialized into each resource, and the engine calls a long-lived plugin
// process. The price is one line in the project's Pulumi.yaml that tells the
// engine where the plugin is (docs/jetstream.md, "The plugin provider from
// TypeScript"); the dynamic resources (`pulumi-nats`) need no such step.
//
// The type token differs from the dynamic resources' (pulumi-nodejs:dynamic/...),
// so a stack keeps the import it was created with: switching an existing
// stack's resources from one to the other makes the engine replace them.
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "./connection-args";
import type {
  ConsumerArgs,
  ConsumerInfoOutput,
  KeyValueArgs,
  ObjectStoreArgs,
  StreamArgs,
  StreamInfoOutput,
} from "./dynamic";

export type {
  AssetInfo,
  ConsumerArgs,
  ConsumerInfoOutput,
  KeyValueArgs,
  ObjectStoreArgs,
  StreamArgs,
  StreamInfoOutput,
} from "./dynamic";

const CREDENTIAL_KEYS = ["password", "token", "nkeySeed", "creds", "kubeconfig"] as const;

/** Whether a resolved connection carries a credential (a field, a TLS key, or user:pass@ in a URL). */
export function carriesCredentials(c: Record<string, unknown>): boolean {
  if (CREDENTIAL_KEYS.some((k) => c[k] !== undefined && c[k] !== "")) return true;
  if ((c.tls as { key?: unknown } | undefined)?.key) return true;
  const servers = ([] as unknown[]).concat(c.servers);
  return servers.some((s) => typeof s === "string" && /\/\/[^/]*@/.test(s));
}

/**
 * The connection as the plugin takes it: `servers` as a list (a comma-separated
 * string is split), and the whole connection secret when it carries a
 * credential, so that the state never holds one in plain text.
 */
export function pluginConnection(connection: pulumi.Input<ConnectionArgs>): pulumi.Output<unknown> {
  return pulumi.output(connection).apply((resolved): pulumi.Output<unknown> => {
    const c = resolved as unknown as Record<string, unknown>;
    const servers = typeof c.servers === "string" ? c.servers.split(",").map((s) => s.trim()) : c.servers;
    const plain: Record<string, unknown> = { ...c, servers };
    return carriesCredentials(plain) ? pulumi.secret(plain) : pulumi.output(plain);
  });
}

function inputs<T extends { connection: pulumi.Input<ConnectionArgs> }>(args: T): pulumi.Inputs {
  return { ...args, connection: pluginConnection(args.connection), info: undefined };
}

/** A JetStream stream, served by the `nats` plugin. */
export class Stream extends pulumi.CustomResource {
  /** The stream's name. */
  declare readonly name: pulumi.Output<string>;
  /** Messages, bytes, sequences and placement as the last create, update or refresh read them. */
  declare readonly info: pulumi.Output<StreamInfoOutput>;
  constructor(name: string, args: StreamArgs, opts?: pulumi.CustomResourceOptions) {
    super("nats:jetstream:Stream", name, inputs(args), opts);
  }
}

/** A durable JetStream consumer, served by the `nats` plugin. */
export class Consumer extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly stream: pulumi.Output<string>;
  /** Pending (lag), ack pending, redeliveries, delivered and ack floor as the last create, update or refresh read them. */
  declare readonly info: pulumi.Output<ConsumerInfoOutput>;
  constructor(
    name: string,
    args: Omit<ConsumerArgs, "stream"> & { stream: pulumi.Input<string> | Stream },
    opts?: pulumi.CustomResourceOptions,
  ) {
    const stream = args.stream;
    // As for the dynamic Consumer: replaced with its stream, and deleted by the
    // server with it rather than separately.
    const follow: pulumi.CustomResourceOptions =
      stream instanceof Stream
        ? { replaceWith: [...(opts?.replaceWith ?? []), stream], deletedWith: opts?.deletedWith ?? stream }
        : {};
    super(
      "nats:jetstream:Consumer",
      name,
      inputs({ ...args, stream: stream instanceof Stream ? stream.name : stream }),
      { ...opts, ...follow },
    );
  }
}

/** A JetStream key/value bucket, served by the `nats` plugin. */
export class KeyValue extends pulumi.CustomResource {
  declare readonly bucket: pulumi.Output<string>;
  /** The underlying stream's state as the last create, update or refresh read it. */
  declare readonly info: pulumi.Output<StreamInfoOutput>;
  constructor(name: string, args: KeyValueArgs, opts?: pulumi.CustomResourceOptions) {
    super("nats:jetstream:KeyValue", name, inputs(args), opts);
  }
}

/** A JetStream object store, served by the `nats` plugin. */
export class ObjectStore extends pulumi.CustomResource {
  declare readonly bucket: pulumi.Output<string>;
  /** The underlying stream's state as the last create, update or refresh read it. */
  declare readonly info: pulumi.Output<StreamInfoOutput>;
  constructor(name: string, args: ObjectStoreArgs, opts?: pulumi.CustomResourceOptions) {
    super("nats:jetstream:ObjectStore", name, inputs(args), opts);
  }
}
