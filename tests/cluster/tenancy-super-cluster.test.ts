// Tenants in a super-cluster: SuperCluster declares `auth.accounts` once and
// makes each tenant user's password or nkey once, so every member renders the
// same accounts and a user logs in to any member with one credential. A
// member declaring its own accounts is refused.
import assert from "node:assert/strict";
import * as bcrypt from "bcryptjs";
import { checkSuperClusterArgs, type SuperClusterArgs } from "../../sdk/cluster/gateways/super-cluster";
import { GCP_ZONES, ZONES } from "./fixtures";
import { buildCluster, plain, type Build } from "./mocks";

type SuperCluster = import("../../sdk/cluster/gateways/super-cluster").SuperCluster;

const ARGS: SuperClusterArgs = {
  clusters: {
    aws: { platform: { aws: {} }, zones: ZONES },
    gcp: { platform: { gcp: {} }, zones: GCP_ZONES, gateway: { expose: { type: "internalLoadBalancer" } } },
  },
  auth: {
    accounts: [
      {
        name: "ACME",
        jetstream: { maxFile: "1Gi" },
        users: [{ name: "acme-app" }, { name: "acme-device", nkey: true, jetstreamApi: false }],
      },
    ],
  },
};

describe("tenants in a SuperCluster under mocks", function () {
  this.timeout(30_000);
  let b: Build<SuperCluster>;
  before(async () => {
    const { SuperCluster } = await import("../../sdk/cluster/gateways/super-cluster");
    b = await buildCluster((transformations) => new SuperCluster("events", ARGS, { transformations }));
  });

  const userSecret = async (member: string, user: string) =>
    (await plain(
      b.captured.find(
        (c) => c.type === "kubernetes:core/v1:Secret" && c.name === `events-${member}-user-${user}`,
      )!.props.stringData,
    )) as Record<string, string>;

  it("gives a tenant user the same password and nkey in every member, made once", async () => {
    const [awsApp, gcpApp] = [await userSecret("aws", "acme-app"), await userSecret("gcp", "acme-app")];
    assert.equal(awsApp.password, "pweventsuseracmeapppassword");
    assert.equal(gcpApp.password, awsApp.password);
    const [awsKey, gcpKey] = [await userSecret("aws", "acme-device"), await userSecret("gcp", "acme-device")];
    assert.match(awsKey["nkey-seed"], /^SU/);
    assert.equal(gcpKey["nkey-seed"], awsKey["nkey-seed"]);
    assert.equal(gcpKey.nkey, awsKey.nkey);
    // One generator per user, owned by the SuperCluster, none per member.
    const generators = b.registered.filter((r) => /user-acme-(app-password|device-nkey)$/.test(r.name));
    assert.deepEqual(generators.map((r) => r.name).sort(), [
      "events-user-acme-app-password",
      "events-user-acme-device-nkey",
    ]);
  });

  it("renders the same tenant accounts in every member's include", async () => {
    const includes: string[] = [];
    for (const k of ["aws", "gcp"]) {
      const creds = b.captured.find((c) => c.name === `events-${k}-credentials`)!;
      includes.push(((await plain(creds.props.stringData)) as Record<string, string>)["auth.conf"]);
    }
    const acme = (s: string) => s.slice(s.indexOf('"ACME" {'));
    assert.equal(acme(includes[0]), acme(includes[1]));
    const hash = /user: "acme-app", password: "(\$2a\$11\$[^"]+)"/.exec(includes[0]);
    assert.ok(hash && bcrypt.compareSync("pweventsuseracmeapppassword", hash[1]));
  });

  it("refuses a member that declares its own accounts", () => {
    assert.throws(
      () =>
        checkSuperClusterArgs("events", {
          ...ARGS,
          clusters: {
            ...ARGS.clusters,
            aws: { ...ARGS.clusters.aws, auth: { accounts: [{ name: "OTHER" }] } },
          },
        }),
      /clusters\.aws\.auth\.accounts: is set by SuperCluster/,
    );
  });
});
