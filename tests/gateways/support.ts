// Shared by the real-server gateway and leaf-node tests: the auth plan the
// component renders (system + application accounts), and a log line format.
import type { AuthPlan } from "../../sdk/cluster/plan/types";

export const AUTH: AuthPlan = {
  mode: "password",
  systemAccount: "SYS",
  appAccount: "APP",
  systemUser: "sys",
  appUser: "app",
  passwordLength: 32,
  appJetStream: true,
  accounts: [],
  includeFile: "auth.conf",
  mountDir: "/etc/nats-auth",
};

/** Prints a finding under the running test (the note quotes them). */
export const log = (msg: string) => console.log(`      | ${msg}`);
