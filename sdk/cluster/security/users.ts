// The tenant users' secrets as resources: a password (given, or generated
// once by random.RandomPassword) or an nkey (its seed made once from
// random.RandomBytes, so it lives in the state as a secret and never changes
// between runs), and each user's own Kubernetes Secret with what a client
// needs. Rotating one user (a new password) touches only that user.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fromSeed, Prefix } from "@nats-io/nkeys";
// The seed encoding (prefix, CRC) of the pinned @nats-io/nkeys: not hand-rolled.
import { Codec } from "@nats-io/nkeys/lib/codec";
import type { ConnectionAccountArgs } from "../../jetstream/connection-args";
import type { UserArgs } from "../tenancy-args";
import type { ClusterPlan } from "../plan/types";
import type { UserPlan } from "../plan/tenancy";
import type { UserCredential } from "./accounts";
import { tenantCredential } from "./auth";

/** What one tenant user presents: a password, an nkey seed (`SU...`) and its public key, or (JWT mode) a .creds. */
export type UserSecret = { password: string } | { seed: string; nkey: string } | { creds: string };

/** The user nkey (seed and public key) of 32 random bytes, as base64. */
export function userNkeyFromBytes(base64: string): { seed: string; nkey: string } {
  const raw = Buffer.from(base64, "base64");
  if (raw.length !== 32) throw new Error(`pulumi-nats bug: an nkey needs 32 random bytes, got ${raw.length}`);
  const seed = new TextDecoder().decode(Codec.encodeSeed(Prefix.User, raw));
  return { seed, nkey: fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
}

/** What a user's account allows, for its `connection` (checked by the JetStream resources at preview). */
export function accountLimitsOf(p: ClusterPlan, user: UserPlan): ConnectionAccountArgs {
  const a = p.auth?.accounts.find((x) => x.name === user.account);
  const js = a?.jetstream;
  if (!js) return { name: user.account, jetstream: false };
  return {
    name: user.account,
    jetstream: true,
    ...(js.maxBytesRequired ? { maxBytesRequired: true } : {}),
    ...(js.maxFileStreamBytes !== undefined ? { maxFileStreamBytes: js.maxFileStreamBytes } : {}),
    ...(js.maxMemoryStreamBytes !== undefined ? { maxMemoryStreamBytes: js.maxMemoryStreamBytes } : {}),
    ...(js.maxAckPending !== undefined ? { maxAckPending: js.maxAckPending } : {}),
  };
}

/** A given user seed (`SU...`) and its public key; refuses anything else, naming the user. */
export function userNkeyFromSeed(seed: string, user: string): { seed: string; nkey: string } {
  let nkey: string;
  try {
    nkey = fromSeed(new TextEncoder().encode(seed)).getPublicKey();
  } catch {
    nkey = "";
  }
  if (!nkey.startsWith("U"))
    throw new Error(`auth.accounts: the nkeySeed of user ${user} is not a user nkey seed (SU...).`);
  return { seed, nkey };
}

/** Every tenant user of the plan, with its account. */
export function tenantUsers(p: ClusterPlan): UserPlan[] {
  return (p.auth?.accounts ?? []).flatMap((a) => a.users);
}

/**
 * The secret of each tenant user, by user name: given passwords, or
 * generated ones and nkeys (resources named `<component>-user-<user>-...`).
 */
export function tenantSecrets(
  p: ClusterPlan,
  component: string,
  accountsArgs: { users?: UserArgs[] }[] | undefined,
  passwordLength: number,
  parent: pulumi.Resource,
): Record<string, pulumi.Output<UserSecret>> {
  const given = new Map<string, pulumi.Input<string>>();
  const givenSeeds = new Map<string, pulumi.Input<string>>();
  for (const a of accountsArgs ?? [])
    for (const u of a.users ?? []) {
      if (u.password !== undefined) given.set(u.name, u.password);
      if (u.nkeySeed !== undefined) givenSeeds.set(u.name, u.nkeySeed);
    }
  const out: Record<string, pulumi.Output<UserSecret>> = {};
  for (const u of tenantUsers(p)) {
    const resource = `${component}-user-${u.name}`;
    const seed = givenSeeds.get(u.name);
    if (u.auth === "nkey" && seed !== undefined) {
      out[u.name] = pulumi.secret(
        pulumi.output(seed).apply((sd): UserSecret => userNkeyFromSeed(sd, u.name)),
      );
    } else if (u.auth === "nkey") {
      const bytes = new random.RandomBytes(`${resource}-nkey`, { length: 32 }, { parent });
      out[u.name] = pulumi.secret(bytes.base64.apply((b): UserSecret => userNkeyFromBytes(b)));
    } else {
      const password =
        given.get(u.name) ??
        new random.RandomPassword(
          `${resource}-password`,
          { length: passwordLength, special: false },
          { parent },
        ).result;
      out[u.name] = pulumi.secret(pulumi.output(password).apply((pw): UserSecret => ({ password: pw })));
    }
  }
  return out;
}

/** The include's entries (hashes and public keys) of all tenant users. */
export function tenantCredentials(
  p: ClusterPlan,
  secrets: Record<string, pulumi.Output<UserSecret>>,
): pulumi.Output<Record<string, UserCredential>> {
  const users = tenantUsers(p);
  return pulumi.all(users.map((u) => secrets[u.name])).apply((values) =>
    Object.fromEntries(
      users.map((u, i) => {
        const s = values[i];
        if ("creds" in s) throw new Error("pulumi-nats bug: a JWT-mode user in the password include");
        return [
          u.name,
          tenantCredential(u.account, u.name, "seed" in s ? { nkey: s.nkey } : { password: s.password }),
        ];
      }),
    ),
  );
}

/**
 * One Secret per tenant user, `<name>-user-<user>` in the cluster's
 * namespace: `account`, `user`, `password` or `nkey-seed` and `nkey`, `urls`
 * (the in-cluster client URLs, comma-separated) and `ca.crt` with client TLS.
 */
export function userSecrets(
  p: ClusterPlan,
  secrets: Record<string, pulumi.Output<UserSecret>>,
  namespace: pulumi.Input<string>,
  caCert: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret[] {
  return tenantUsers(p).map(
    (u) =>
      new k8s.core.v1.Secret(
        `${p.component}-user-${u.name}`,
        {
          metadata: {
            name: u.secretName,
            namespace,
            labels: { "app.kubernetes.io/instance": p.names.release },
            // An annotation: account names may hold characters a label value may not.
            annotations: { "pulumi-nats/account": u.account },
          },
          type: "Opaque",
          stringData: pulumi.all([secrets[u.name], caCert]).apply(([s, ca]) => ({
            account: u.account,
            user: u.name,
            ...("creds" in s
              ? { "user.creds": s.creds }
              : "seed" in s
                ? { "nkey-seed": s.seed, nkey: s.nkey }
                : { password: s.password }),
            urls: p.clientUrls.join(","),
            ...(p.tls?.client && ca ? { "ca.crt": ca } : {}),
          })),
        },
        opts,
      ),
  );
}
