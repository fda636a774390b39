// @nats-io/transport-node 3.4 re-exports nats-core through its "internal"
// subpath export, which the repository's `moduleResolution: "node"` cannot
// follow: `import { NatsConnection, nkeyAuthenticator } from
// "@nats-io/transport-node"` fails to type-check though it works at run time.
// The harness derives the types from connect() and loads the function with require().
import { connect, type NodeConnectionOptions } from "@nats-io/transport-node";

/** A client connection, as returned by connect(). */
export type NatsConnection = Awaited<ReturnType<typeof connect>>;

/** What ConnectionOptions.authenticator takes. */
export type Authenticator = Extract<
  NonNullable<NodeConnectionOptions["authenticator"]>,
  (...args: never[]) => unknown
>;

/** nats-core's nkey authenticator: signs the server's nonce with the user seed. */
export const nkeyAuthenticator = (
  require("@nats-io/transport-node") as { nkeyAuthenticator: (seed: Uint8Array) => Authenticator }
).nkeyAuthenticator;
