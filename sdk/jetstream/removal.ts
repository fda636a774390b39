// What removing an asset destroys, counted on the server before anything is
// removed. A stream, KV bucket or object store loses everything it holds. A
// consumer holds no messages itself, but on an interest stream the server
// keeps a message only while some consumer still has to acknowledge it:
// removing the last consumer empties the stream, removing one of several
// drops the messages only it still held. (A work-queue stream keeps its
// messages when its consumer goes: checked against nats-server 2.14.2.)
import type { ConsumerInfo } from "@nats-io/jetstream";
import type { JetStreamApi } from "./api";
import { ErrorCode, isApiError } from "./errors";

/** What a consumer's removal would cost its stream; zero for a limits or work-queue stream. */
export interface ConsumerRemovalLoss {
  stream: string;
  retention: string;
  /** Messages the server drops once the consumer is gone. */
  messages: number;
}

/**
 * Counts the messages an interest stream drops when the consumer `name` (and
 * the consumers in `alsoRemoved`) go: all of them when no consumer is left;
 * otherwise those every remaining consumer has acknowledged already (at or
 * below the lowest remaining ack floor), which only the removed ones kept.
 */
export async function consumerRemovalLoss(
  api: JetStreamApi,
  stream: string,
  name: string,
  alsoRemoved: ReadonlySet<string> = new Set(),
): Promise<ConsumerRemovalLoss | undefined> {
  let info;
  try {
    info = await api.streamInfo(stream);
  } catch (err) {
    if (isApiError(err, ErrorCode.StreamNotFound)) return undefined;
    throw err;
  }
  const retention = String(info.config.retention);
  if (retention !== "interest" || info.state.messages === 0) return { stream, retention, messages: 0 };
  const remaining = (await allConsumers(api, stream)).filter(
    (c) => c.name !== name && !alsoRemoved.has(c.name),
  );
  if (!remaining.length) return { stream, retention, messages: info.state.messages };
  const floor = Math.min(...remaining.map((c) => c.ack_floor?.stream_seq ?? 0));
  const first = info.state.first_seq;
  const last = Math.min(floor, info.state.last_seq);
  return { stream, retention, messages: Math.max(0, last - first + 1) };
}

/** Every consumer of `stream`, page after page. */
export async function allConsumers(api: JetStreamApi, stream: string): Promise<ConsumerInfo[]> {
  const out: ConsumerInfo[] = [];
  for (;;) {
    const page = await api.consumerList(stream, out.length);
    const consumers = page.consumers ?? [];
    out.push(...consumers);
    if (!consumers.length || out.length >= page.total) return out;
  }
}

/** "the server drops N messages of interest stream S" for a refusal or a note; undefined when nothing is lost. */
export function describeConsumerLoss(loss: ConsumerRemovalLoss | undefined): string | undefined {
  if (!loss || loss.messages === 0) return undefined;
  return (
    `its stream ${loss.stream} keeps messages only while a consumer still has to acknowledge them ` +
    `(retention: interest), so the server drops ${loss.messages} messages with it`
  );
}
