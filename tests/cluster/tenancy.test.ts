// `auth.accounts` (multi-tenancy): the cross-checks refuse bad tenants before
// anything is created, every problem at once, each naming its field; under
// Pulumi mocks each user gets its own Secret and `users` connection, and no
// clear password reaches the ConfigMap, the chart values or any other
// resource's inputs (the include holds bcrypt hashes only).
import assert from "node:assert/strict";
import * as bcrypt from "bcryptjs";
import { fromSeed } from "@nats-io/nkeys";
import { plan } from "../../sdk/cluster/plan/plan";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { subjectCovers, type UserPlan } from "../../sdk/cluster/plan/tenancy";
import { accountLimitsOf } from "../../sdk/cluster/security/users";
import { cores } from "../../sdk/jetstream/core";
import { renderAuthInclude } from "../../sdk/cluster/security/auth";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import type { AccountArgs } from "../../sdk/cluster/tenancy-args";
import { awsArgs } from "./fixtures";
import { buildCluster, isSecret, plain, valueOf, type Build } from "./mocks";

function issues(accounts: AccountArgs[], extra: Partial<NatsClusterArgs> = {}): Record<string, string> {
  try {
    plan("events", { ...awsArgs(), ...extra, auth: { ...(extra.auth ?? {}), accounts } });
  } catch (e) {
    assert.ok(e instanceof NatsClusterArgsError, String(e));
    return Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
  }
  return {};
}

describe("auth.accounts cross-checks", () => {
  it("accepts two tenants sharing a stream and a service, and renders their limits", () => {
    const p = plan("events", {
      ...awsArgs(),
      auth: {
        accounts: [
          {
            name: "ACME",
            jetstream: { maxFile: "1Gi", maxStreams: 10 },
            limits: { maxConnections: 100 },
            users: [{ name: "acme-app" }],
            exports: [
              { stream: "orders.>" },
              { service: "quote.*", accounts: ["GLOBEX"], responseType: "stream" },
            ],
          },
          {
            name: "GLOBEX",
            jetstream: { enabled: false },
            users: [{ name: "globex-app" }],
            imports: [
              { account: "ACME", stream: "orders.eu.>", prefix: "acme" },
              { account: "ACME", service: "quote.eu", to: "acme.quote" },
            ],
          },
        ],
      },
    });
    const [acme, globex] = p.auth!.accounts;
    // maxBytesRequired defaults to true once a size limit is set.
    assert.deepEqual(acme.jetstream, { maxFile: 2 ** 30, maxStreams: 10, maxBytesRequired: true });
    assert.equal(globex.jetstream, undefined);
    assert.equal(globex.users[0].jetstreamApi, false);
    assert.equal(acme.users[0].secretName, "events-user-acme-app");
  });

  it("reports every problem at once, each naming its field", () => {
    const found = issues([
      {
        name: "ACME",
        users: [{ name: "shared" }, { name: "Bad_Name" }, { name: "app" }],
        imports: [{ account: "NOPE", stream: "x.>" }],
      },
      { name: "ACME" },
      {
        name: "LOCKED",
        users: [
          { name: "shared" },
          {
            name: "locked",
            permissions: { publish: { allow: ["orders.>"] }, subscribe: { deny: ["_INBOX.>"] } },
          },
          { name: "both", nkey: true, password: "x".repeat(20) },
        ],
        imports: [{ account: "ACME", service: "svc.>" }],
      },
    ]);
    assert.deepEqual(Object.keys(found).sort(), [
      "auth.accounts[0].imports[0].account",
      "auth.accounts[0].users[1].name",
      "auth.accounts[0].users[2].name",
      "auth.accounts[1].name",
      "auth.accounts[2].imports[0].service",
      "auth.accounts[2].imports[0].to",
      "auth.accounts[2].users[0].name",
      "auth.accounts[2].users[1].permissions.publish",
      "auth.accounts[2].users[1].permissions.subscribe",
      "auth.accounts[2].users[2].password",
    ]);
    assert.match(found["auth.accounts[0].imports[0].account"], /"NOPE" is not an account/);
    assert.match(found["auth.accounts[2].users[0].name"], /already a user of account ACME/);
    assert.match(found["auth.accounts[1].name"], /also the name of auth.accounts\[0\]/);
    assert.match(found["auth.accounts[0].users[2].name"], /already the app, system or leaf user/);
    // The JetStream API subjects the user needs, named.
    assert.match(
      found["auth.accounts[2].users[1].permissions.publish"],
      /\$JS\.API\.INFO, \$JS\.API\.STREAM\.>, \$JS\.API\.CONSUMER\.>/,
    );
    assert.match(found["auth.accounts[2].users[1].permissions.subscribe"], /_INBOX\.>/);
    assert.match(found["auth.accounts[2].imports[0].service"], /exports no service covering it/);
  });

  it("refuses an import the export does not allow, and a stream import cycle, naming the chain", () => {
    const found = issues([
      {
        name: "A",
        exports: [{ stream: "events.>", accounts: ["B"] }],
        imports: [{ account: "B", stream: "events.>" }],
      },
      {
        name: "B",
        exports: [{ stream: "events.>" }],
        imports: [{ account: "A", stream: "events.>" }],
      },
      { name: "C", imports: [{ account: "A", stream: "events.x" }] },
    ]);
    assert.match(found["auth.accounts[2].imports[0].stream"], /does not list C/);
    const cycle = Object.entries(found).filter(([, m]) => /import cycle/.test(m));
    assert.equal(cycle.length, 1, JSON.stringify(found));
    assert.match(
      cycle[0][1],
      /A \(events\.>\) -> B \(events\.>\) -> A|B \(events\.>\) -> A \(events\.>\) -> B/,
    );
    // A prefix breaks the loop: the subject arriving is no longer the exported one.
    assert.deepEqual(
      issues([
        {
          name: "A",
          exports: [{ stream: "events.>" }],
          imports: [{ account: "B", stream: "events.>", prefix: "b" }],
        },
        {
          name: "B",
          exports: [{ stream: "events.>" }],
          imports: [{ account: "A", stream: "events.>", prefix: "a" }],
        },
      ]),
      {},
    );
  });

  it("refuses limits that cannot hold and JetStream limits on an account without JetStream", () => {
    const found = issues([
      { name: "A", jetstream: { maxFile: "1Mi", maxFileStreamBytes: "2Mi", maxStreams: 0 } },
      {
        name: "B",
        jetstream: { enabled: false, maxFile: "1Gi" },
        users: [{ name: "b", jetstreamApi: true }],
      },
      { name: "C", limits: { maxPayload: "8Mi" } },
    ]);
    assert.deepEqual(Object.keys(found).sort(), [
      "auth.accounts[0].jetstream.maxFileStreamBytes",
      "auth.accounts[0].jetstream.maxStreams",
      "auth.accounts[1].jetstream",
      "auth.accounts[1].users[0].jetstreamApi",
      "auth.accounts[2].limits.maxPayload",
    ]);
  });

  it("subjectCovers: a filter covers a subject when it matches all it matches", () => {
    assert.ok(subjectCovers("$JS.API.>", "$JS.API.STREAM.>"));
    assert.ok(subjectCovers("a.*.c", "a.b.c"));
    assert.ok(!subjectCovers("a.*", "a.>"));
    assert.ok(!subjectCovers("a.b", "a.*"));
    assert.ok(subjectCovers(">", "a"));
  });
});

describe("a user's connection carries its account's limits: the JetStream resources check them at preview", () => {
  const p = plan("events", {
    ...awsArgs(),
    auth: {
      accounts: [
        {
          name: "ACME",
          jetstream: { maxFile: "1Mi", maxFileStreamBytes: "512Ki", maxAckPending: 100 },
          users: [{ name: "acme-admin" }],
        },
        { name: "PLAIN", jetstream: { enabled: false }, users: [{ name: "plain" }] },
      ],
    },
  });
  const [acme, plainAccount] = p.auth!.accounts;
  const connection = (u: UserPlan) => ({
    servers: ["nats://127.0.0.1:4222"],
    user: u.name,
    password: "x",
    account: accountLimitsOf(p, u),
  });
  const failures = (kind: "stream" | "consumer" | "keyValue", news: Record<string, unknown>) =>
    cores[kind].check(news).failures;

  it("a stream above the per-stream maximum, or without maxBytes where the account requires it", () => {
    const c = connection(acme.users[0]);
    const big = failures("stream", { connection: c, name: "BIG", subjects: ["big.>"], maxBytes: "600KiB" });
    assert.deepEqual(
      big.map((f) => f.property),
      ["maxBytes"],
    );
    assert.match(
      big[0].reason,
      /600KiB is more than account ACME allows one file stream \(its JetStream maxFileStreamBytes, 512KiB\)/,
    );
    const unbounded = failures("stream", { connection: c, name: "NOBOUND", subjects: ["nb.>"] });
    assert.match(unbounded[0].reason, /is required: account ACME requires every stream to set it/);
    assert.equal(unbounded[0].property, "maxBytes");
    assert.deepEqual(
      failures("stream", { connection: c, name: "OK", subjects: ["ok.>"], maxBytes: "512KiB" }),
      [],
    );
    assert.deepEqual(
      failures("keyValue", { connection: c, bucket: "cfg" }).map((f) => f.property),
      ["maxBytes"],
    );
  });

  it("a consumer above the account's maxAckPending, and any asset in an account without JetStream", () => {
    const c = connection(acme.users[0]);
    assert.deepEqual(
      failures("consumer", { connection: c, stream: "S", name: "C", maxAckPending: 500 }).map(
        (f) => f.property,
      ),
      ["maxAckPending"],
    );
    const none = failures("stream", {
      connection: connection(plainAccount.users[0]),
      name: "S",
      subjects: ["s.>"],
    });
    assert.equal(none[0].property, "connection");
    assert.match(none[0].reason, /account PLAIN has no JetStream/);
  });
});

describe("jetstream: false (core NATS only)", () => {
  it("renders no store and no volume, no JetStream in any account, and refuses tenant JetStream", () => {
    const p = plan("events", {
      ...awsArgs(),
      jetstream: false,
      auth: { accounts: [{ name: "ACME", users: [{ name: "acme-app" }] }] },
    });
    const config = (p.chart.values as { config: Record<string, unknown> }).config;
    assert.deepEqual(config.jetstream, { enabled: false });
    assert.ok(!JSON.stringify(p.chart.values).includes("pvc"));
    assert.equal(p.auth!.accounts[0].jetstream, undefined);
    assert.equal(p.auth!.accounts[0].users[0].jetstreamApi, false);
    assert.deepEqual(accountLimitsOf(p, p.auth!.accounts[0].users[0]), { name: "ACME", jetstream: false });
    const include = renderAuthInclude(p.auth!, "SysPassword0000001", "AppPassword0000002", undefined, {
      "acme-app": { nkey: "UABC" },
    });
    assert.ok(!include.includes("jetstream"), include);
    const found = issues([{ name: "ACME", jetstream: { maxFile: "1Gi" } }], { jetstream: false });
    assert.deepEqual(Object.keys(found), ["auth.accounts[0].jetstream"]);
    assert.match(found["auth.accounts[0].jetstream"], /the cluster has jetstream: false/);
  });

  it("hands out a connection the JetStream resources refuse at preview", async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    const b = await buildCluster(
      (transformations) =>
        new NatsCluster(
          "events",
          awsArgs({ jetstream: false, access: { mode: "url", url: "nats://nats.vpn.example.com:4222" } }),
          { transformations },
        ),
    );
    const connection = (await valueOf(b.value.connection)) as unknown as Record<string, unknown>;
    assert.deepEqual(connection.account, { name: "APP", jetstream: false });
    const failures = cores.stream.check({ connection, name: "S", subjects: ["s.>"] }).failures;
    assert.deepEqual(
      failures.map((f) => f.property),
      ["connection"],
    );
    assert.match(failures[0].reason, /account APP has no JetStream/);
    // No meta-group trim without JetStream; the guard stays (it refuses turning JetStream off).
    assert.ok(!b.captured.some((c) => c.name.endsWith("meta-group-trim")));
  });
});

// Imported lazily, after the first setMocks, as the Pulumi SDK requires.
type Cluster = import("../../sdk/cluster/component").NatsCluster;

describe("auth.accounts under Pulumi mocks", function () {
  this.timeout(30_000);
  let b: Build<Cluster>;
  const GIVEN = "GivenTenantPassword42";

  before(async () => {
    const { NatsCluster } = await import("../../sdk/cluster/component");
    b = await buildCluster(
      (transformations) =>
        new NatsCluster(
          "events",
          awsArgs({
            access: { mode: "url", url: "nats://nats.vpn.example.com:4222" },
            auth: {
              accounts: [
                {
                  name: "ACME",
                  users: [
                    { name: "acme-app", password: GIVEN },
                    { name: "acme-gen" },
                    { name: "acme-key", nkey: true },
                  ],
                },
              ],
            },
          }),
          { transformations },
        ),
    );
  });

  it("gives each user its own Secret named <name>-user-<user>, with what a client needs", async () => {
    const secrets = b.captured.filter(
      (c) => c.type === "kubernetes:core/v1:Secret" && c.name.startsWith("events-user-"),
    );
    assert.deepEqual(secrets.map((s) => s.name).sort(), [
      "events-user-acme-app",
      "events-user-acme-gen",
      "events-user-acme-key",
    ]);
    const app = secrets.find((s) => s.name === "events-user-acme-app")!;
    assert.ok(await isSecret(app.props.stringData));
    const data = (await plain(app.props.stringData)) as Record<string, string>;
    assert.equal(data.password, GIVEN);
    assert.equal(data.account, "ACME");
    assert.match(data.urls, /^nats:\/\/events\.nats\.svc\.cluster\.local:4222,/);
    const key = (await plain(
      secrets.find((s) => s.name === "events-user-acme-key")!.props.stringData,
    )) as Record<string, string>;
    assert.match(key["nkey-seed"], /^SU/);
    assert.equal(fromSeed(new TextEncoder().encode(key["nkey-seed"])).getPublicKey(), key.nkey);
    assert.equal(((await plain(app.props.metadata)) as { name: string }).name, "events-user-acme-app");
  });

  it("hands out a secret connection per user, in that user's account", async () => {
    assert.ok(await isSecret(b.value.users));
    const users = (await valueOf(b.value.users)) as unknown as Record<string, Record<string, unknown>>;
    assert.equal(users["acme-app"].user, "acme-app");
    assert.equal(users["acme-app"].password, GIVEN);
    assert.match(String(users["acme-key"].nkeySeed), /^SU/);
    assert.equal(users["acme-key"].user, undefined);
    assert.deepEqual(await valueOf(b.value.userSecretNames), {
      "acme-app": "events-user-acme-app",
      "acme-gen": "events-user-acme-gen",
      "acme-key": "events-user-acme-key",
    });
  });

  it("puts only bcrypt hashes and nkeys in the include, and no clear password in any other resource's inputs", async () => {
    const creds = b.captured.find((c) => c.name === "events-credentials")!;
    const include = ((await plain(creds.props.stringData)) as Record<string, string>)["auth.conf"];
    const hash = new RegExp(`\\{ user: "acme-app", password: "(\\$2a\\$11\\$[^"]+)" \\}`).exec(include);
    assert.ok(hash, include);
    assert.ok(bcrypt.compareSync(GIVEN, hash[1]));
    const generated = "pweventsuseracmegenpassword";
    for (const pw of [GIVEN, generated]) assert.ok(!include.includes(pw));
    // Every registered resource but the user Secrets themselves and the password generator.
    for (const r of b.registered) {
      if (r.type === "random:index/randomPassword:RandomPassword") continue;
      if (r.type === "kubernetes:core/v1:Secret" && r.name.startsWith("events-user-")) continue;
      const text = JSON.stringify(r.inputs);
      for (const pw of [GIVEN, generated])
        assert.ok(!text.includes(pw), `${r.type} ${r.name} holds a clear password`);
    }
    const chart = b.captured.find((c) => c.type === "kubernetes:helm.sh/v4:Chart")!;
    const values = JSON.stringify(await plain(chart.props.values));
    assert.ok(!/password|\$2a\$/.test(values));
  });
});
