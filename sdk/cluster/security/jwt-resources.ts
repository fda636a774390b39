// JWT mode as resources: every key (operator, each account, each user) is
// 32 random bytes from random.RandomBytes, made once and kept in the state as
// a secret, so the JWTs only change when what they say changes; rotating one
// user (replacing its RandomBytes) touches no other key. The JWTs, the
// `.creds` and the include come from security/jwt.ts.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ClusterPlan } from "../plan/types";
import { renderJwtSystem, seedFromBytes, type JwtAccount, type JwtUser } from "./jwt";

export interface JwtAuth {
  /** The servers' include (operator, system account, preloaded accounts). Secret. */
  include: pulumi.Output<string>;
  /** Every user's `.creds` (system, application and tenant users), by user name. Secret. */
  creds: pulumi.Output<Record<string, string>>;
}

export function jwtAuth(p: ClusterPlan, component: string, parent: pulumi.Resource): JwtAuth {
  const a = p.auth!;
  const key = (what: string, kind: "operator" | "account" | "user") =>
    new random.RandomBytes(`${component}-jwt-${what}`, { length: 32 }, { parent }).base64.apply((b) =>
      seedFromBytes(kind, b),
    );
  const accounts: { name: string; seed: pulumi.Output<string>; jetstream: boolean }[] = [
    { name: a.systemAccount, seed: key(`account-${a.systemAccount}`, "account"), jetstream: false },
    { name: a.appAccount, seed: key(`account-${a.appAccount}`, "account"), jetstream: a.appJetStream },
    ...a.accounts.map((t) => ({
      name: t.name,
      seed: key(`account-${t.name}`, "account"),
      jetstream: t.jetstream !== undefined,
    })),
  ];
  const users = [
    { name: a.systemUser, account: a.systemAccount },
    { name: a.appUser, account: a.appAccount },
    ...a.accounts.flatMap((t) => t.users.map((u) => ({ name: u.name, account: t.name, plan: u }))),
  ].map((u) => ({ ...u, seed: key(`user-${u.name}`, "user") }));
  const rendered = pulumi
    .all([key("operator", "operator"), ...accounts.map((x) => x.seed), ...users.map((u) => u.seed)])
    .apply(([operatorSeed, ...seeds]) => {
      const jwtAccounts: JwtAccount[] = accounts.map((x, i) => ({
        name: x.name,
        seed: seeds[i],
        jetstream: x.jetstream,
        plan: a.accounts.find((t) => t.name === x.name),
      }));
      const jwtUsers: JwtUser[] = users.map((u, i) => ({
        name: u.name,
        account: u.account,
        seed: seeds[accounts.length + i],
        plan: "plan" in u ? u.plan : undefined,
        revoked: "plan" in u ? u.plan?.revoked : false,
      }));
      return renderJwtSystem({
        operatorSeed,
        systemAccount: a.systemAccount,
        accounts: jwtAccounts,
        users: jwtUsers,
      });
    });
  return {
    include: pulumi.secret(rendered.include),
    creds: pulumi.secret(rendered.creds),
  };
}
