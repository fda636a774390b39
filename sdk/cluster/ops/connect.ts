// A plain NATS connection as the system user, for the cluster operations
// (scale-down checks and peer removal). It opens the port-forward first when
// the connection goes through one, exactly as the JetStream provider does.
import type { NatsConnection } from "@nats-io/nats-core";
import { openPortForward, type ResolvedConnection } from "../../jetstream/connection";

export async function connectSystem(conn: ResolvedConnection, timeoutMs: number): Promise<NatsConnection> {
  if (conn.portForward) await openPortForward(conn);
  const { connect } = await import("@nats-io/transport-node");
  const { credsAuthenticator } = await import("@nats-io/nats-core");
  const servers = Array.isArray(conn.servers) ? conn.servers : conn.servers.split(",");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect({
        servers,
        name: "pulumi-nats-ops",
        // JWT mode: the system user's .creds; else its user and password.
        ...(conn.creds
          ? { authenticator: credsAuthenticator(new TextEncoder().encode(conn.creds)) }
          : { user: conn.user, pass: conn.password }),
        tls: conn.tls?.ca ? { ca: conn.tls.ca } : undefined,
        timeout: Math.min(10_000, Math.max(deadline - Date.now(), 1000)),
        // The forward or load balancer is the only reachable address.
        ignoreClusterUpdates: true,
      });
    } catch (err) {
      const text = String((err as Error)?.message ?? err).toLowerCase();
      if (text.includes("authorization") || Date.now() > deadline)
        throw new Error(`cannot connect to NATS as the system user at ${servers.join(", ")}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
