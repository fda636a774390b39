// Decentralized (JWT) auth on three real nats-server processes running the
// config the real chart rendered, with the include security/jwt.ts renders
// in place of auth.conf: users log in with their `.creds`, accounts are
// isolated and keep their JetStream limits, a revoked user is refused and a
// new account works after a reload, no restart. JWTs are a function of their
// content, so an unchanged system renders an unchanged include.
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { credsAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { plan } from "../../sdk/cluster/plan/plan";
import { renderRoutesInclude } from "../../sdk/cluster/security/auth";
import { renderJwtSystem, seedFromBytes, type JwtSystem } from "../../sdk/cluster/security/jwt";
import type { AccountArgs } from "../../sdk/cluster/tenancy-args";
import { awsArgs } from "./fixtures";
import { startRenderedServers, type RenderedServers } from "./rendered-servers";

const ROUTE = "RoutePass8901def";
let counter = 0;
const seed = (kind: "operator" | "account" | "user") =>
  seedFromBytes(kind, Buffer.alloc(32, ++counter).toString("base64"));
const SEEDS = {
  operator: seed("operator"),
  SYS: seed("account"),
  ACME: seed("account"),
  GLOBEX: seed("account"),
  INITECH: seed("account"),
  sys: seed("user"),
  "acme-app": seed("user"),
  "acme-old": seed("user"),
  "globex-app": seed("user"),
  "initech-app": seed("user"),
};

const TENANTS: AccountArgs[] = [
  {
    name: "ACME",
    jetstream: { maxFile: "1Mi", maxFileStreamBytes: "512Ki" },
    users: [{ name: "acme-app" }, { name: "acme-old" }],
  },
  { name: "GLOBEX", users: [{ name: "globex-app" }] },
  { name: "INITECH", users: [{ name: "initech-app" }] },
];

/** The JWT system of `accounts` (by name), with `revoked` users refused. */
function system(accounts: string[], revoked: string[] = []): JwtSystem {
  const p = plan("events", {
    ...awsArgs(),
    auth: { accounts: TENANTS.filter((a) => accounts.includes(a.name)) },
  });
  const tenants = p.auth!.accounts;
  return {
    operatorSeed: SEEDS.operator,
    systemAccount: "SYS",
    accounts: [
      { name: "SYS", seed: SEEDS.SYS, jetstream: false },
      ...tenants.map((a) => ({
        name: a.name,
        seed: SEEDS[a.name as "ACME"],
        plan: a,
        jetstream: a.jetstream !== undefined,
      })),
    ],
    users: [
      { name: "sys", account: "SYS", seed: SEEDS.sys },
      ...tenants.flatMap((a) =>
        a.users.map((u) => ({
          name: u.name,
          account: a.name,
          seed: SEEDS[u.name as "acme-app"],
          plan: u,
          revoked: revoked.includes(u.name),
        })),
      ),
    ],
  };
}

describe("JWT mode on three real servers running the rendered config", function () {
  this.timeout(90_000);
  let servers: RenderedServers;
  let creds: Record<string, string> = {};
  const open: NatsConnection[] = [];
  const as = async (user: string, url = servers.clientUrls[0]) => {
    const nc = await connect({
      servers: url,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds[user])),
      reconnect: false,
    });
    open.push(nc);
    return nc;
  };

  before(async () => {
    const first = await renderJwtSystem(system(["ACME", "GLOBEX"]));
    creds = first.creds;
    const p = plan("events", awsArgs());
    servers = await startRenderedServers(first.include, (hosts) =>
      renderRoutesInclude(p.routes!, ROUTE, hosts),
    );
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((nc) => nc.close().catch(() => undefined)));
  });
  after(() => servers?.stop());

  it("renders the same include and creds for the same system (no change, no reload)", async () => {
    const [a, b] = [
      await renderJwtSystem(system(["ACME", "GLOBEX"])),
      await renderJwtSystem(system(["ACME", "GLOBEX"])),
    ];
    assert.equal(a.include, b.include);
    assert.deepEqual(a.creds, b.creds);
    assert.match(a.creds["acme-app"], /-----BEGIN NATS USER JWT-----/);
  });

  it("lets users in with their .creds, keeps accounts apart and enforces the account's JetStream limits", async () => {
    const acme = await as("acme-app");
    const globex = await as("globex-app", servers.clientUrls[1]);
    const got: string[] = [];
    const sub = globex.subscribe("orders.>", {
      callback: (_e: Error | null, m: { subject: string }) => got.push(m.subject),
    });
    await globex.flush();
    acme.publish("orders.1");
    await acme.flush();
    // GLOBEX's own message on the same subject arrives; ACME's never does.
    globex.publish("orders.mine");
    await globex.flush();
    await waitUntil(() => got.includes("orders.mine") || undefined);
    assert.deepEqual(got, ["orders.mine"]);
    sub.unsubscribe();
    const jsm = await jetstreamManager(acme);
    await assert.rejects(
      jsm.streams.add({ name: "BIG", subjects: ["big.>"], max_bytes: 600 * 1024 }),
      /max bytes|10122/i,
    );
    await jsm.streams.add({ name: "OK", subjects: ["ok.>"], max_bytes: 512 * 1024, num_replicas: 1 });
  });

  it("refuses a revoked user after a reload, and the others keep working", async () => {
    await as("acme-old");
    const pids = [...servers.pids];
    servers.rewriteAuth((await renderJwtSystem(system(["ACME", "GLOBEX"], ["acme-old"]))).include);
    await servers.reload();
    assert.deepEqual(servers.pids, pids);
    await assert.rejects(as("acme-old"), /Authorization Violation|revoked/i);
    assert.ok((await as("acme-app")).info);
  });

  it("lets a new account's user in after a reload, without a restart", async () => {
    const next = await renderJwtSystem(system(["ACME", "GLOBEX", "INITECH"], ["acme-old"]));
    creds = next.creds;
    await assert.rejects(as("initech-app"), /Authorization Violation/i);
    servers.rewriteAuth(next.include);
    await servers.reload();
    const initech = await as("initech-app", servers.clientUrls[2]);
    assert.ok(initech.info);
  });
});

async function waitUntil<T>(f: () => T | undefined, ms = 10_000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
