// Who may connect: the client users and accounts (auth.conf in the credentials
// Secret), and the user the servers' routes log in with (routes.conf), so a
// server that reaches port 6222 without the route password cannot join.
import type { AuthArgs } from "../args";
import { show, type Issues } from "../errors";
import { BCRYPT_MAX_BYTES } from "../security/accounts";
import type { AuthPlan, ClusterNames, RoutesPlan } from "./types";

const ACCOUNT = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** The route listener's port, as the chart sets it (`config.cluster.port`). */
export const ROUTE_PORT = 6222;

export function planAuth(
  authArgs: AuthArgs | undefined,
  issues: Issues,
  warnings: string[],
): AuthPlan | undefined {
  const a = authArgs ?? {};
  if (a.enabled === false) {
    warnings.push(
      "auth.enabled is false: anyone who reaches the client port can publish, subscribe and manage JetStream, and the routes have no password (only the NetworkPolicy keeps other servers from joining).",
    );
    return undefined;
  }
  const mode = a.mode ?? "password";
  if (mode !== "password" && mode !== "jwt")
    issues.add("auth.mode", `must be "password" or "jwt", got ${show(a.mode)}.`);
  if (mode === "jwt")
    for (const f of ["systemPassword", "appPassword"] as const)
      if (a[f] !== undefined)
        issues.add(`auth.${f}`, 'is not used with auth.mode "jwt" (users log in with .creds): remove it.');
  const auth: AuthPlan = {
    mode: mode === "jwt" ? "jwt" : "password",
    systemAccount: "SYS",
    appAccount: a.appAccount ?? "APP",
    systemUser: a.systemUser ?? "sys",
    appUser: a.appUser ?? "app",
    passwordLength: a.passwordLength ?? 32,
    // Both filled in by plan() (the leaf user and jetstream are planned later).
    appJetStream: true,
    accounts: [],
    includeFile: "auth.conf",
    mountDir: "/etc/nats-auth",
  };
  if (!ACCOUNT.test(auth.appAccount) || ["SYS", "$G", "$SYS"].includes(auth.appAccount))
    issues.add(
      "auth.appAccount",
      `${show(auth.appAccount)} must be a name of letters, digits, "_" or "-", other than SYS.`,
    );
  for (const f of ["appUser", "systemUser"] as const)
    if (!ACCOUNT.test(auth[f]))
      issues.add(`auth.${f}`, `${show(auth[f])} must be letters, digits, "_" or "-".`);
  if (auth.appUser === auth.systemUser)
    issues.add("auth.appUser", `equals auth.systemUser (${auth.appUser}): users must differ.`);
  // The servers keep bcrypt hashes of the passwords, and bcrypt reads at most 72 bytes.
  if (
    !Number.isInteger(auth.passwordLength) ||
    auth.passwordLength < 16 ||
    auth.passwordLength > BCRYPT_MAX_BYTES
  )
    issues.add(
      "auth.passwordLength",
      `must be a whole number from 16 to ${BCRYPT_MAX_BYTES} (the most bcrypt reads), got ${show(auth.passwordLength)}.`,
    );
  return auth;
}

/**
 * Route authorization, on whenever auth is and there is more than one server.
 * The include replaces the chart's route list with the same URLs carrying the
 * route user and password, and adds the `authorization` block every server
 * checks incoming routes against.
 */
export function planRoutes(
  auth: AuthPlan | undefined,
  names: ClusterNames,
  replicas: number,
  tlsRoutes: boolean,
): RoutesPlan | undefined {
  if (!auth || replicas < 2) return undefined;
  return {
    user: "route",
    includeFile: "routes.conf",
    scheme: tlsRoutes ? "tls" : "nats",
    // The chart's own list (files/config/cluster.yaml, useFQDN false): <pod>.<headless>:6222.
    hosts: Array.from(
      { length: replicas },
      (_, i) => `${names.statefulSet}-${i}.${names.headlessService}:${ROUTE_PORT}`,
    ),
  };
}
