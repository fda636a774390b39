// Helpers for the migration tests: streams filled with numbered messages,
// durable consumers acknowledged part-way, a publisher that keeps publishing
// through a migration and records what was acknowledged, and a full snapshot
// of a stream (every sequence's subject and data) to compare before and after.
import assert from "node:assert/strict";
import {
  awaitStreamInterest,
  waitFor,
  type NatsServer,
  type NatsCluster,
  type NatsConnection,
} from "../harness";
import { cores } from "../../sdk/jetstream/core";
import type { Props } from "../../sdk/jetstream/core";
import type { JetStreamApi } from "../../sdk/jetstream/api";
import type { MigrationResult } from "../../sdk/jetstream/migrate";
import { ErrorCode, isApiError } from "../../sdk/jetstream/errors";

export { cores };

export type Target = NatsServer | NatsCluster;

export function inputs(target: Target, config: Props, extra: Props = {}): Props {
  const servers = "urls" in target ? target.urls : [target.url];
  return { ...config, connection: { servers, readyTimeout: "30s", requestTimeout: "5s" }, ...extra };
}

export async function apiOf(props: Props): Promise<JetStreamApi> {
  return (await cores.stream.session(props)).api;
}

/** Publishes `count` messages spread over `subjects`, in order, with bodies naming their number. */
export async function fill(nc: NatsConnection, subjects: string[], count: number, tag = "m"): Promise<void> {
  const { jetstream } = await import("@nats-io/jetstream");
  const js = jetstream(nc);
  await awaitStreamInterest(nc, subjects[0]);
  for (let start = 0; start < count; start += 500) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 500); i++)
      batch.push(js.publish(subjects[i % subjects.length], `${tag}${i}`));
    await Promise.all(batch);
  }
}

/** Creates a durable pull consumer and acknowledges its first `acks` messages (in order). */
export async function consumeSome(
  nc: NatsConnection,
  stream: string,
  name: string,
  acks: number,
  config: Record<string, unknown> = {},
): Promise<void> {
  const { jetstreamManager, jetstream, AckPolicy, DeliverPolicy } = await import("@nats-io/jetstream");
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ...config,
  });
  const c = await jetstream(nc).consumers.get(stream, name);
  let done = 0;
  while (done < acks) {
    const batch = await c.fetch({ max_messages: Math.min(200, acks - done), expires: 2000 });
    for await (const m of batch) {
      await m.ackAck();
      done++;
    }
  }
}

export interface Snapshot {
  messages: number;
  firstSeq: number;
  lastSeq: number;
  /** seq -> "subject|data" */
  content: Map<number, string>;
}

/** Every message of a stream, by sequence (through the API's message get). */
export async function snapshot(api: JetStreamApi, stream: string): Promise<Snapshot> {
  const info = await api.streamInfo(stream);
  const content = new Map<number, string>();
  let seq = info.state.first_seq;
  while (info.state.messages > 0 && seq <= info.state.last_seq) {
    try {
      const { message } = await api.request<{ message: { seq: number; subject: string; data?: string } }>(
        `STREAM.MSG.GET.${stream}`,
        { seq, next_by_subj: ">" },
      );
      content.set(message.seq, `${message.subject}|${Buffer.from(message.data ?? "", "base64").toString()}`);
      seq = message.seq + 1;
    } catch (err) {
      if (isApiError(err, 10037)) break;
      throw err;
    }
  }
  return {
    messages: info.state.messages,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
    content,
  };
}

/** Asserts that every message of `before` is in `after` at the same sequence with the same subject and data. */
export function assertKept(before: Snapshot, after: Snapshot): void {
  let missing = 0;
  for (const [seq, body] of before.content) if (after.content.get(seq) !== body) missing++;
  assert.equal(missing, 0, `${missing} of ${before.content.size} messages differ or are missing`);
}

/**
 * A consumer's ack floor as its leader reports it. On a cluster, while a
 * consumer has no leader (an election after a server restarted), a replica
 * may answer with its own state: a restarted replica of a memory consumer
 * answers 0 until it has caught up. Wait for a leader.
 */
export async function ackFloor(api: JetStreamApi, stream: string, consumer: string): Promise<number> {
  let last = "";
  const ci = await waitFor(
    async () => {
      const info = await api.consumerInfo(stream, consumer);
      last = `ack floor ${info.ack_floor.stream_seq} from a replica, no leader`;
      return !info.cluster || info.cluster.leader ? info : undefined;
    },
    {
      // An election on a loaded 2-core machine, after a restart, once took
      // more than 20 s; a consumer that never regains a leader fails here.
      timeoutMs: 60_000,
      intervalMs: 100,
      what: `consumer ${consumer} of ${stream} to have a leader`,
      describe: () => last,
    },
  );
  return ci.ack_floor.stream_seq;
}

/**
 * Publishes one message every `everyMs` until stopped; records every
 * acknowledged (sequence, body) and every failure, and the longest stretch
 * without a successful publish.
 */
export class Publisher {
  readonly acked: { seq: number; body: string; stream: string }[] = [];
  failures = 0;
  longestGapMs = 0;
  private running = true;
  private done: Promise<void>;

  constructor(nc: NatsConnection, subject: string, everyMs = 2) {
    this.done = this.loop(nc, subject, everyMs);
  }

  private async loop(nc: NatsConnection, subject: string, everyMs: number): Promise<void> {
    const { jetstream } = await import("@nats-io/jetstream");
    const js = jetstream(nc, { timeout: 1000 });
    let lastOk = Date.now();
    for (let i = 0; this.running; i++) {
      const body = `live${i}`;
      try {
        const ack = await js.publish(subject, body);
        this.acked.push({ seq: ack.seq, body, stream: ack.stream });
        this.longestGapMs = Math.max(this.longestGapMs, Date.now() - lastOk);
        lastOk = Date.now();
      } catch {
        this.failures++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

export function isNotFound(err: unknown): boolean {
  return isApiError(err, ErrorCode.StreamNotFound);
}

/** Prints a migration's log (the note quotes one). */
export function show(result: MigrationResult | undefined): void {
  for (const line of result?.log ?? []) console.log(`      ${line}`);
}
