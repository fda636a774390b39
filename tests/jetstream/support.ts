// Shared set-up for the provider-core tests: real servers from the harness,
// and inputs shaped as the engine delivers them (connection + credentials).
import { cores } from "../../sdk/jetstream/core";
import type { Props } from "../../sdk/jetstream/core";
import { closeAll } from "../../sdk/jetstream/connection";
import { awaitStreamInterest, type NatsServer, type NatsCluster } from "../harness";

export { cores };

/** Inputs with the connection the provider receives for a harness server or cluster. */
export function withConnection(target: NatsServer | NatsCluster, config: Props, extra: Props = {}): Props {
  const servers = "urls" in target ? target.urls : [target.url];
  return { ...config, connection: { servers, readyTimeout: "30s" }, ...extra };
}

/** Publishes `count` messages to `subject` and waits for every acknowledgement. */
export async function publish(
  target: NatsServer | NatsCluster,
  subject: string,
  count: number,
): Promise<void> {
  const nc = await target.connect();
  const { jetstream } = await import("@nats-io/jetstream");
  const js = jetstream(nc);
  await awaitStreamInterest(nc, subject);
  await Promise.all(Array.from({ length: count }, (_, i) => js.publish(subject, `m${i}`)));
  await nc.close();
}

/** Closes the provider core's shared connections after a suite. */
export async function closeSessions(): Promise<void> {
  await closeAll();
}
