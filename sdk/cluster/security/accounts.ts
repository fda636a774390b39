// Pure rendering of accounts and users for the server's auth include
// (auth.conf in the credentials Secret): JetStream and connection limits,
// users with bcrypt-hashed passwords or nkeys, permissions, exports and
// imports. No clear password is ever written here.
import { createHmac } from "node:crypto";
import * as bcrypt from "bcryptjs";
import type { AccountPlan, ExportPlan, ImportPlan, PermissionsPlan, UserPlan } from "../plan/tenancy";

/** nats-server's own `nats server passwd` cost. */
export const BCRYPT_COST = 11;
/** bcrypt reads at most 72 bytes of a password (Go's bcrypt refuses longer ones). */
export const BCRYPT_MAX_BYTES = 72;

/** Quotes a value for nats.conf: JSON strings are read exactly (no `$VAR` expansion). */
export function q(s: string): string {
  return JSON.stringify(s);
}

/**
 * The bcrypt hash (`$2a$`, which nats-server recognises) of a password. The
 * salt is derived from the password and `context` (account/user) by HMAC, so
 * the same password always gives the same hash: the include file, and so the
 * Secret, change only when a password does, and an unchanged `pulumi up`
 * neither updates the Secret nor makes the servers reload. A salt derived
 * from the secret itself reveals nothing without it; `context` keeps two
 * users with one password from sharing a hash.
 */
export function hashPassword(password: string, context: string): string {
  if (Buffer.byteLength(password, "utf8") > BCRYPT_MAX_BYTES)
    throw new Error(
      `the password of ${context} is longer than ${BCRYPT_MAX_BYTES} bytes, the most bcrypt (and so nats-server) reads: use a shorter one.`,
    );
  const salt = createHmac("sha256", password).update(`pulumi-nats bcrypt salt\0${context}`).digest();
  return bcrypt.hashSync(password, `$2a$${BCRYPT_COST}$${bcrypt.encodeBase64(salt, 16)}`);
}

/** How one user proves who it is, as the server's config holds it. */
export type UserCredential = { passwordHash: string } | { nkey: string };

function list(values: string[]): string {
  return `[ ${values.map(q).join(", ")} ]`;
}

function renderPermissions(p: PermissionsPlan): string {
  const parts: string[] = [];
  for (const dir of ["publish", "subscribe"] as const) {
    const d = p[dir];
    if (!d) continue;
    const inner = [
      ...(d.allow ? [`allow: ${list(d.allow)}`] : []),
      ...(d.deny ? [`deny: ${list(d.deny)}`] : []),
    ];
    parts.push(`${dir}: { ${inner.join(", ")} }`);
  }
  if (p.allowResponses) {
    const r = p.allowResponses;
    const inner = [
      ...(r.maxMessages !== undefined ? [`max: ${r.maxMessages}`] : []),
      ...(r.expires !== undefined ? [`expires: ${q(r.expires)}`] : []),
    ];
    parts.push(`allow_responses: ${inner.length ? `{ ${inner.join(", ")} }` : "true"}`);
  }
  return `{ ${parts.join(", ")} }`;
}

/** One entry of an account's `users` list. */
export function renderUser(u: UserPlan, credential: UserCredential): string {
  const fields =
    "nkey" in credential
      ? [`nkey: ${q(credential.nkey)}`]
      : [`user: ${q(u.name)}`, `password: ${q(credential.passwordHash)}`];
  if (u.permissions && Object.keys(u.permissions).length > 0)
    fields.push(`permissions: ${renderPermissions(u.permissions)}`);
  if (u.allowedConnectionTypes) fields.push(`allowed_connection_types: ${list(u.allowedConnectionTypes)}`);
  return `{ ${fields.join(", ")} }`;
}

function renderExport(e: ExportPlan): string {
  const fields = [`${e.kind}: ${q(e.subject)}`];
  if (e.accounts) fields.push(`accounts: ${list(e.accounts)}`);
  if (e.kind === "service" && e.responseType) fields.push(`response_type: ${q(e.responseType)}`);
  return `{ ${fields.join(", ")} }`;
}

function renderImport(i: ImportPlan): string {
  const fields = [`${i.kind}: { account: ${q(i.account)}, subject: ${q(i.subject)} }`];
  if (i.kind === "stream" && i.prefix) fields.push(`prefix: ${q(i.prefix)}`);
  if (i.kind === "service" && i.to) fields.push(`to: ${q(i.to)}`);
  return `{ ${fields.join(", ")} }`;
}

/** The account's `jetstream` line: absent (off), `enabled`, or its limits. */
function renderJetStream(a: AccountPlan): string | undefined {
  const js = a.jetstream;
  if (!js) return undefined;
  const limits: [string, number | boolean | undefined][] = [
    ["max_memory", js.maxMemory],
    ["max_file", js.maxFile],
    ["max_streams", js.maxStreams],
    ["max_consumers", js.maxConsumers],
    ["max_ack_pending", js.maxAckPending],
    ["max_bytes_required", js.maxBytesRequired || undefined],
    ["disk_max_stream_bytes", js.maxFileStreamBytes],
    ["mem_max_stream_bytes", js.maxMemoryStreamBytes],
  ];
  const set = limits.filter(([, v]) => v !== undefined);
  // Sizes as plain byte counts: nats.conf would read "1G" as 2^30, "1Gi" not at all.
  return set.length === 0
    ? "jetstream: enabled"
    : `jetstream: { ${set.map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
}

/**
 * An account block of the include. `credentials` maps each user name to its
 * hashed password or nkey.
 */
export function renderAccount(
  a: AccountPlan,
  credentials: Record<string, UserCredential>,
  indent = "  ",
): string {
  const lines: string[] = [`${indent}${q(a.name)} {`];
  const inner = `${indent}  `;
  const js = renderJetStream(a);
  if (js) lines.push(`${inner}${js}`);
  const l = a.limits;
  const limits: [string, number | undefined][] = [
    ["max_connections", l.maxConnections],
    ["max_subscriptions", l.maxSubscriptions],
    ["max_payload", l.maxPayload],
    ["max_leafnodes", l.maxLeafNodes],
  ];
  const setLimits = limits.filter(([, v]) => v !== undefined);
  if (setLimits.length > 0)
    lines.push(`${inner}limits: { ${setLimits.map(([k, v]) => `${k}: ${v}`).join(", ")} }`);
  // A revoked user is left out: the servers refuse it (JWT mode revokes its key instead).
  const users = a.users
    .filter((u) => !u.revoked)
    .map((u) => {
      const c = credentials[u.name];
      if (!c) throw new Error(`pulumi-nats bug: no credential for user ${u.name}`);
      return renderUser(u, c);
    });
  if (users.length > 0) lines.push(`${inner}users: [`, ...users.map((u) => `${inner}  ${u}`), `${inner}]`);
  if (a.exports.length > 0) lines.push(`${inner}exports: [ ${a.exports.map(renderExport).join(", ")} ]`);
  if (a.imports.length > 0) lines.push(`${inner}imports: [ ${a.imports.map(renderImport).join(", ")} ]`);
  lines.push(`${indent}}`);
  return lines.join("\n");
}
