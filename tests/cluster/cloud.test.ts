// The cloud parts that would fail on a real account, under Pulumi mocks (no
// cloud account exists here): GKE deletion protection as an argument, the KMS
// permissions a customer-managed disk key needs (EBS CSI driver role on AWS,
// Compute Engine service agent on GCP), EKS node groups rolled one zone at a
// time, and the generated certificate's validity and renewal window.
import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { plan } from "../../sdk/cluster/plan/plan";
import { awsArgs as fixtureArgs, GCP_ZONES, ZONES } from "./fixtures";
import { buildCluster, plain, urnOf, type Build, type Captured } from "./mocks";

type Cluster = import("../../sdk/cluster/component").NatsCluster;
async function build(args: NatsClusterArgs): Promise<Build<Cluster>> {
  const { NatsCluster } = await import("../../sdk/cluster/component");
  return buildCluster((transformations) => new NatsCluster("events", args, { transformations }));
}

function only(b: Build<unknown>, type: string, name?: string): Captured {
  const found = b.captured.filter((c) => c.type === type && (name === undefined || c.name === name));
  assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0];
}

function all(b: Build<unknown>, type: string): Captured[] {
  return b.captured.filter((c) => c.type === type);
}

async function names(resources: pulumi.Resource[]): Promise<string[]> {
  const urns = await Promise.all(resources.map(urnOf));
  return urns.map((u) => u.slice(u.lastIndexOf("::") + 2)).sort();
}

/** The issues `plan` reports, keyed by field path (args typed loosely: they test refusals). */
function issues(args: unknown): Record<string, string> {
  try {
    plan("events", args as NatsClusterArgs);
  } catch (e) {
    assert.ok(e instanceof NatsClusterArgsError, String(e));
    return Object.fromEntries(e.issues.map((i) => [i.path, i.message]));
  }
  return {};
}

/** The fixture's args without a memory store: these tests are about the cloud parts, not memory sizing. */
const awsArgs = (extra: Partial<NatsClusterArgs> = {}): NatsClusterArgs =>
  fixtureArgs({ jetstream: { fileStorage: "20Gi" }, ...extra });
const gcpArgs = (gcp: Record<string, unknown>): NatsClusterArgs =>
  awsArgs({ platform: { gcp: { project: "acme", ...gcp } }, zones: GCP_ZONES });
const GCP_KEY = "projects/acme-keys/locations/europe-west1/keyRings/nats/cryptoKeys/disks";
const AWS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("NatsCluster cloud parts under mocks", function () {
  this.timeout(30000);

  describe("GKE deletion protection", () => {
    it("is written explicitly on a new cluster, true by default", async () => {
      const b = await build(gcpArgs({}));
      const c = (await plain(only(b, "gcp:container/cluster:Cluster").props)) as Record<string, unknown>;
      assert.equal(c.deletionProtection, true);
    });

    it("platform.gcp.deletionProtection: false reaches the cluster, so `pulumi destroy` can delete it", async () => {
      const b = await build(gcpArgs({ deletionProtection: false }));
      const c = (await plain(only(b, "gcp:container/cluster:Cluster").props)) as Record<string, unknown>;
      assert.equal(c.deletionProtection, false);
    });

    it("is refused with an existing cluster (not ours to protect) and when not a boolean", () => {
      const found = issues(
        gcpArgs({ existingCluster: { name: "prod", location: "europe-west1" }, deletionProtection: false }),
      );
      assert.match(found["platform.gcp.deletionProtection"], /existingCluster/);
      assert.match(
        issues(gcpArgs({ deletionProtection: "no" }))["platform.gcp.deletionProtection"],
        /true or false/,
      );
    });
  });

  describe("GCP customer-managed disk key", () => {
    it("grants the Compute Engine service agent Encrypter/Decrypter on the key, before the StorageClass", async () => {
      const b = await build(gcpArgs({ diskKmsKey: GCP_KEY }));
      const member = only(b, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
      assert.deepEqual(await plain(member.props), {
        cryptoKeyId: GCP_KEY,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com",
      });
      const sc = only(b, "kubernetes:storage.k8s.io/v1:StorageClass");
      assert.equal(
        ((await plain(sc.props)) as { parameters: Record<string, string> }).parameters[
          "disk-encryption-kms-key"
        ],
        GCP_KEY,
      );
      assert.ok(
        (await names(sc.dependsOn)).includes(member.name),
        "the StorageClass does not wait for the grant",
      );
      const chart = only(b, "kubernetes:helm.sh/v4:Chart");
      assert.ok(
        (await names(chart.dependsOn)).includes(member.name),
        "the chart does not wait for the grant",
      );
    });

    it("grants nothing without a key", async () => {
      const b = await build(gcpArgs({}));
      assert.equal(all(b, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").length, 0);
    });

    it("refuses a key that is not a full CryptoKey resource name", () => {
      const found = issues(gcpArgs({ diskKmsKey: "disks" }));
      assert.match(found["platform.gcp.diskKmsKey"], /projects\/<project>\/locations\/<location>\/keyRings/);
    });
  });

  describe("AWS customer-managed EBS key", () => {
    it("lets the EBS CSI driver's role use the key (grants for AWS resources, data keys), before the add-on", async () => {
      const b = await build(awsArgs({ platform: { aws: { ebsKmsKeyId: AWS_KEY } } }));
      const policy = only(b, "aws:iam/rolePolicy:RolePolicy");
      const p = (await plain(policy.props)) as { role: string; policy: string };
      assert.equal(p.role, "events-ebs-csi");
      const doc = JSON.parse(p.policy) as {
        Statement: { Action: string[]; Resource: string[]; Condition?: unknown }[];
      };
      assert.deepEqual(doc.Statement, [
        {
          Effect: "Allow",
          Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
          Resource: [AWS_KEY],
          Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
        {
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
          Resource: [AWS_KEY],
        },
      ]);
      const addon = only(b, "aws:eks/addon:Addon", "events-ebs-csi");
      assert.ok(
        (await names(addon.dependsOn)).includes(policy.name),
        "the add-on does not wait for the policy",
      );
      const sc = (await plain(only(b, "kubernetes:storage.k8s.io/v1:StorageClass").props)) as {
        parameters: Record<string, string>;
      };
      assert.equal(sc.parameters.kmsKeyId, AWS_KEY);
    });

    it("adds no KMS policy without a key", async () => {
      const b = await build(awsArgs());
      assert.equal(all(b, "aws:iam/rolePolicy:RolePolicy").length, 0);
    });

    it("refuses an alias or a key of another region; warns when the driver (and its role) is not ours", () => {
      assert.match(
        issues(awsArgs({ platform: { aws: { ebsKmsKeyId: "alias/nats" } } }))["platform.aws.ebsKmsKeyId"],
        /key ARN/,
      );
      const other = AWS_KEY.replace("us-east-1", "eu-west-1");
      assert.match(
        issues(awsArgs({ platform: { aws: { ebsKmsKeyId: other } } }))["platform.aws.ebsKmsKeyId"],
        /eu-west-1.*us-east-1/,
      );
      const p = plan(
        "events",
        awsArgs({
          platform: {
            aws: {
              existingClusterName: "prod",
              subnetIds: { "us-east-1a": "a", "us-east-1b": "b", "us-east-1c": "c" },
              ebsKmsKeyId: AWS_KEY,
            },
          },
        }),
      );
      assert.ok(
        p.warnings.some((w) => w.startsWith("platform.aws.ebsKmsKeyId") && w.includes("kms:CreateGrant")),
        p.warnings.join("\n"),
      );
    });
  });

  describe("EKS node groups roll out one zone at a time", () => {
    it("each zone's node group depends on the previous zone's, so their updates never overlap", async () => {
      const b = await build(awsArgs());
      const groups = ZONES.map((z) => only(b, "aws:eks/nodeGroup:NodeGroup", `events-${z}`));
      assert.deepEqual(
        (await names(groups[0].dependsOn)).filter((n) => n.startsWith("events-us-")),
        [],
      );
      for (let i = 1; i < groups.length; i++)
        assert.ok(
          (await names(groups[i].dependsOn)).includes(`events-${ZONES[i - 1]}`),
          `${groups[i].name} does not wait for events-${ZONES[i - 1]}`,
        );
      for (const g of groups)
        assert.deepEqual(((await plain(g.props)) as { updateConfig: unknown }).updateConfig, {
          maxUnavailable: 1,
        });
    });
  });

  describe("generated certificate renewal", () => {
    it("is valid 2 years and renewed by `pulumi up` within 30 days of expiry by default", async () => {
      const b = await build(awsArgs({ tls: { client: true } }));
      const cert = (await plain(only(b, "tls:index/locallySignedCert:LocallySignedCert").props)) as Record<
        string,
        unknown
      >;
      assert.equal(cert.validityPeriodHours, 2 * 365 * 24);
      assert.equal(cert.earlyRenewalHours, 30 * 24);
    });

    it("takes tls.validityHours and tls.earlyRenewalHours", async () => {
      const b = await build(awsArgs({ tls: { client: true, validityHours: 2160, earlyRenewalHours: 720 } }));
      const cert = (await plain(only(b, "tls:index/locallySignedCert:LocallySignedCert").props)) as Record<
        string,
        unknown
      >;
      assert.equal(cert.validityPeriodHours, 2160);
      assert.equal(cert.earlyRenewalHours, 720);
    });

    it("refuses a renewal window not inside the validity, beyond the CA, or with a certificate of your own", () => {
      assert.match(
        issues(awsArgs({ tls: { client: true, validityHours: 720, earlyRenewalHours: 720 } }))[
          "tls.earlyRenewalHours"
        ],
        /less than tls\.validityHours/,
      );
      assert.match(
        issues(awsArgs({ tls: { client: true, validityHours: 20 * 365 * 24 } }))["tls.validityHours"],
        /CA/,
      );
      assert.match(
        issues(awsArgs({ tls: { client: true, secretName: "mine", caCert: "PEM", validityHours: 2160 } }))[
          "tls.validityHours"
        ],
        /secretName/,
      );
    });
  });
});
