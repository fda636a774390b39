// The NetworkPolicy in front of the NATS pods: which port is reachable from
// where. Route authorization (auth.ts) is the lock; this is the wall in front
// of it, so a pod elsewhere in the cluster cannot even try the route port.
//
//   4222 (clients)      from anywhere: clients live in other namespaces, and the
//                       client users' passwords guard it.
//   6222 (routes)       only from this cluster's own pods.
//   7222 (gateway)      from anywhere, only with a gateway: the other clusters
//                       dial it through a load balancer, from outside.
//   7422 (leaf nodes)   from anywhere, only with leaf nodes on.
//   8222 (monitoring)   only from this cluster's own pods: the reloader and the
//                       exporter reach it over localhost, the kubelet's probes
//                       come from the node (which NetworkPolicy does not
//                       filter), and an operator uses `kubectl port-forward`.
//   7777 (exporter)     from anywhere, only with the Prometheus exporter:
//                       Prometheus runs wherever the operator put it.
// Egress is not restricted (clients, gateways and the zone lookup dial out).

/** Labels the chart puts on the server pods (its `nats.selectorLabels`). */
export function podSelectorLabels(release: string): Record<string, string> {
  return {
    "app.kubernetes.io/component": "nats",
    "app.kubernetes.io/instance": release,
    "app.kubernetes.io/name": "nats",
  };
}

interface Port {
  protocol: "TCP";
  port: number;
}
export interface IngressRule {
  ports: Port[];
  /** Absent = from anywhere. */
  from?: { podSelector: { matchLabels: Record<string, string> } }[];
}

export interface NetworkPolicyPlan {
  name: string;
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ["Ingress"];
    ingress: IngressRule[];
  };
}

export function planNetworkPolicy(o: {
  name: string;
  release: string;
  gateway: boolean;
  leafnodes: boolean;
  exporter: boolean;
}): NetworkPolicyPlan {
  const own = podSelectorLabels(o.release);
  const tcp = (port: number): Port => ({ protocol: "TCP", port });
  const open = [
    4222,
    ...(o.gateway ? [7222] : []),
    ...(o.leafnodes ? [7422] : []),
    ...(o.exporter ? [7777] : []),
  ];
  return {
    name: `${o.name}-ingress`,
    spec: {
      podSelector: { matchLabels: own },
      policyTypes: ["Ingress"],
      ingress: [
        { ports: open.map(tcp) },
        { ports: [tcp(6222), tcp(8222)], from: [{ podSelector: { matchLabels: { ...own } } }] },
      ],
    },
  };
}
