// Turning JetStream off (`jetstream: false`) on a cluster that holds streams
// loses them: the scale-down guard (registered before the chart, its diff run
// by every preview) lists the streams through the system account and refuses
// the change, naming them, unless allowJetStreamDataLoss. On a real server
// with the component's auth include.
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { opsHandlers } from "../../sdk/cluster/ops/handlers";
import { renderAuthInclude } from "../../sdk/cluster/security/auth";
import type { AuthPlan } from "../../sdk/cluster/plan/types";
import { startServer, type NatsServer } from "../harness";

const AUTH: AuthPlan = {
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
const SYS_PW = "SysPasswordForJetStreamOff01";
const APP_PW = "AppPasswordForJetStreamOff02";

describe("turning JetStream off is refused while streams exist", function () {
  this.timeout(60_000);
  let server: NatsServer;
  const guard = opsHandlers("scaleDownGuard");
  const props = (jetstream: boolean | undefined, allowJetStreamDataLoss = false) => ({
    statefulSet: "events",
    replicas: 1,
    timeout: "20s",
    ...(jetstream === undefined ? {} : { jetstream }),
    allowJetStreamDataLoss,
    connection: { servers: [server.url], user: AUTH.systemUser },
    credentials: { password: SYS_PW },
  });

  before(async () => {
    server = await startServer({ extraConfig: renderAuthInclude(AUTH, SYS_PW, APP_PW) });
  });
  after(() => server?.stop());

  it("passes while the cluster holds no stream, then refuses naming the stream once one exists", async () => {
    assert.deepEqual(await guard.diff("events-scaleDownGuard", props(true), props(false)), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const nc = await server.connect({ user: AUTH.appUser, pass: APP_PW });
    try {
      await (await jetstreamManager(nc)).streams.add({ name: "ORDERS", subjects: ["orders.>"] });
    } finally {
      await nc.close();
    }
    for (const olds of [props(true), props(undefined)])
      await assert.rejects(
        guard.diff("events-scaleDownGuard", olds, props(false)),
        /jetstream: turning JetStream off on events would lose 1 stream\(s\).*ORDERS \(account APP\).*allowJetStreamDataLoss: true/,
      );
    await assert.rejects(guard.update("events-scaleDownGuard", props(true), props(false)), /ORDERS/);
  });

  it("lets it through once the loss is agreed, and does not connect when nothing turns off", async () => {
    assert.equal((await guard.diff("events-scaleDownGuard", props(true), props(false, true))).changes, true);
    const unreachable = { ...props(true), connection: { servers: ["nats://127.0.0.1:1"], user: "sys" } };
    assert.equal((await guard.diff("events-scaleDownGuard", unreachable, unreachable)).changes, false);
  });
});
