// Validation of `auth.accounts` (multi-tenancy) into a plan: accounts, users,
// exports and imports, with the cross-checks that need the whole set (unknown
// accounts, imports no export covers, cycles, a user in two accounts,
// permissions that lock a JetStream user out of the JetStream API). Every
// problem is reported at once, each naming its field. Pure: no Pulumi calls.
import { show, type Issues } from "../errors";
import { subjectProblem, subjectsOverlap } from "../../jetstream/names";
import { parseDuration } from "../../jetstream/units";
import {
  ConnectionType,
  ResponseType,
  type AccountArgs,
  type ImportArgs,
  type PermissionsArgs,
  type UserArgs,
} from "../tenancy-args";
import { parseBytes } from "./quantity";

const ACCOUNT = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** A user name is part of its Secret's name, so it is a DNS label. */
const USER = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Names the server or this package reserves. */
const RESERVED_ACCOUNTS = ["SYS", "$G", "$SYS"];

export interface AccountJetStreamPlan {
  maxMemory?: number;
  maxFile?: number;
  maxStreams?: number;
  maxConsumers?: number;
  maxAckPending?: number;
  maxBytesRequired: boolean;
  maxFileStreamBytes?: number;
  maxMemoryStreamBytes?: number;
}

export interface AccountLimitsPlan {
  maxConnections?: number;
  maxSubscriptions?: number;
  maxPayload?: number;
  maxLeafNodes?: number;
}

export interface SubjectPermissionPlan {
  allow?: string[];
  deny?: string[];
}

export interface PermissionsPlan {
  publish?: SubjectPermissionPlan;
  subscribe?: SubjectPermissionPlan;
  allowResponses?: { maxMessages?: number; expires?: string };
}

export interface UserPlan {
  name: string;
  account: string;
  /** "creds": JWT mode, a user JWT and its nkey in a .creds file. */
  auth: "password" | "nkey" | "creds";
  /** Refused by the servers (JWT: its key is revoked; password mode: left out of the include). */
  revoked: boolean;
  /** Whether `password` was given (else generated). */
  givenPassword: boolean;
  permissions?: PermissionsPlan;
  allowedConnectionTypes?: ConnectionType[];
  jetstreamApi: boolean;
  /** The user's own Kubernetes Secret: `<cluster name>-user-<user>`. */
  secretName: string;
}

export type ExportPlan =
  | { kind: "stream"; subject: string; accounts?: string[] }
  | { kind: "service"; subject: string; accounts?: string[]; responseType?: ResponseType };

/** `path` is the import's field (`auth.accounts[0].imports[1]`), for the cross-checks' messages. */
export type ImportPlan =
  | { kind: "stream"; account: string; subject: string; prefix?: string; path: string }
  | { kind: "service"; account: string; subject: string; to?: string; path: string };

export interface AccountPlan {
  name: string;
  /** Undefined: JetStream off in this account. */
  jetstream: AccountJetStreamPlan | undefined;
  limits: AccountLimitsPlan;
  users: UserPlan[];
  exports: ExportPlan[];
  imports: ImportPlan[];
}

/** What the rest of the plan fixes: names the accounts and users may not take. */
export interface TenancyContext {
  cluster: string;
  /** "jwt": users log in with .creds (no password or nkey of their own). */
  mode: "password" | "jwt";
  /** False with the cluster's `jetstream: false`: no account has JetStream. */
  jetstream: boolean;
  appAccount: string;
  /** The app, system and leaf users. */
  reservedUsers: string[];
}

const ACCOUNT_FIELDS = ["name", "jetstream", "limits", "users", "exports", "imports"];
const JETSTREAM_FIELDS = [
  "enabled",
  "maxMemory",
  "maxFile",
  "maxStreams",
  "maxConsumers",
  "maxAckPending",
  "maxBytesRequired",
  "maxFileStreamBytes",
  "maxMemoryStreamBytes",
];
const LIMIT_FIELDS = ["maxConnections", "maxSubscriptions", "maxPayload", "maxLeafNodes"];
const USER_FIELDS = [
  "name",
  "password",
  "nkey",
  "nkeySeed",
  "permissions",
  "allowedConnectionTypes",
  "jetstreamApi",
  "revoked",
];
const PERMISSION_FIELDS = ["publish", "subscribe", "allowResponses"];
const EXPORT_FIELDS = ["stream", "service", "accounts", "responseType"];
const IMPORT_FIELDS = ["account", "stream", "service", "prefix", "to"];

/**
 * The subjects a user that manages JetStream assets publishes to (requests to
 * the JetStream API of its account) and subscribes to (the replies, on the
 * client's `_INBOX.` prefix).
 */
export const JETSTREAM_API_PUBLISH = ["$JS.API.INFO", "$JS.API.STREAM.>", "$JS.API.CONSUMER.>"];
export const JETSTREAM_API_SUBSCRIBE = ["_INBOX.>"];

/** True when the filter `pattern` matches every subject `subject` matches. */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || s[i] === ">") return false;
    if (p[i] !== "*" && (s[i] === "*" || p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Whether a permission lets every subject of `subject` through (allow covers it, no deny touches it). */
export function permits(perm: SubjectPermissionPlan | undefined, subject: string): boolean {
  if (!perm) return true;
  const allowed = !perm.allow || perm.allow.some((a) => subjectCovers(a, subject));
  return allowed && !(perm.deny ?? []).some((d) => subjectsOverlap(d, subject));
}

function checkFields(v: unknown, fields: string[], path: string, issues: Issues): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    issues.add(path, `must be an object, got ${show(v)}.`);
    return false;
  }
  for (const k of Object.keys(v))
    if (!fields.includes(k))
      issues.add(`${path}.${k}`, `is not a field here (fields: ${fields.join(", ")}).`);
  return true;
}

function list<T>(v: T[] | undefined, path: string, issues: Issues): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.add(path, `must be a list, got ${show(v)}.`);
    return [];
  }
  return v;
}

function count(v: unknown, path: string, issues: Issues): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 1) {
    issues.add(path, `must be a whole number of at least 1, got ${show(v)}.`);
    return undefined;
  }
  return v as number;
}

function size(v: unknown, path: string, issues: Issues): number | undefined {
  if (v === undefined) return undefined;
  const bytes = parseBytes(v);
  if (bytes === undefined)
    issues.add(path, `${show(v)} must be a byte size such as "1Gi", "500M" or "1048576".`);
  return bytes;
}

function subjects(v: unknown, path: string, issues: Issues): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    issues.add(path, `must be a list of subjects, got ${show(v)}.`);
    return undefined;
  }
  v.forEach((s, i) => {
    const problem = typeof s === "string" ? subjectProblem(s) : `${show(s)} is not a subject`;
    if (problem) issues.add(`${path}[${i}]`, `${problem}.`);
  });
  return v.filter((s): s is string => typeof s === "string");
}

function subject(v: unknown, path: string, issues: Issues, wildcards = true): string | undefined {
  const problem = typeof v === "string" ? subjectProblem(v, wildcards) : `${show(v)} is not a subject`;
  if (problem) {
    issues.add(path, `${problem}.`);
    return undefined;
  }
  return v as string;
}

function planJetStream(a: AccountArgs, path: string, issues: Issues): AccountJetStreamPlan | undefined {
  const js = a.jetstream;
  if (js === undefined) return { maxBytesRequired: false };
  if (!checkFields(js, JETSTREAM_FIELDS, path, issues)) return undefined;
  const plan: AccountJetStreamPlan = {
    maxMemory: size(js.maxMemory, `${path}.maxMemory`, issues),
    maxFile: size(js.maxFile, `${path}.maxFile`, issues),
    maxStreams: count(js.maxStreams, `${path}.maxStreams`, issues),
    maxConsumers: count(js.maxConsumers, `${path}.maxConsumers`, issues),
    maxAckPending: count(js.maxAckPending, `${path}.maxAckPending`, issues),
    maxBytesRequired: js.maxBytesRequired ?? (js.maxMemory !== undefined || js.maxFile !== undefined),
    maxFileStreamBytes: size(js.maxFileStreamBytes, `${path}.maxFileStreamBytes`, issues),
    maxMemoryStreamBytes: size(js.maxMemoryStreamBytes, `${path}.maxMemoryStreamBytes`, issues),
  };
  if (js.enabled !== undefined && typeof js.enabled !== "boolean")
    issues.add(`${path}.enabled`, `must be true or false, got ${show(js.enabled)}.`);
  if (typeof plan.maxBytesRequired !== "boolean")
    issues.add(`${path}.maxBytesRequired`, `must be true or false, got ${show(plan.maxBytesRequired)}.`);
  if (js.enabled === false) {
    const set = JETSTREAM_FIELDS.filter(
      (f) => f !== "enabled" && (js as Record<string, unknown>)[f] !== undefined,
    );
    if (set.length > 0)
      issues.add(path, `sets ${set.join(", ")} with enabled: false: remove them or enable JetStream.`);
    return undefined;
  }
  for (const [stream, total] of [
    ["maxFileStreamBytes", "maxFile"],
    ["maxMemoryStreamBytes", "maxMemory"],
  ] as const)
    if (plan[stream] !== undefined && plan[total] !== undefined && plan[stream]! > plan[total]!)
      issues.add(
        `${path}.${stream}`,
        `${show(js[stream])} is more than ${total} (${show(js[total])}): one stream could never reach it.`,
      );
  for (const k of Object.keys(plan) as (keyof AccountJetStreamPlan)[])
    if (plan[k] === undefined) delete plan[k];
  return plan;
}

function planLimits(a: AccountArgs, path: string, issues: Issues): AccountLimitsPlan {
  const l = a.limits;
  if (l === undefined || !checkFields(l, LIMIT_FIELDS, path, issues)) return {};
  const plan: AccountLimitsPlan = {
    maxConnections: count(l.maxConnections, `${path}.maxConnections`, issues),
    maxSubscriptions: count(l.maxSubscriptions, `${path}.maxSubscriptions`, issues),
    maxPayload: size(l.maxPayload, `${path}.maxPayload`, issues),
    maxLeafNodes: count(l.maxLeafNodes, `${path}.maxLeafNodes`, issues),
  };
  // The server's own max_payload (1 MiB, the chart's default) caps every account.
  if (plan.maxPayload !== undefined && plan.maxPayload > 1024 * 1024)
    issues.add(`${path}.maxPayload`, `${show(l.maxPayload)} is more than the servers' max_payload (1Mi).`);
  for (const k of Object.keys(plan) as (keyof AccountLimitsPlan)[]) if (plan[k] === undefined) delete plan[k];
  return plan;
}

function planPermissions(
  p: PermissionsArgs | undefined,
  path: string,
  issues: Issues,
): PermissionsPlan | undefined {
  if (p === undefined || !checkFields(p, PERMISSION_FIELDS, path, issues)) return undefined;
  const out: PermissionsPlan = {};
  for (const dir of ["publish", "subscribe"] as const) {
    const d = p[dir];
    if (d === undefined || !checkFields(d, ["allow", "deny"], `${path}.${dir}`, issues)) continue;
    const allow = subjects(d.allow, `${path}.${dir}.allow`, issues);
    const deny = subjects(d.deny, `${path}.${dir}.deny`, issues);
    out[dir] = { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}) };
  }
  const r = p.allowResponses;
  if (r !== undefined && checkFields(r, ["maxMessages", "expires"], `${path}.allowResponses`, issues)) {
    const maxMessages = count(r.maxMessages, `${path}.allowResponses.maxMessages`, issues);
    if (r.expires !== undefined) {
      try {
        if (typeof r.expires !== "string") throw new Error();
        parseDuration(r.expires);
      } catch {
        issues.add(
          `${path}.allowResponses.expires`,
          `${show(r.expires)} must be a duration such as "1m" or "500ms".`,
        );
      }
    }
    out.allowResponses = {
      ...(maxMessages !== undefined ? { maxMessages } : {}),
      ...(typeof r.expires === "string" ? { expires: r.expires } : {}),
    };
  }
  return out;
}

function planUser(
  u: UserArgs,
  account: string,
  hasJetStream: boolean,
  ctx: TenancyContext,
  path: string,
  issues: Issues,
): UserPlan | undefined {
  if (!checkFields(u, USER_FIELDS, path, issues)) return undefined;
  if (typeof u.name !== "string" || !USER.test(u.name) || u.name.length > 63)
    issues.add(
      `${path}.name`,
      `${show(u.name)} must be lowercase letters, digits and "-" (it names the Secret ${ctx.cluster}-user-<name>).`,
    );
  else if (ctx.reservedUsers.includes(u.name))
    issues.add(`${path}.name`, `${show(u.name)} is already the app, system or leaf user: pick another name.`);
  if (u.nkey !== undefined && typeof u.nkey !== "boolean")
    issues.add(`${path}.nkey`, `must be true or false, got ${show(u.nkey)}.`);
  if (u.nkey === true && u.password !== undefined)
    issues.add(`${path}.password`, "is not used with nkey: true: remove one of them.");
  if (ctx.mode === "jwt")
    for (const f of ["password", "nkey", "nkeySeed"] as const)
      if (u[f] !== undefined)
        issues.add(`${path}.${f}`, 'is not used with auth.mode "jwt": every user logs in with its .creds.');
  if (u.revoked !== undefined && typeof u.revoked !== "boolean")
    issues.add(`${path}.revoked`, `must be true or false, got ${show(u.revoked)}.`);
  if (u.nkeySeed !== undefined && u.nkey !== true)
    issues.add(`${path}.nkeySeed`, "needs nkey: true (the user authenticates with that nkey).");
  const types = u.allowedConnectionTypes;
  if (types !== undefined) {
    const allowed = Object.values(ConnectionType) as string[];
    list(types, `${path}.allowedConnectionTypes`, issues).forEach((t, i) => {
      if (!allowed.includes(t))
        issues.add(
          `${path}.allowedConnectionTypes[${i}]`,
          `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(t)}.`,
        );
    });
  }
  if (u.jetstreamApi !== undefined && typeof u.jetstreamApi !== "boolean")
    issues.add(`${path}.jetstreamApi`, `must be true or false, got ${show(u.jetstreamApi)}.`);
  const permissions = planPermissions(u.permissions, `${path}.permissions`, issues);
  const jetstreamApi = u.jetstreamApi ?? hasJetStream;
  if (jetstreamApi && !hasJetStream)
    issues.add(
      `${path}.jetstreamApi`,
      `is true but account ${account} has no JetStream: enable it in the account or set jetstreamApi: false.`,
    );
  if (jetstreamApi && hasJetStream && permissions) checkJetStreamApi(permissions, path, issues);
  return {
    name: u.name,
    account,
    auth: ctx.mode === "jwt" ? "creds" : u.nkey === true ? "nkey" : "password",
    revoked: u.revoked === true,
    givenPassword: u.password !== undefined,
    ...(permissions ? { permissions } : {}),
    ...(types !== undefined ? { allowedConnectionTypes: [...types] } : {}),
    jetstreamApi,
    secretName: `${ctx.cluster}-user-${u.name}`,
  };
}

/** A user that manages JetStream needs to publish API requests and receive their replies. */
function checkJetStreamApi(p: PermissionsPlan, path: string, issues: Issues): void {
  const pub = JETSTREAM_API_PUBLISH.filter((s) => !permits(p.publish, s));
  if (pub.length > 0)
    issues.add(
      `${path}.permissions.publish`,
      `leaves the user unable to use the JetStream API of its account: it must allow publishing to ${pub.join(", ")} (or "$JS.API.>"), or set jetstreamApi: false for a user that does not manage streams.`,
    );
  const sub = JETSTREAM_API_SUBSCRIBE.filter((s) => !permits(p.subscribe, s));
  if (sub.length > 0)
    issues.add(
      `${path}.permissions.subscribe`,
      `leaves the user unable to receive the JetStream API's replies: it must allow subscribing to ${sub.join(", ")}, or set jetstreamApi: false for a user that does not manage streams.`,
    );
}

/**
 * Validates `auth.accounts` and returns the accounts' plans. `ctx` names
 * what the rest of the auth plan already uses.
 */
export function planTenancy(
  accountsArgs: AccountArgs[] | undefined,
  ctx: TenancyContext,
  issues: Issues,
): AccountPlan[] {
  const base = "auth.accounts";
  const accounts: AccountPlan[] = [];
  const args = list(accountsArgs, base, issues);
  const names = args.map((a) => (a && typeof a === "object" ? a.name : undefined));
  const userAccount = new Map<string, { account: string; path: string }>();
  args.forEach((a, i) => {
    const path = `${base}[${i}]`;
    if (!checkFields(a, ACCOUNT_FIELDS, path, issues)) return;
    const name = a.name;
    if (typeof name !== "string" || !ACCOUNT.test(name))
      issues.add(`${path}.name`, `${show(name)} must be a name of letters, digits, "_" or "-".`);
    else if (RESERVED_ACCOUNTS.includes(name) || name === ctx.appAccount)
      issues.add(
        `${path}.name`,
        `${show(name)} is the system or application account (auth.appAccount): pick another name.`,
      );
    else if (names.indexOf(name) !== i)
      issues.add(
        `${path}.name`,
        `${show(name)} is also the name of auth.accounts[${names.indexOf(name)}]: account names must differ.`,
      );
    let jetstream = planJetStream(a, `${path}.jetstream`, issues);
    if (!ctx.jetstream) {
      if (a.jetstream !== undefined && a.jetstream.enabled !== false)
        issues.add(
          `${path}.jetstream`,
          "the cluster has jetstream: false, so no account can have JetStream: remove it (or set enabled: false).",
        );
      jetstream = undefined;
    }
    const users: UserPlan[] = [];
    list(a.users, `${path}.users`, issues).forEach((u, j) => {
      const up = planUser(u, String(name), jetstream !== undefined, ctx, `${path}.users[${j}]`, issues);
      if (!up) return;
      const seen = userAccount.get(up.name);
      if (seen && typeof up.name === "string")
        issues.add(
          `${path}.users[${j}].name`,
          seen.account === name
            ? `${show(up.name)} is listed twice in account ${name} (also ${seen.path}).`
            : `${show(up.name)} is already a user of account ${seen.account} (${seen.path}): a user belongs to one account.`,
        );
      else userAccount.set(up.name, { account: String(name), path: `${path}.users[${j}]` });
      users.push(up);
    });
    accounts.push({
      name: String(name),
      jetstream,
      limits: planLimits(a, `${path}.limits`, issues),
      users,
      exports: planExports(a, path, names, ctx.mode, issues),
      imports: planImports(a, path, issues),
    });
  });
  checkImports(accounts, issues);
  checkCycles(accounts, issues);
  return accounts;
}

function planExports(
  a: AccountArgs,
  path: string,
  names: unknown[],
  mode: TenancyContext["mode"],
  issues: Issues,
): ExportPlan[] {
  const out: ExportPlan[] = [];
  list(a.exports, `${path}.exports`, issues).forEach((e, k) => {
    if (mode === "jwt" && e && e.accounts !== undefined)
      issues.add(
        `${path}.exports[${k}].accounts`,
        'is not supported with auth.mode "jwt" yet (it needs activation tokens): remove it to export to every account.',
      );
    const p = `${path}.exports[${k}]`;
    if (!checkFields(e, EXPORT_FIELDS, p, issues)) return;
    if ((e.stream === undefined) === (e.service === undefined)) {
      issues.add(p, "must set exactly one of stream or service.");
      return;
    }
    const kind = e.stream !== undefined ? "stream" : "service";
    const subj = subject(e[kind], `${p}.${kind}`, issues);
    const accounts = e.accounts === undefined ? undefined : list(e.accounts, `${p}.accounts`, issues);
    accounts?.forEach((acc, m) => {
      if (!names.includes(acc))
        issues.add(`${p}.accounts[${m}]`, `${show(acc)} is not an account of auth.accounts.`);
      else if (acc === a.name)
        issues.add(`${p}.accounts[${m}]`, `${show(acc)} is the exporting account itself.`);
    });
    if (e.responseType !== undefined && kind !== "service")
      issues.add(`${p}.responseType`, "only applies to a service export.");
    else if (
      e.responseType !== undefined &&
      !(Object.values(ResponseType) as string[]).includes(e.responseType)
    )
      issues.add(
        `${p}.responseType`,
        `must be one of ${Object.values(ResponseType)
          .map((r) => `"${r}"`)
          .join(", ")}, got ${show(e.responseType)}.`,
      );
    if (subj === undefined) return;
    out.push(
      kind === "stream"
        ? { kind, subject: subj, ...(accounts ? { accounts: [...accounts] } : {}) }
        : {
            kind,
            subject: subj,
            ...(accounts ? { accounts: [...accounts] } : {}),
            ...(e.responseType ? { responseType: e.responseType } : {}),
          },
    );
  });
  return out;
}

function planImports(a: AccountArgs, path: string, issues: Issues): ImportPlan[] {
  const out: ImportPlan[] = [];
  list(a.imports, `${path}.imports`, issues).forEach((im: ImportArgs, k) => {
    const p = `${path}.imports[${k}]`;
    if (!checkFields(im, IMPORT_FIELDS, p, issues)) return;
    if ((im.stream === undefined) === (im.service === undefined)) {
      issues.add(p, "must set exactly one of stream or service.");
      return;
    }
    if (typeof im.account !== "string")
      issues.add(`${p}.account`, `must name an account, got ${show(im.account)}.`);
    else if (im.account === a.name)
      issues.add(`${p}.account`, `${show(im.account)} is the importing account itself.`);
    if (im.stream !== undefined) {
      const subj = subject(im.stream, `${p}.stream`, issues);
      if (im.to !== undefined)
        issues.add(`${p}.to`, "only applies to a service import (a stream import takes prefix).");
      const prefix = im.prefix === undefined ? undefined : subject(im.prefix, `${p}.prefix`, issues, false);
      if (subj !== undefined)
        out.push({
          kind: "stream",
          account: im.account,
          subject: subj,
          ...(prefix ? { prefix } : {}),
          path: p,
        });
    } else {
      const subj = subject(im.service, `${p}.service`, issues);
      if (im.prefix !== undefined)
        issues.add(`${p}.prefix`, "only applies to a stream import (a service import takes to).");
      const to = im.to === undefined ? undefined : subject(im.to, `${p}.to`, issues, false);
      if (subj !== undefined && im.to === undefined && subj.split(".").some((t) => t === "*" || t === ">"))
        issues.add(
          `${p}.to`,
          `is required when the service subject ${show(subj)} has wildcards: the local subject requests are sent to.`,
        );
      if (subj !== undefined)
        out.push({ kind: "service", account: im.account, subject: subj, ...(to ? { to } : {}), path: p });
    }
  });
  return out;
}

/** Every import names a known account and a subject that account exports to it, of the same kind. */
function checkImports(accounts: AccountPlan[], issues: Issues): void {
  const byName = new Map(accounts.map((a) => [a.name, a]));
  accounts.forEach((a) => {
    a.imports.forEach((im) => {
      const p = im.path;
      const from = byName.get(im.account);
      if (!from) {
        issues.add(
          `${p}.account`,
          `${show(im.account)} is not an account of auth.accounts (accounts: ${accounts.map((x) => x.name).join(", ") || "none"}).`,
        );
        return;
      }
      const covering = from.exports.filter((e) => e.kind === im.kind && subjectCovers(e.subject, im.subject));
      if (covering.length === 0)
        issues.add(
          `${p}.${im.kind}`,
          `${show(im.subject)}: account ${from.name} exports no ${im.kind} covering it (add { ${im.kind}: ${show(im.subject)} } to its exports).`,
        );
      else if (!covering.some((e) => !e.accounts || e.accounts.includes(a.name)))
        issues.add(
          `${p}.${im.kind}`,
          `${show(im.subject)}: account ${from.name}'s export of it does not list ${a.name} in its accounts.`,
        );
    });
  });
}

/** A subject flow from one account's subject to another's (stream: exporter -> importer; service: the reverse). */
interface Flow {
  from: string;
  fromSubject: string;
  to: string;
  toSubject: string;
  path: string;
}

/**
 * Imports that feed back into themselves: messages (or requests) leaving an
 * account through a chain of imports and arriving back on an overlapping
 * subject. The server refuses such a configuration at start ("cycle"); we
 * name the chain instead.
 */
function checkCycles(accounts: AccountPlan[], issues: Issues): void {
  for (const kind of ["stream", "service"] as const) {
    const flows: Flow[] = [];
    accounts.forEach((a) =>
      a.imports.forEach((im) => {
        // A self-import is refused on its own; it is not a chain.
        if (im.kind !== kind || im.account === a.name) return;
        const local =
          im.kind === "stream"
            ? im.prefix
              ? `${im.prefix}.${im.subject}`
              : im.subject
            : (im.to ?? im.subject);
        const path = im.path;
        flows.push(
          kind === "stream"
            ? { from: im.account, fromSubject: im.subject, to: a.name, toSubject: local, path }
            : { from: a.name, fromSubject: local, to: im.account, toSubject: im.subject, path },
        );
      }),
    );
    const reported = new Set<string>();
    for (const start of flows) {
      const chain = findCycle(start, flows);
      if (!chain) continue;
      const key = chain
        .map((f) => f.path)
        .sort()
        .join("|");
      if (reported.has(key)) continue;
      reported.add(key);
      issues.add(
        start.path,
        `forms a ${kind} import cycle: ${[...chain.map((f) => `${f.from} (${f.fromSubject})`), `${start.from}`].join(" -> ")}; messages would loop between the accounts. Narrow a subject or remove an import.`,
      );
    }
  }
}

function findCycle(start: Flow, flows: Flow[]): Flow[] | undefined {
  const walk = (cur: Flow, chain: Flow[], seen: Set<Flow>): Flow[] | undefined => {
    if (cur.to === start.from && subjectsOverlap(cur.toSubject, start.fromSubject) && chain.length > 0)
      return chain;
    for (const next of flows) {
      if (seen.has(next) || next.from !== cur.to || !subjectsOverlap(next.fromSubject, cur.toSubject))
        continue;
      seen.add(next);
      const found = walk(next, [...chain, next], seen);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start], new Set([start]));
}
