// Lowering a tenant account's JetStream limits below what its streams
// already need is refused at preview by the scale-down guard's diff, naming
// the streams (the server would take the reload, then refuse their growth).
// On a real server running the component's auth include with a tenant.
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { opsHandlers } from "../../sdk/cluster/ops/handlers";
import { accountLimitProblems, loweredAccounts } from "../../sdk/cluster/ops/account-limits";
import { plan } from "../../sdk/cluster/plan/plan";
import { renderAuthInclude, tenantCredential } from "../../sdk/cluster/security/auth";
import { awsArgs } from "../cluster/fixtures";
import { startServer, type NatsServer } from "../harness";

const SYS_PW = "SysPasswordForAccountLimits01";
const APP_PW = "AppPasswordForAccountLimits02";
const ACME_PW = "AcmePasswordForAccountLimits3";
const KiB = 1024;

describe("an account's JetStream limits lowered below its streams are refused at preview", function () {
  this.timeout(60_000);
  let server: NatsServer;
  const guard = opsHandlers("scaleDownGuard");
  const props = (accountLimits: Record<string, { maxFile?: number; maxStreams?: number }>) => ({
    statefulSet: "events",
    replicas: 1,
    timeout: "20s",
    jetstream: true,
    accountLimits,
    connection: { servers: [server.url], user: "sys" },
    credentials: { password: SYS_PW },
  });

  before(async () => {
    const p = plan("events", {
      ...awsArgs(),
      auth: { accounts: [{ name: "ACME", users: [{ name: "acme-app" }] }] },
    });
    server = await startServer({
      extraConfig: renderAuthInclude(p.auth!, SYS_PW, APP_PW, undefined, {
        "acme-app": tenantCredential("ACME", "acme-app", { password: ACME_PW }),
      }),
    });
    const nc = await server.connect({ user: "acme-app", pass: ACME_PW });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], max_bytes: 512 * KiB });
      await jsm.streams.add({ name: "AUDIT", subjects: ["audit.>"], max_bytes: 256 * KiB });
    } finally {
      await nc.close();
    }
  });
  after(() => server?.stop());

  it("refuses a maxFile below the streams' reservations and a maxStreams below their count, naming them", async () => {
    await assert.rejects(
      guard.diff("events-scaleDownGuard", props({}), props({ ACME: { maxFile: 600 * KiB } })),
      /account ACME's jetstream\.maxFile 600KiB is below what its file streams reserve, 768KiB \((AUDIT: 256KiB x 1, ORDERS: 512KiB x 1|ORDERS: 512KiB x 1, AUDIT: 256KiB x 1)\)/,
    );
    await assert.rejects(
      guard.diff(
        "events-scaleDownGuard",
        props({ ACME: { maxStreams: 5 } }),
        props({ ACME: { maxStreams: 1 } }),
      ),
      /maxStreams 1 is below its 2 streams/,
    );
  });

  it("lets through limits the streams fit in, and raising a limit needs no server", async () => {
    assert.equal(
      (await guard.diff("events-scaleDownGuard", props({}), props({ ACME: { maxFile: 1024 * KiB } })))
        .changes,
      true,
    );
    const unreachable = (l: Record<string, { maxFile?: number }>) => ({
      ...props(l),
      connection: { servers: ["nats://127.0.0.1:1"], user: "sys" },
    });
    assert.equal(
      (
        await guard.diff(
          "events-scaleDownGuard",
          unreachable({ ACME: { maxFile: KiB } }),
          unreachable({ ACME: { maxFile: 2 * KiB } }),
        )
      ).changes,
      true,
    );
  });

  it("counts every replica's reservation (pure)", () => {
    assert.deepEqual(loweredAccounts({ A: { maxFile: 10 } }, { A: { maxFile: 10 }, B: { maxStreams: 1 } }), [
      "B",
    ]);
    const problems = accountLimitProblems({ A: { maxFile: 2 * KiB } }, [
      { account: "A", name: "S", replicas: 3, hosts: [], maxBytes: KiB, storage: "file" },
    ]);
    assert.match(problems[0], /reserve, 3KiB \(S: 1KiB x 3\)/);
  });
});
