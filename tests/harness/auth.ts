// Client authentication for test servers: user/password, token or nkey.
// Secrets are generated when not given, and exposed so tests can pass them on.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { nkeyAuthenticator } from "./nats-types";
import type { NodeConnectionOptions } from "@nats-io/transport-node";

/**
 * How a server authenticates clients; omitted secrets are generated.
 * `type` may be left out when the fields say it: `{ user, password }`,
 * `{ token }`, `{ seed }`.
 */
export type AuthOptions =
  | "user"
  | "token"
  | "nkey"
  | { type?: "user"; user?: string; password?: string }
  | { type?: "token"; token?: string }
  | { type?: "nkey"; seed?: string };

/** The credentials a server was configured with (what a client must present). */
export type Auth =
  | { type: "user"; user: string; password: string }
  | { type: "token"; token: string }
  | {
      type: "nkey";
      /** The user's seed ("SU..."), secret. */
      seed: string;
      /** The user's public key ("U..."), written in the server config. */
      publicKey: string;
      /** A file holding the seed, for the NATS CLI's --nkey. */
      seedFile: string;
    };

const secret = (bytes = 18): string => crypto.randomBytes(bytes).toString("base64url");

/** Resolve options into concrete credentials; nkey seeds are written into `dir`. */
export function resolveAuth(opts: AuthOptions, dir: string): Auth {
  const o: { type?: string; user?: string; password?: string; token?: string; seed?: string } =
    typeof opts === "string" ? { type: opts } : opts;
  const type = o.type ?? (o.seed !== undefined ? "nkey" : o.token !== undefined ? "token" : "user");
  switch (type) {
    case "user":
      return { type: "user", user: o.user || "harness", password: o.password || secret() };
    case "token":
      return { type: "token", token: o.token || secret(24) };
    case "nkey": {
      const seed = o.seed || new TextDecoder().decode(createUser().getSeed());
      const publicKey = fromSeed(new TextEncoder().encode(seed)).getPublicKey();
      fs.mkdirSync(dir, { recursive: true });
      const seedFile = path.join(dir, "user.nk");
      fs.writeFileSync(seedFile, seed + "\n", { mode: 0o600 });
      return { type: "nkey", seed, publicKey, seedFile };
    }
    default:
      throw new Error(`harness: unknown auth type ${JSON.stringify(type)} (use "user", "token" or "nkey")`);
  }
}

/** The `authorization { ... }` block of a server config. */
export function authConfig(auth: Auth): string {
  switch (auth.type) {
    case "user":
      return `authorization {\n  user: ${JSON.stringify(auth.user)}\n  password: ${JSON.stringify(auth.password)}\n}`;
    case "token":
      return `authorization {\n  token: ${JSON.stringify(auth.token)}\n}`;
    case "nkey":
      return `authorization {\n  users: [ { nkey: ${JSON.stringify(auth.publicKey)} } ]\n}`;
  }
}

/** The `connect()` options that present these credentials. */
export function authConnectOptions(auth: Auth | undefined): Partial<NodeConnectionOptions> {
  if (!auth) return {};
  switch (auth.type) {
    case "user":
      return { user: auth.user, pass: auth.password };
    case "token":
      return { token: auth.token };
    case "nkey":
      return { authenticator: nkeyAuthenticator(new TextEncoder().encode(auth.seed)) };
  }
}

/** The NATS CLI flags that present these credentials. */
export function authCliArgs(auth: Auth | undefined): string[] {
  if (!auth) return [];
  switch (auth.type) {
    case "user":
      return [`--user=${auth.user}`, `--password=${auth.password}`];
    case "token":
      return [`--token=${auth.token}`];
    case "nkey":
      return [`--nkey=${auth.seedFile}`];
  }
}
