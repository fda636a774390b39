// Waiting until a freshly created stream is reachable from one connection.
//
// A stream create returns once the stream has a leader, but the interest the
// stream holds on its subjects reaches the other servers of a cluster over
// the routes a moment later. A client connected to one of those servers gets
// "no responders" for a publish in between (seen on a loaded 2-core CI
// machine, right after creating an R1 KV bucket on a 3-node cluster).
// Applications retry such a publish; tests wait for the condition instead.
import type { NatsConnection } from "./nats-types";
import { waitFor } from "./wait";

/**
 * Waits until a JetStream publish to `subject` on `nc` reaches its stream.
 *
 * The probe stores nothing: it carries an expected last sequence no stream
 * can have, so the stream answers with an error (10071, wrong last
 * sequence) instead of storing it. Any answer means the stream's interest
 * has reached the server `nc` is connected to; "no responders" means not yet.
 */
export async function awaitStreamInterest(
  nc: NatsConnection,
  subject: string,
  timeoutMs = 15_000,
): Promise<void> {
  const { headers } = await import("@nats-io/nats-core");
  await waitFor(
    async () => {
      const h = headers();
      h.set("Nats-Expected-Last-Sequence", String(Number.MAX_SAFE_INTEGER));
      // "No responders" (or a timeout under load) throws: waitFor tries again.
      await nc.request(subject, undefined, { headers: h, timeout: 2000 });
      return true;
    },
    { timeoutMs, intervalMs: 25, what: `a stream to answer publishes to ${subject}` },
  );
}
