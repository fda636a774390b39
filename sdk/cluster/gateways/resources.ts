// The resources of a gateway (super-cluster member), created by NatsCluster
// BEFORE its chart: the gateway Service (its address is what the other
// clusters dial, so it must exist before any chart takes the list), then the
// gateway certificate issued from the shared CA for that address, stored in
// the Secret the chart mounts. The chart of each member then takes the other
// members' addresses as Outputs; as no address depends on a chart, N clusters
// that all list each other form no cycle.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { gatewayUrl, isIp, GATEWAY_PORT, type GatewayPlan } from "./gateways";
import type { ClusterPlan } from "../plan/types";

export interface GatewayResources {
  /** The host other clusters dial (load balancer hostname/IP, or the given address). */
  host: pulumi.Output<string>;
  /** `nats://<host>:7222`. */
  url: pulumi.Output<string>;
  /** Created before the chart (the Service, the certificate Secret). */
  dependsOn: pulumi.Resource[];
}

/** Labels of the chart's NATS pods (its selector labels). */
export function podLabels(plan: ClusterPlan): Record<string, string> {
  return {
    "app.kubernetes.io/name": "nats",
    "app.kubernetes.io/instance": plan.names.release,
    "app.kubernetes.io/component": "nats",
  };
}

export function createGateway(
  plan: ClusterPlan,
  g: GatewayPlan,
  namespace: pulumi.Input<string>,
  opts: { parent: pulumi.Resource; provider: k8s.Provider | undefined; dependsOn: pulumi.Resource[] },
): GatewayResources {
  const n = plan.component;
  const lb = g.expose.type !== "address";
  const service = new k8s.core.v1.Service(
    `${n}-gateway`,
    {
      metadata: {
        name: g.serviceName,
        namespace,
        annotations: {
          ...g.serviceAnnotations,
          // Created before the pods: wait only for the load balancer's address (the default
          // await would also wait for endpoints, which exist only after the chart).
          ...(lb
            ? { "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress[0]}" }
            : { "pulumi.com/skipAwait": "true" }),
        },
      },
      spec: {
        type: lb ? "LoadBalancer" : "ClusterIP",
        selector: podLabels(plan),
        ports: [{ name: "gateway", port: GATEWAY_PORT, targetPort: GATEWAY_PORT, protocol: "TCP" }],
      },
    },
    { parent: opts.parent, provider: opts.provider, dependsOn: opts.dependsOn },
  );
  const host: pulumi.Output<string> = lb
    ? service.status.apply((s) => {
        const ingress = s?.loadBalancer?.ingress?.[0];
        const h = ingress?.hostname || ingress?.ip;
        if (!h) throw new Error(`gateway Service ${g.serviceName} has no load balancer address`);
        return h;
      })
    : pulumi.output(g.expose.address!);
  const dependsOn: pulumi.Resource[] = [service];

  if (g.tls.generate) {
    const ca = g.tls.ca!;
    const key = new tls.PrivateKey(
      `${n}-gateway`,
      { algorithm: "ECDSA", ecdsaCurve: "P256" },
      { parent: opts.parent },
    );
    const csr = new tls.CertRequest(
      `${n}-gateway`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: `${g.name} NATS gateway`, organization: "pulumi-nats" },
        // The address other clusters dial is verified against the certificate.
        dnsNames: host.apply((h) => (isIp(h) ? g.dnsNames : [h, ...g.dnsNames])),
        ipAddresses: host.apply((h) => (isIp(h) ? [h, "127.0.0.1"] : ["127.0.0.1"])),
      },
      { parent: opts.parent },
    );
    const cert = new tls.LocallySignedCert(
      `${n}-gateway`,
      {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: ca.keyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: 2 * 365 * 24,
        earlyRenewalHours: 30 * 24,
        // Gateways are mutual TLS: each side is a server and a client.
        allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
      },
      { parent: opts.parent },
    );
    const secret = new k8s.core.v1.Secret(
      `${n}-gateway-tls`,
      {
        metadata: { name: g.tls.secretName, namespace },
        type: "kubernetes.io/tls",
        stringData: {
          "tls.crt": cert.certPem,
          "tls.key": pulumi.secret(key.privateKeyPem),
          "ca.crt": ca.certPem,
        },
      },
      { parent: opts.parent, provider: opts.provider, dependsOn: opts.dependsOn },
    );
    dependsOn.push(secret);
  }
  return { host, url: host.apply(gatewayUrl), dependsOn };
}
