// JetStream assets as Pulumi resources for TypeScript programs, backed by a
// dynamic provider. The provider object is serialized into the state, so it
// captures nothing but two strings: the core's name and where to load the
// handlers from. Credentials travel as a separate secret input.
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "./connection-args";
import { serversCarryCredentials, withoutUserinfo } from "./server-urls";
import type { ConsumerInfoOutput, StreamInfoOutput } from "./tables/info";
import type { CoreName } from "./core";
import type { StreamConfigInputs } from "./tables/stream";
import type { ConsumerConfigInputs } from "./tables/consumer";
import type { KeyValueConfigInputs, ObjectStoreConfigInputs } from "./tables/bucket";
import { OWNER_INPUT, urnOf } from "./ownership";
import type { InventoryEntry } from "./inventory";

/** Each configuration field may be a plain value or a Pulumi Input. */
type Inputs<T> = { [K in keyof T]?: pulumi.Input<T[K]> };

/** Inputs shared by every JetStream resource. */
export interface AssetArgs {
  /** Where the asset lives: a NATS URL and credentials, or `NatsCluster.connection`. */
  connection: pulumi.Input<ConnectionArgs>;
  /**
   * Allow a replacement or deletion that destroys the data the asset holds.
   * Without it, such a change is refused at preview time with the number of
   * messages that would be lost. @default false
   */
  allowDataLoss?: pulumi.Input<boolean>;
  /** Take over an asset that already exists instead of failing with "already exists". @default false */
  adopt?: pulumi.Input<boolean>;
  /**
   * What to do with a change the server cannot make in place (storage, retention to or from
   * workqueue, ...) while the asset holds data: `refuse` it (the default); `recreate` the asset
   * (its data is lost, as with `allowDataLoss: true`); or `migrate` it: copy it through a temporary
   * stream, recreate it with the new configuration, keep every message, its sequence number and the
   * durable consumers' acknowledged positions (nats-server 2.12+, see docs/migrations.md).
   * @default "refuse"
   */
  replaceStrategy?: pulumi.Input<"refuse" | "recreate" | "migrate">;
}

export type StreamArgs = AssetArgs & Inputs<StreamConfigInputs> & { name: pulumi.Input<string> };
export type ConsumerArgs = AssetArgs &
  Omit<Inputs<ConsumerConfigInputs>, "stream"> & {
    /**
     * The stream to read: its name, or better the `Stream` resource itself, so
     * that the consumer is replaced with it (the server deletes a stream's
     * consumers with the stream) and not deleted separately.
     */
    stream: pulumi.Input<string> | Stream;
    name: pulumi.Input<string>;
  };
export type KeyValueArgs = AssetArgs & Inputs<KeyValueConfigInputs> & { bucket: pulumi.Input<string> };
export type ObjectStoreArgs = AssetArgs & Inputs<ObjectStoreConfigInputs> & { bucket: pulumi.Input<string> };

/** What the server reports about an asset after create, update or refresh. */
/** Either kind's `info` output, every key optional (kept for programs written before the precise types). */
export type AssetInfo = Partial<StreamInfoOutput & ConsumerInfoOutput>;
export type { StreamInfoOutput, ConsumerInfoOutput };

const HANDLERS_BY_NAME = "pulumi-nats/jetstream/dynamic-handlers";

/**
 * The serializable dynamic provider for one kind, or for the inventory; one object per kind:
 * the SDK caches a provider's serialized closure by object identity, and serializing it anew
 * for every resource cost about 30 ms of the program's time each.
 */
type ProviderKind = CoreName | "inventory";
const providers = new Map<ProviderKind, pulumi.dynamic.ResourceProvider>();
function providerFor(core: ProviderKind): pulumi.dynamic.ResourceProvider {
  let provider = providers.get(core);
  if (!provider) providers.set(core, (provider = serializableProvider(core)));
  return provider;
}

function serializableProvider(core: ProviderKind): pulumi.dynamic.ResourceProvider {
  // Resolved by package name where the program installed this package, else by
  // this file's location (a checkout of this repository).
  const byPath = require.resolve("./dynamic-handlers");
  const byName = HANDLERS_BY_NAME;
  const load = () => {
    let mod: typeof import("./dynamic-handlers");
    try {
      mod = require(byName);
    } catch {
      mod = require(byPath);
    }
    return core === "inventory" ? mod.inventoryHandlers() : mod.handlers(core);
  };
  return {
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props) as Promise<pulumi.dynamic.ReadResult>,
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}

/** What the public settings show for servers the program marked secret. */
export const SECRET_SERVERS = "[secret]";

/**
 * Splits a connection into public settings and secret credentials. Servers
 * are credentials when a URL carries user:pass@ (then the public settings
 * show them without it) or when the program marked them secret (then the
 * public settings show SECRET_SERVERS); the full URLs travel in `credentials`,
 * which the provider merges over the public settings (core.ts connectionOf).
 */
export function splitConnection(connection: pulumi.Input<ConnectionArgs>) {
  const all = pulumi.output(connection);
  // Only a connection given as an object tells whether its `servers` alone
  // was secret; one secret Output as a whole (NatsCluster.connection) says
  // nothing about its servers, which then count as secret only with user info.
  const given = pulumi.Output.isInstance(connection) ? undefined : (connection as ConnectionArgs).servers;
  const markedSecret = given === undefined ? Promise.resolve(false) : pulumi.isSecret(pulumi.output(given));
  const serversSecret = all.apply(async (c) => serversCarryCredentials(c.servers) || (await markedSecret));
  const pub = pulumi.unsecret(
    pulumi.all([all, pulumi.unsecret(serversSecret)]).apply(([c, secretServers]) => ({
      servers: !secretServers
        ? c.servers
        : serversCarryCredentials(c.servers)
          ? withoutUserinfo(c.servers)
          : SECRET_SERVERS,
      user: c.user,
      domain: c.domain,
      apiPrefix: c.apiPrefix,
      requestTimeout: c.requestTimeout,
      readyTimeout: c.readyTimeout,
      portForward: c.portForward,
      account: c.account,
      tls: c.tls && (c.tls.ca || c.tls.cert) ? { ca: c.tls.ca, cert: c.tls.cert } : undefined,
    })),
  );
  const credentials = pulumi.secret(
    pulumi.all([all, serversSecret]).apply(([c, secretServers]) => ({
      password: c.password,
      token: c.token,
      nkeySeed: c.nkeySeed,
      creds: c.creds,
      tlsKey: c.tls?.key,
      kubeconfig: c.kubeconfig,
      ...(secretServers ? { servers: c.servers } : {}),
    })),
  );
  return { connection: pub, credentials };
}

function register<T extends AssetArgs>(
  args: T,
  type: string,
  name: string,
  opts?: pulumi.CustomResourceOptions,
) {
  const { connection, ...rest } = args;
  return {
    ...rest,
    ...splitConnection(connection),
    [OWNER_INPUT]: ownerUrn(type, name, opts),
    info: undefined,
  };
}

/**
 * The URN the engine will give this resource, recorded on the asset as its
 * owner (ownership.ts). Dynamic providers are not told the URN, so it is
 * computed here, where the name and the parent are known.
 */
function ownerUrn(type: string, name: string, opts?: pulumi.CustomResourceOptions): pulumi.Input<string> {
  const full = `pulumi-nodejs:dynamic/jetstream:${type}`;
  const stack = pulumi.getStack();
  const project = pulumi.getProject();
  const parent = opts?.parent;
  if (!parent) return urnOf(stack, project, full, name);
  // The parent's URN as a plain value: an input depending on the parent
  // component would wait for the component's children, this resource among
  // them (a deadlock).
  const parentUrn = new Promise<string>((resolve) => parent.urn.apply((p) => resolve(p)));
  return parentUrn.then((p) => urnOf(stack, project, full, name, p));
}

const secretOutputs = (opts?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({
  ...opts,
  additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "credentials"],
});

/** A JetStream stream. */
export class Stream extends pulumi.dynamic.Resource {
  /** The stream's name. */
  declare readonly name: pulumi.Output<string>;
  /** Messages, bytes, sequences and placement as the last create, update or refresh read them. */
  declare readonly info: pulumi.Output<StreamInfoOutput>;
  constructor(name: string, args: StreamArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("stream"),
      name,
      register(args, "Stream", name, opts),
      secretOutputs(opts),
      "jetstream",
      "Stream",
    );
    declared.set(this, entryOf(this, "stream", args.name, args.allowDataLoss));
  }
}

/** A durable JetStream consumer (pull, or push with `deliverSubject`). */
export class Consumer extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly stream: pulumi.Output<string>;
  /** Pending (lag), ack pending, redeliveries, delivered and ack floor as the last create, update or refresh read them. */
  declare readonly info: pulumi.Output<ConsumerInfoOutput>;
  constructor(name: string, args: ConsumerArgs, opts?: pulumi.CustomResourceOptions) {
    const stream = args.stream;
    const follow: pulumi.CustomResourceOptions =
      stream instanceof Stream
        ? { replaceWith: [...(opts?.replaceWith ?? []), stream], deletedWith: opts?.deletedWith ?? stream }
        : {};
    const inputs = register(
      { ...args, stream: stream instanceof Stream ? stream.name : stream },
      "Consumer",
      name,
      opts,
    );
    super(
      providerFor("consumer"),
      name,
      inputs,
      secretOutputs({ ...opts, ...follow }),
      "jetstream",
      "Consumer",
    );
    const streamName = stream instanceof Stream ? stream.name : pulumi.output(stream);
    declared.set(
      this,
      entryOf(this, "consumer", pulumi.interpolate`${streamName}/${args.name}`, args.allowDataLoss),
    );
  }
}

/** A JetStream key/value bucket (stream `KV_<bucket>`). */
export class KeyValue extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  /** The underlying stream's state as the last create, update or refresh read it. */
  declare readonly info: pulumi.Output<StreamInfoOutput>;
  constructor(name: string, args: KeyValueArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("keyValue"),
      name,
      register(args, "KeyValue", name, opts),
      secretOutputs(opts),
      "jetstream",
      "KeyValue",
    );
    declared.set(this, entryOf(this, "keyValue", args.bucket, args.allowDataLoss));
  }
}

/** A JetStream object store (stream `OBJ_<bucket>`). */
export class ObjectStore extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  /** The underlying stream's state as the last create, update or refresh read it. */
  declare readonly info: pulumi.Output<StreamInfoOutput>;
  constructor(name: string, args: ObjectStoreArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("objectStore"),
      name,
      register(args, "ObjectStore", name, opts),
      secretOutputs(opts),
      "jetstream",
      "ObjectStore",
    );
    declared.set(this, entryOf(this, "objectStore", args.bucket, args.allowDataLoss));
  }
}

/** Each asset resource's line in an inventory (inventory.ts). */
const declared = new WeakMap<pulumi.Resource, pulumi.Output<InventoryEntry>>();

function entryOf(
  resource: pulumi.CustomResource,
  kind: CoreName,
  id: pulumi.Input<string>,
  allowDataLoss: pulumi.Input<boolean> | undefined,
): pulumi.Output<InventoryEntry> {
  // The URN makes the inventory depend on the asset: `pulumi destroy` deletes the inventory first.
  return pulumi
    .all([pulumi.output(id), resource.urn, pulumi.output(allowDataLoss)])
    .apply(([assetId, urn, allow]) => ({ kind, id: assetId, resource: urn, allowDataLoss: allow === true }));
}

export type JetStreamAsset = Stream | Consumer | KeyValue | ObjectStore;

export interface InventoryArgs {
  /** The connection every listed asset uses. One inventory per connection. */
  connection: pulumi.Input<ConnectionArgs>;
  /**
   * Every JetStream resource of this program on this connection. An asset
   * that leaves this list is taken as removed from the program: `pulumi
   * preview` counts on the server what its deletion destroys and fails with
   * the count unless the asset's resource set allowDataLoss.
   */
  assets: JetStreamAsset[];
}

/**
 * The list of the JetStream assets a program declares on one connection, so
 * that removing one that holds messages fails `pulumi preview` (not only `up`)
 * and `pulumi destroy` deletes everything it was allowed to or nothing. See
 * docs/jetstream.md, "Data safety".
 */
export class Inventory extends pulumi.dynamic.Resource {
  /** The assets listed, as the provider recorded them. */
  declare readonly assets: pulumi.Output<InventoryEntry[]>;
  constructor(name: string, args: InventoryArgs, opts?: pulumi.CustomResourceOptions) {
    const entries = args.assets.map((asset, i) => {
      const entry = declared.get(asset);
      if (!entry)
        throw new Error(`Inventory ${name}: assets[${i}] is not a Stream, Consumer, KeyValue or ObjectStore`);
      return entry;
    });
    super(
      providerFor("inventory"),
      name,
      {
        ...splitConnection(args.connection),
        assets: pulumi.all(entries),
        [OWNER_INPUT]: ownerUrn("Inventory", name, opts),
      },
      secretOutputs(opts),
      "jetstream",
      "Inventory",
    );
  }
}
