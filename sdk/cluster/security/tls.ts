// Generated TLS material (@pulumi/tls): a CA and one server certificate shared
// by all servers, valid for the Service, every pod behind the headless
// Service (routes), localhost and 127.0.0.1 (the port-forward). Route TLS is
// mutual in NATS, so the certificate is also a client certificate. Stored as
// a `kubernetes.io/tls` Secret with `ca.crt`, which the chart mounts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CA_VALIDITY_HOURS } from "../plan/certificates";
import type { ClusterPlan } from "../plan/types";

export interface TlsMaterial {
  /** The CA certificate (PEM) clients verify the server with. */
  caCert: pulumi.Output<string>;
  /** The Secret, when generated (the chart mounts it by name). */
  secret: k8s.core.v1.Secret | undefined;
}

export function createTls(
  plan: ClusterPlan,
  namespace: pulumi.Input<string>,
  opts: { parent: pulumi.Resource; provider: k8s.Provider | undefined; dependsOn: pulumi.Resource[] },
): TlsMaterial {
  const t = plan.tls!;
  if (!t.generate) return { caCert: pulumi.output(t.caCert ?? ""), secret: undefined };
  const n = plan.component;
  const parent = opts.parent;
  const caKey = new tls.PrivateKey(`${n}-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const ca = new tls.SelfSignedCert(
    `${n}-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      isCaCertificate: true,
      subject: { commonName: `${plan.name} NATS CA`, organization: "pulumi-nats" },
      validityPeriodHours: CA_VALIDITY_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    },
    { parent },
  );
  const key = new tls.PrivateKey(`${n}-server`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const csr = new tls.CertRequest(
    `${n}-server`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: `${plan.names.service}.${plan.namespace}.svc`, organization: "pulumi-nats" },
      dnsNames: t.dnsNames,
      ipAddresses: t.ipAddresses,
    },
    { parent },
  );
  const cert = new tls.LocallySignedCert(
    `${n}-server`,
    {
      certRequestPem: csr.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: t.validityHours,
      // Within this window of expiry, `pulumi preview` shows a replacement and `pulumi up` issues a
      // new certificate (the Secret changes; the chart's config reloader reloads it). Only a run renews.
      earlyRenewalHours: t.earlyRenewalHours,
      allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    },
    { parent },
  );
  const secret = new k8s.core.v1.Secret(
    `${n}-tls`,
    {
      metadata: { name: t.secretName, namespace },
      type: "kubernetes.io/tls",
      stringData: {
        "tls.crt": cert.certPem,
        "tls.key": pulumi.secret(key.privateKeyPem),
        "ca.crt": ca.certPem,
      },
    },
    { parent, provider: opts.provider, dependsOn: opts.dependsOn },
  );
  return { caCert: ca.certPem, secret };
}
