// How the JetStream resources reach a NATS system. NatsCluster outputs a value
// of this shape, so its `connection` output can be passed to a Stream directly.
import type * as pulumi from "@pulumi/pulumi";

/** TLS material for the client connection, as PEM text (not file paths). */
export interface ConnectionTlsArgs {
  /** CA certificate(s) that signed the server's certificate. */
  ca?: pulumi.Input<string>;
  /** Client certificate, for servers that verify clients (mutual TLS). */
  cert?: pulumi.Input<string>;
  /** Client private key, paired with `cert`. Secret. */
  key?: pulumi.Input<string>;
}

/**
 * A Kubernetes port-forward the provider opens before connecting, so every
 * operation (including `pulumi refresh` and `pulumi destroy`, which do not run
 * the program) reaches NATS inside a cluster. NatsCluster fills it in when its
 * access mode is `portForward`.
 */
export interface PortForwardArgs {
  /** Namespace of the NATS pods. */
  namespace: string;
  /** Label selector of the NATS server pods. */
  labelSelector: string;
  /** The pods' client port. @default 4222 */
  remotePort?: number;
  /** The local port `servers` points at (127.0.0.1:<localPort>). */
  localPort: number;
  /** Name of the NATS cluster behind the forward, to refuse a port held by another cluster. */
  cluster?: string;
  /**
   * The release (StatefulSet name) the forward reaches: its pods only, servers
   * named `<release>-<n>`. @default the instance label of `labelSelector`
   */
  release?: string;
  /** `<project>/<stack>` that owns the forward: a forward of another stack is never reused. */
  stack?: string;
}

/**
 * What the connection's account allows, as NatsCluster knows it (its `users`
 * and `connection` outputs fill it in). Checked at preview, before the
 * server is asked; never used to connect.
 */
export interface ConnectionAccountArgs {
  /** The account's name, for messages. */
  name?: string;
  /** False when the account (or the whole cluster) has no JetStream: every JetStream resource is refused. @default true */
  jetstream?: boolean;
  /** Every stream must set `maxBytes`. @default false */
  maxBytesRequired?: boolean;
  /** The largest `maxBytes` of one file stream, in bytes. @default unlimited */
  maxFileStreamBytes?: number;
  /** The largest `maxBytes` of one memory stream, in bytes. @default unlimited */
  maxMemoryStreamBytes?: number;
  /** The highest `maxAckPending` of a consumer. @default unlimited */
  maxAckPending?: number;
}

/**
 * Where and how to connect. Credentials (`password`, `token`, `nkeySeed`,
 * `creds`, `tls.key`, `kubeconfig`) are stored as secrets in the state, never
 * in plain text.
 */
export interface ConnectionArgs {
  /**
   * One or more server URLs, e.g. `nats://127.0.0.1:4222`. A URL carrying
   * credentials (`nats://user:pass@host:4222`, `nats://token@host`) is kept
   * secret in the state.
   */
  servers: pulumi.Input<string | pulumi.Input<string>[]>;
  /** User name, with `password`. */
  user?: pulumi.Input<string>;
  /** Password for `user`. Secret. */
  password?: pulumi.Input<string>;
  /** Authentication token. Secret. */
  token?: pulumi.Input<string>;
  /** NKey seed (`SU...`). Secret. */
  nkeySeed?: pulumi.Input<string>;
  /** Contents of a `.creds` file (JWT and seed). Secret. */
  creds?: pulumi.Input<string>;
  /** TLS for the connection. */
  tls?: pulumi.Input<ConnectionTlsArgs>;
  /** Open this port-forward before connecting (with `kubeconfig`). */
  portForward?: pulumi.Input<PortForwardArgs>;
  /** Kubeconfig for `portForward`; unset: the ambient kubeconfig. Secret. */
  kubeconfig?: pulumi.Input<string>;
  /** JetStream domain, e.g. the domain of a leaf node's JetStream. Excludes `apiPrefix`. */
  domain?: pulumi.Input<string>;
  /** JetStream API prefix for imported JetStream (default `$JS.API`). Excludes `domain`. */
  apiPrefix?: pulumi.Input<string>;
  /** Timeout of one JetStream API request. A duration ("5s") or milliseconds. @default "5s" */
  requestTimeout?: pulumi.Input<string | number>;
  /**
   * How long to wait for JetStream to become available (enabled, with a meta
   * leader) before failing; it also bounds how long one request's transient
   * failures (no quorum, timeouts) are retried, so with a majority of servers
   * down an operation fails with "no quorum" after about this long (up to
   * about twice as long when one of its reads is still answered, late, by a
   * server's own copy). A duration ("2m") or milliseconds. @default "2m"
   */
  readyTimeout?: pulumi.Input<string | number>;
  /** What the account allows, checked at preview (NatsCluster fills it in). @default not checked */
  account?: pulumi.Input<ConnectionAccountArgs>;
}
