// Permissions a customer-managed disk key needs, or volumes never provision:
// - AWS: the EBS CSI driver's role creates the volume and grants EC2 the use of
//   the key for attaching it (the policy AWS documents for the driver with a
//   customer-managed key: grants only for AWS resources, plus data-key use).
// - GCP: the project's Compute Engine service agent encrypts and decrypts the
//   persistent disks, so it needs Encrypter/Decrypter on the key.
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The inline policy letting a role use one KMS key for EBS volumes. */
export function ebsKeyPolicy(keyArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: [keyArn],
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
      {
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: [keyArn],
      },
    ],
  });
}

export function grantEbsCsiKey(
  name: string,
  role: aws.iam.Role,
  keyArn: pulumi.Input<string>,
  parent: pulumi.Resource,
): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(
    name,
    { role: role.name, policy: pulumi.output(keyArn).apply(ebsKeyPolicy) },
    { parent },
  );
}

/** Encrypter/Decrypter on the key for `service-<projectNumber>@compute-system.iam.gserviceaccount.com`. */
export function grantComputeAgentKey(
  name: string,
  project: string | undefined,
  cryptoKeyId: pulumi.Input<string>,
  parent: pulumi.Resource,
): gcp.kms.CryptoKeyIAMMember {
  // Without a project, the provider's project (the one the disks are created in).
  const number = gcp.organizations.getProjectOutput({ projectId: project }, { parent }).number;
  return new gcp.kms.CryptoKeyIAMMember(
    name,
    {
      cryptoKeyId,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: pulumi.interpolate`serviceAccount:service-${number}@compute-system.iam.gserviceaccount.com`,
    },
    { parent },
  );
}
