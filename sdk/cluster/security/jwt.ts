// Decentralized (JWT) auth, pure: the operator, the accounts (system,
// application, tenants) and the users as JWTs signed with nkeys by
// @nats-io/jwt, the `.creds` a client uses, and the server include that
// trusts the operator and preloads the accounts (`resolver: MEMORY`): an
// account change is a new include and a reload, no restart. Keys are given
// (made once from random bytes and kept as secrets by the caller).
import {
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type Account,
  type Export,
  type Import,
  type User,
} from "@nats-io/jwt";
import { fromSeed, Prefix, type KeyPair } from "@nats-io/nkeys";
// The seed encoding (prefix, CRC) of the pinned @nats-io/nkeys: not hand-rolled.
import { Codec } from "@nats-io/nkeys/lib/codec";
import { parseDuration } from "../../jetstream/units";
import type { AccountPlan, UserPlan } from "../plan/tenancy";
import { q } from "./accounts";

/**
 * The `iat` of every JWT made here. @nats-io/jwt stamps the current time,
 * which would make every `pulumi up` write new JWTs (a Secret update and a
 * reload each time); a fixed issue time keeps a JWT a function of its
 * content. Revocations therefore revoke a user's key for good (at
 * REVOKED_AT, after every JWT made here), which is what revoking means here.
 */
export const ISSUED_AT = 1_704_067_200; // 2024-01-01T00:00:00Z
/** The revocation time of a revoked user: later than ISSUED_AT, so every JWT of its key is refused. */
export const REVOKED_AT = 4_102_444_800; // 2100-01-01T00:00:00Z

/** Runs `encode` with Date.now pinned to ISSUED_AT: the library reads it synchronously, before its first await. */
function issued<T>(encode: () => Promise<T>): Promise<T> {
  const now = Date.now;
  Date.now = () => ISSUED_AT * 1000;
  try {
    return encode();
  } finally {
    Date.now = now;
  }
}

const seedKey = (seed: string): KeyPair => fromSeed(new TextEncoder().encode(seed));

/** An operator, account or user seed from 32 random bytes (base64), e.g. a random.RandomBytes. */
export function seedFromBytes(kind: "operator" | "account" | "user", base64: string): string {
  const raw = Buffer.from(base64, "base64");
  if (raw.length !== 32) throw new Error(`pulumi-nats bug: an nkey needs 32 random bytes, got ${raw.length}`);
  const prefix = kind === "operator" ? Prefix.Operator : kind === "account" ? Prefix.Account : Prefix.User;
  return new TextDecoder().decode(Codec.encodeSeed(prefix, raw));
}

/** An account of the JWT system: its plan (undefined for SYS) and its key seed (`SA...`). */
export interface JwtAccount {
  name: string;
  seed: string;
  plan?: AccountPlan;
  /** JetStream on in this account (the application account's follows the cluster). */
  jetstream: boolean;
}

/** A user of the JWT system: its account, its plan (permissions) and its key seed (`SU...`). */
export interface JwtUser {
  name: string;
  account: string;
  seed: string;
  plan?: UserPlan;
  /** Refused by the server (its key is in its account's revocations). */
  revoked?: boolean;
}

export interface JwtSystem {
  operatorSeed: string;
  systemAccount: string;
  accounts: JwtAccount[];
  users: JwtUser[];
}

export interface JwtRendered {
  /** The server include: operator, system account, memory resolver with every account preloaded. */
  include: string;
  /** Each user's `.creds` file (JWT and seed), by user name. Secret. */
  creds: Record<string, string>;
  /** Each account's public key, by name. */
  accountKeys: Record<string, string>;
}

function accountLimits(a: JwtAccount): Account["limits"] {
  const js = a.plan?.jetstream;
  const l = a.plan?.limits ?? {};
  return {
    subs: l.maxSubscriptions ?? -1,
    conn: l.maxConnections ?? -1,
    leaf: l.maxLeafNodes ?? -1,
    payload: l.maxPayload ?? -1,
    data: -1,
    imports: -1,
    exports: -1,
    wildcards: true,
    // 0 turns JetStream off in the account; -1 is unlimited.
    mem_storage: a.jetstream ? (js?.maxMemory ?? -1) : 0,
    disk_storage: a.jetstream ? (js?.maxFile ?? -1) : 0,
    streams: a.jetstream ? (js?.maxStreams ?? -1) : 0,
    consumer: a.jetstream ? (js?.maxConsumers ?? -1) : 0,
    ...(a.jetstream && js?.maxAckPending !== undefined ? { max_ack_pending: js.maxAckPending } : {}),
    ...(a.jetstream && js?.maxFileStreamBytes !== undefined
      ? { disk_max_stream_bytes: js.maxFileStreamBytes }
      : {}),
    ...(a.jetstream && js?.maxMemoryStreamBytes !== undefined
      ? { mem_max_stream_bytes: js.maxMemoryStreamBytes }
      : {}),
    ...(a.jetstream && js?.maxBytesRequired ? { max_bytes_required: true } : {}),
  };
}

const RESPONSE_TYPE = { singleton: "Singleton", stream: "Stream", chunked: "Chunked" } as const;

function exportsOf(a: JwtAccount): Export[] {
  return (a.plan?.exports ?? []).map((e) => ({
    name: e.subject,
    subject: e.subject,
    type: e.kind,
    ...(e.kind === "service" && e.responseType ? { response_type: RESPONSE_TYPE[e.responseType] } : {}),
  }));
}

function importsOf(a: JwtAccount, keys: Record<string, string>): Import[] {
  return (a.plan?.imports ?? []).map((i) => ({
    name: i.subject,
    subject: i.subject,
    account: keys[i.account],
    type: i.kind,
    // A stream import's prefix; a service import's local subject.
    ...(i.kind === "stream" && i.prefix ? { to: i.prefix } : {}),
    ...(i.kind === "service" && i.to ? { local_subject: i.to } : {}),
  }));
}

function userClaims(u: JwtUser): Partial<User> {
  const p = u.plan?.permissions;
  const claims: Partial<User> = {};
  if (p?.publish) claims.pub = { ...p.publish };
  if (p?.subscribe) claims.sub = { ...p.subscribe };
  if (p?.allowResponses)
    claims.resp = {
      max: p.allowResponses.maxMessages ?? 1,
      ttl: p.allowResponses.expires ? parseDuration(p.allowResponses.expires) : 0,
    };
  if (u.plan?.allowedConnectionTypes) claims.allowed_connection_types = [...u.plan.allowedConnectionTypes];
  return claims;
}

/** The operator, account and user JWTs, the users' `.creds` and the server include. */
export async function renderJwtSystem(s: JwtSystem): Promise<JwtRendered> {
  const operator = seedKey(s.operatorSeed);
  const keys: Record<string, string> = Object.fromEntries(
    s.accounts.map((a) => [a.name, seedKey(a.seed).getPublicKey()]),
  );
  const systemKey = keys[s.systemAccount];
  if (!systemKey) throw new Error(`pulumi-nats bug: no key for the system account ${s.systemAccount}`);
  const operatorJwt = await issued(() =>
    encodeOperator("pulumi-nats", operator, { system_account: systemKey }),
  );
  const preload: string[] = [];
  for (const a of s.accounts) {
    const revoked = s.users.filter((u) => u.account === a.name && u.revoked);
    const claims: Partial<Account> = {
      limits: accountLimits(a),
      exports: exportsOf(a),
      imports: importsOf(a, keys),
      ...(revoked.length
        ? {
            revocations: Object.fromEntries(revoked.map((u) => [seedKey(u.seed).getPublicKey(), REVOKED_AT])),
          }
        : {}),
    };
    const jwt = await issued(() => encodeAccount(a.name, seedKey(a.seed), claims, { signer: operator }));
    preload.push(`  ${keys[a.name]}: ${q(jwt)}`);
  }
  const creds: Record<string, string> = {};
  for (const u of s.users) {
    const accountSeed = s.accounts.find((a) => a.name === u.account)?.seed;
    if (!accountSeed) throw new Error(`pulumi-nats bug: user ${u.name} of unknown account ${u.account}`);
    const user = seedKey(u.seed);
    const jwt = await issued(() => encodeUser(u.name, user, seedKey(accountSeed), userClaims(u)));
    creds[u.name] = new TextDecoder().decode(fmtCreds(jwt, user));
  }
  const include = [
    "# Generated by pulumi-nats (NatsCluster, JWT mode). Edits are overwritten on the next `pulumi up`.",
    `operator: ${q(operatorJwt)}`,
    `system_account: ${q(systemKey)}`,
    "resolver: MEMORY",
    "resolver_preload: {",
    ...preload,
    "}",
    "",
  ].join("\n");
  return { include, creds, accountKeys: keys };
}
