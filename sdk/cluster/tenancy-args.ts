// The typed arguments of multi-tenancy (`auth.accounts`): accounts with their
// JetStream and connection limits, users with their permissions, and the
// exports and imports that let accounts share subjects. See docs/tenancy.md.
import type * as pulumi from "@pulumi/pulumi";

/** A kind of client connection a user may open (`allowed_connection_types`). */
export const ConnectionType = {
  Standard: "STANDARD",
  WebSocket: "WEBSOCKET",
  Mqtt: "MQTT",
  LeafNode: "LEAFNODE",
} as const;
export type ConnectionType = (typeof ConnectionType)[keyof typeof ConnectionType];

/** How a service export answers (`response_type`). */
export const ResponseType = {
  /** One reply per request (the server's default). */
  Singleton: "singleton",
  /** Any number of replies. */
  Stream: "stream",
  /** Replies in several messages. */
  Chunked: "chunked",
} as const;
export type ResponseType = (typeof ResponseType)[keyof typeof ResponseType];

/**
 * An account's JetStream: on or off, and its limits. Sizes are byte sizes
 * ("1Gi", "500M", "1073741824"). An unset limit is unlimited (within the
 * servers' own stores).
 */
export interface AccountJetStreamArgs {
  /** JetStream in this account. @default true */
  enabled?: boolean;
  /** Memory-store bytes all the account's streams may hold (`max_memory`). @default unlimited */
  maxMemory?: string;
  /** File-store bytes all the account's streams may hold (`max_file`). @default unlimited */
  maxFile?: string;
  /** Number of streams (`max_streams`). @default unlimited */
  maxStreams?: number;
  /** Number of consumers (`max_consumers`). @default unlimited */
  maxConsumers?: number;
  /** The highest `maxAckPending` a consumer may have (`max_ack_pending`). @default unlimited */
  maxAckPending?: number;
  /**
   * Every stream must set `maxBytes` (`max_bytes_required`), so no stream
   * without a bound can take the whole quota.
   * @default true when `maxMemory` or `maxFile` is set, else false
   */
  maxBytesRequired?: boolean;
  /** The largest `maxBytes` of one file stream (`disk_max_stream_bytes`). @default unlimited */
  maxFileStreamBytes?: string;
  /** The largest `maxBytes` of one memory stream (`mem_max_stream_bytes`). @default unlimited */
  maxMemoryStreamBytes?: string;
}

/** Connection limits of an account (`limits`). */
export interface AccountLimitsArgs {
  /** Client connections at once (`max_connections`). @default unlimited */
  maxConnections?: number;
  /** Subscriptions at once, over all connections (`max_subscriptions`). @default unlimited */
  maxSubscriptions?: number;
  /** Largest message payload, a byte size ("1Mi"); at most the server's 1 MiB. @default the server's */
  maxPayload?: string;
  /** Leaf node connections at once (`max_leafnodes`). @default unlimited */
  maxLeafNodes?: number;
}

/** Allowed and denied subjects for publishing or subscribing. */
export interface SubjectPermissionArgs {
  /** Subjects (wildcards allowed) the user may use; unset: all but `deny`. */
  allow?: string[];
  /** Subjects the user may not use, even when `allow` covers them. */
  deny?: string[];
}

/** Lets a user reply to the requests it receives without publish permission on their inboxes. */
export interface AllowResponsesArgs {
  /** Replies per request. @default 1 */
  maxMessages?: number;
  /** How long after the request a reply is allowed, a duration ("1m", "500ms"). @default no limit */
  expires?: string;
}

/** What a user may publish and subscribe to. Unset: everything in its account. */
export interface PermissionsArgs {
  publish?: SubjectPermissionArgs;
  subscribe?: SubjectPermissionArgs;
  /** Allow replies to received requests (`allow_responses`). @default off */
  allowResponses?: AllowResponsesArgs;
}

/**
 * A user of an account. Authenticates with a password (generated unless
 * given) or, with `nkey: true`, an nkey whose seed is generated once and kept
 * in the state as a secret. Its Kubernetes Secret is named
 * `<cluster name>-user-<name>` (see docs/tenancy.md).
 */
export interface UserArgs {
  /**
   * The user name: lowercase letters, digits and "-" (it names the user's
   * Secret). Unique over all accounts.
   */
  name: string;
  /** The password instead of a generated one (not with `nkey`, not in JWT mode). Secret. @default generated */
  password?: pulumi.Input<string>;
  /** Authenticate with an nkey instead of a password. @default false */
  nkey?: boolean;
  /**
   * With `nkey`: the user's seed (`SU...`) instead of a generated one
   * (SuperCluster gives every member the same). Secret.
   * @default generated once
   */
  nkeySeed?: pulumi.Input<string>;
  /** Subject permissions. @default everything in the account */
  permissions?: PermissionsArgs;
  /** The kinds of connection the user may open. @default all but LEAFNODE */
  allowedConnectionTypes?: ConnectionType[];
  /**
   * Refuse this user: with auth.mode "jwt" its key is revoked in its
   * account's JWT; with passwords it is left out of the servers'
   * configuration. Its Secret stays. @default false
   */
  revoked?: boolean;
  /**
   * This user manages JetStream (its `connection` goes to Streams,
   * Consumers, KV buckets or object stores): its permissions must then allow
   * the JetStream API. Set false for users that only publish or subscribe.
   * @default true when its account has JetStream
   */
  jetstreamApi?: boolean;
}

/** Subjects an account offers to others. Exactly one of `stream` or `service`. */
export interface ExportArgs {
  /** A subject (wildcards allowed) whose messages others may subscribe to. */
  stream?: string;
  /** A subject (wildcards allowed) others may send requests to. */
  service?: string;
  /** The accounts allowed to import it. @default every account */
  accounts?: string[];
  /** How a service answers. Only with `service`. @default "singleton" */
  responseType?: ResponseType;
}

/** Subjects an account takes from another's exports. Exactly one of `stream` or `service`. */
export interface ImportArgs {
  /** The exporting account. */
  account: string;
  /** The exported stream subject to receive (covered by one of the account's stream exports). */
  stream?: string;
  /** The exported service subject to send requests to (covered by a service export). */
  service?: string;
  /**
   * For a stream: a prefix put before the subjects received ("tenant_a"
   * makes "orders.1" arrive as "tenant_a.orders.1"). @default none
   */
  prefix?: string;
  /** For a service: the local subject requests are sent to (no wildcards). @default the service subject */
  to?: string;
}

/** An account: its own subjects, its own JetStream, its users. */
export interface AccountArgs {
  /** The account name: letters, digits, "_" or "-"; not SYS, and not `auth.appAccount`. */
  name: string;
  /** JetStream in this account and its limits. @default enabled, unlimited */
  jetstream?: AccountJetStreamArgs;
  /** Connection and subscription limits. @default none */
  limits?: AccountLimitsArgs;
  /** Users of the account. @default none */
  users?: UserArgs[];
  /** Subjects offered to other accounts. @default none */
  exports?: ExportArgs[];
  /** Subjects taken from other accounts' exports. @default none */
  imports?: ImportArgs[];
}
