// Multi-tenancy on three real nats-server processes running the config the
// real chart rendered, with the auth include NatsCluster renders for
// `auth.accounts` (bcrypt hashes and nkeys, never clear passwords): accounts
// are isolated until an export/import joins them, permissions are enforced by
// the server, an account's JetStream limits refuse a stream with the error
// naming the field, and a rotated password or an added user takes effect on
// the running servers by a reload (what the chart's reloader does), no restart.
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { nkeyAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { plan } from "../../sdk/cluster/plan/plan";
import { renderAuthInclude, renderRoutesInclude, tenantCredential } from "../../sdk/cluster/security/auth";
import { userNkeyFromBytes } from "../../sdk/cluster/security/users";
import type { UserCredential } from "../../sdk/cluster/security/accounts";
import type { AccountArgs } from "../../sdk/cluster/tenancy-args";
import { cores } from "../../sdk/jetstream/core";
import { closeAll } from "../../sdk/jetstream/connection";
import { ServerRefusalError } from "../../sdk/jetstream/errors";
import { awsArgs } from "./fixtures";
import { startRenderedServers, type RenderedServers } from "./rendered-servers";

const SYS = "SysPass1234xyz";
const APP = "AppPass4567abc";
const ROUTE = "RoutePass8901def";
const NKEY = userNkeyFromBytes(Buffer.alloc(32, 7).toString("base64"));

/** Two tenants; `shared` adds ACME's export of orders and GLOBEX's import of them. */
function tenants(
  opts: { shared?: boolean; adminPassword?: string; extraUser?: boolean } = {},
): AccountArgs[] {
  return [
    {
      name: "ACME",
      jetstream: { maxFile: "1Mi", maxFileStreamBytes: "512Ki" },
      users: [
        { name: "acme-admin" },
        {
          name: "acme-reader",
          jetstreamApi: false,
          permissions: { publish: { allow: ["_INBOX.>"] }, subscribe: { allow: ["orders.>", "_INBOX.>"] } },
        },
        { name: "acme-device", nkey: true },
      ],
      exports: opts.shared ? [{ stream: "orders.>", accounts: ["GLOBEX"] }] : [],
    },
    {
      name: "GLOBEX",
      users: [{ name: "globex-app" }, ...(opts.extraUser ? [{ name: "globex-new" }] : [])],
      imports: opts.shared ? [{ account: "ACME", stream: "orders.>", prefix: "acme" }] : [],
    },
  ];
}

const passwords: Record<string, string> = {
  "acme-admin": "AcmeAdminPass0001",
  "acme-reader": "AcmeReaderPass0002",
  "globex-app": "GlobexAppPass0003",
  "globex-new": "GlobexNewPass0004",
};

function include(accounts: AccountArgs[], override: Record<string, string> = {}): string {
  const p = plan("events", { ...awsArgs(), auth: { accounts } });
  const credentials: Record<string, UserCredential> = {};
  for (const a of p.auth!.accounts)
    for (const u of a.users)
      credentials[u.name] = tenantCredential(
        a.name,
        u.name,
        u.auth === "nkey" ? { nkey: NKEY.nkey } : { password: override[u.name] ?? passwords[u.name] },
      );
  return renderAuthInclude(p.auth!, SYS, APP, undefined, credentials);
}

describe("tenancy on three real servers running the rendered config", function () {
  this.timeout(90_000);
  let servers: RenderedServers;
  const open: NatsConnection[] = [];
  const as = async (user: string, password = passwords[user]) => {
    const nc = await connect({ servers: servers.clientUrls[0], user, pass: password, reconnect: false });
    open.push(nc);
    return nc;
  };

  before(async () => {
    const p = plan("events", { ...awsArgs(), auth: { accounts: tenants() } });
    servers = await startRenderedServers(include(tenants()), (hosts) =>
      renderRoutesInclude(p.routes!, ROUTE, hosts),
    );
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((nc) => nc.close().catch(() => undefined)));
  });
  after(async () => {
    await closeAll();
    servers?.stop();
  });

  /**
   * Whether `sub` gets `subject` from `publisher`: the publisher flushes
   * (the server has routed the message), then the subscriber's own marker
   * arrives through the same server; whatever was routed to the subscriber
   * arrived before it.
   */
  async function receives(
    subscriber: NatsConnection,
    listen: string,
    publisher: NatsConnection,
    subject: string,
  ): Promise<boolean> {
    const marker = `_INBOX.marker.${Date.now()}.${Math.random().toString(36).slice(2)}`;
    const sub = subscriber.subscribe(listen);
    const mark = subscriber.subscribe(marker, { max: 1 });
    await subscriber.flush();
    publisher.publish(subject, "hello");
    await publisher.flush();
    subscriber.publish(marker, "");
    const got: string[] = [];
    await (async () => {
      for await (const m of mark) void m;
    })();
    // Drain what was delivered before the marker.
    await subscriber.flush();
    sub.unsubscribe();
    for await (const m of sub) got.push(m.subject);
    return got.length > 0;
  }

  it("keeps accounts apart: a user of GLOBEX neither receives ACME's messages nor publishes into ACME", async () => {
    const acme = await as("acme-admin");
    const globex = await as("globex-app");
    assert.equal(await receives(globex, "orders.>", acme, "orders.1"), false);
    assert.equal(await receives(globex, "acme.orders.>", acme, "orders.1"), false);
    assert.equal(await receives(acme, "orders.>", globex, "orders.2"), false);
    // Within one account, the same subject flows.
    const acme2 = await as("acme-admin");
    assert.equal(await receives(acme2, "orders.>", acme, "orders.3"), true);
  });

  it("refuses a user publishing where its permissions do not allow it, and lets it subscribe where they do", async () => {
    const reader = await as("acme-reader");
    const errors: Error[] = [];
    const watching = (async () => {
      for await (const s of reader.status()) if (s.type === "error") errors.push(s.error);
    })();
    reader.publish("orders.9", "nope");
    await reader.flush();
    const seen = await waitUntil(() =>
      errors.find((e) => /Permissions Violation for Publish/.test(String(e))),
    );
    assert.match(String(seen), /orders\.9/);
    const admin = await as("acme-admin");
    assert.equal(await receives(reader, "orders.>", admin, "orders.10"), true);
    void watching;
  });

  it("authenticates an nkey user with its seed, and refuses a wrong password", async () => {
    const nc = await connect({
      servers: servers.clientUrls[1],
      authenticator: nkeyAuthenticator(new TextEncoder().encode(NKEY.seed)),
      reconnect: false,
    });
    open.push(nc);
    assert.ok(nc.info?.server_id);
    await assert.rejects(
      connect({ servers: servers.clientUrls[0], user: "acme-admin", pass: "wrong", reconnect: false }),
    );
  });

  it("refuses a stream over ACME's per-stream and file limits, the error naming maxBytes", async () => {
    const connection = {
      servers: servers.clientUrls,
      user: "acme-admin",
      password: passwords["acme-admin"],
      readyTimeout: "30s",
    };
    const stream = cores.stream;
    // Without maxBytes: the account requires it (max_bytes_required, on with limits).
    await assert.rejects(
      stream.create({ connection, name: "NOBOUND", subjects: ["nobound.>"] }),
      (e: unknown) => e instanceof ServerRefusalError && e.property === "maxBytes" && /10113/.test(String(e)),
    );
    // Above the account's per-stream maximum (512Ki).
    await assert.rejects(
      stream.create({ connection, name: "BIG", subjects: ["big.>"], maxBytes: "600Ki" }),
      (e: unknown) => e instanceof ServerRefusalError && e.property === "maxBytes" && /10122/.test(String(e)),
    );
    // Two streams of 512Ki fill the 1Mi account; a third does not fit.
    await stream.create({ connection, name: "S1", subjects: ["s1.>"], maxBytes: "512Ki" });
    await stream.create({ connection, name: "S2", subjects: ["s2.>"], maxBytes: "512Ki" });
    await assert.rejects(
      stream.create({ connection, name: "S3", subjects: ["s3.>"], maxBytes: "1Ki" }),
      (e: unknown) =>
        e instanceof ServerRefusalError && /maxBytes/.test(e.property) && /maxFile/.test(String(e)),
    );
  });

  it("after an export/import is added and the servers reload, GLOBEX receives ACME's orders under its prefix", async () => {
    const pids = [...servers.pids];
    servers.rewriteAuth(include(tenants({ shared: true })));
    await servers.reload();
    assert.deepEqual(servers.pids, pids);
    const acme = await as("acme-admin");
    const globex = await as("globex-app");
    assert.equal(await receives(globex, "acme.orders.>", acme, "orders.4"), true);
    // Only what was exported, only one way.
    assert.equal(await receives(acme, "orders.>", globex, "orders.5"), false);
  });

  it("a rotated password and an added user take effect on the running servers; the old password stops working; the other users are untouched", async () => {
    const before = await as("acme-admin");
    const otherSession = await as("globex-app");
    servers.rewriteAuth(
      include(tenants({ shared: true, extraUser: true }), { "acme-admin": "AcmeAdminRotated9999" }),
    );
    await servers.reload();
    await assert.rejects(as("acme-admin"), /Authorization Violation/i);
    const after = await as("acme-admin", "AcmeAdminRotated9999");
    const added = await as("globex-new");
    assert.ok(after.info && added.info);
    void before;
    // Rotating one user touches no one else: a session opened before the reload
    // stays up, and the others' unchanged passwords still let them in.
    assert.equal(otherSession.isClosed(), false, "globex-app's session survives the reload");
    await otherSession.flush();
    for (const user of ["acme-reader", "globex-app"])
      assert.ok((await as(user)).info, `${user} still connects`);
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
