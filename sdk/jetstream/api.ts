// A thin layer over the JetStream API subjects. It sends the full desired
// configuration (the JS client's `streams.update` merges into the server's
// copy, which can never unset a field), asks for pedantic mode so the server
// refuses instead of silently adjusting a value, turns API errors into
// JetStreamApiError with the server's numeric code, and retries only what is
// transient: no responders, timeouts and "temporarily unavailable" (10008).
import type { NatsConnection } from "@nats-io/nats-core";
import type { StreamInfo, ConsumerInfo } from "@nats-io/jetstream";
import { ErrorCode, JetStreamApiError, NotReadyError } from "./errors";
import { describe, sleep } from "./connection";

export interface ApiOptions {
  /** `$JS.API`, `$JS.<domain>.API` or an imported prefix. */
  prefix: string;
  timeoutMs: number;
  /** How long a transient failure is retried before giving up. */
  readyDeadlineMs: number;
}

export type Json = Record<string, unknown>;

/** The shortest wait for an answer, even when the deadline is (nearly) reached. */
const MIN_ATTEMPT_MS = 250;

/** Counts API requests, for the "one server call per asset" benchmark target. */
export const apiCalls = { count: 0 };

export class JetStreamApi {
  constructor(
    private readonly nc: NatsConnection,
    readonly options: ApiOptions,
  ) {}

  /** Sends one API request; retries transient failures until the ready deadline. */
  async request<T = Json>(
    subject: string,
    body?: Json,
    deadline = Date.now() + this.options.readyDeadlineMs,
    /** Set when an attempt failed transiently: its request may have been applied. */
    retried?: { value: boolean },
  ): Promise<T> {
    const full = `${this.options.prefix}.${subject}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let attempt = 0;
    for (;;) {
      if (attempt > 0 && retried) retried.value = true;
      try {
        apiCalls.count++;
        // No attempt outlives the deadline by more than a moment: without
        // quorum every attempt times out, and the error must arrive within
        // readyTimeout, not readyTimeout plus a whole requestTimeout.
        const left = Math.max(deadline - Date.now(), MIN_ATTEMPT_MS);
        const msg = await this.nc.request(full, payload, { timeout: Math.min(this.options.timeoutMs, left) });
        const reply = msg.json<Json & { error?: { code: number; err_code: number; description: string } }>();
        if (reply.error) {
          throw new JetStreamApiError(reply.error.err_code, reply.error.code, reply.error.description, full);
        }
        return reply as T;
      } catch (err) {
        if (!isTransient(err) || Date.now() >= deadline) throw explain(err, full);
        await sleep(Math.min(100 * 2 ** attempt++, 1_000));
      }
    }
  }

  /** Waits until the JetStream API answers (enabled, and with a meta leader in a cluster). */
  async waitUntilReady(deadline: number): Promise<Json> {
    try {
      return await this.request("INFO", undefined, deadline);
    } catch (err) {
      throw new NotReadyError(
        `JetStream did not become ready before the ready timeout: ${describe(err).replace(/\.$/, "")}. ` +
          "Check that JetStream is enabled for this account and, on a cluster, that a majority of servers is up " +
          "(a meta leader is elected); raise readyTimeout if the cluster is still starting.",
        { cause: err },
      );
    }
  }

  streamInfo(name: string): Promise<StreamInfo> {
    return this.request<StreamInfo>(`STREAM.INFO.${name}`);
  }
  streamCreate(config: Json): Promise<StreamInfo> {
    return this.request<StreamInfo>(`STREAM.CREATE.${config.name}`, { ...config, pedantic: true });
  }
  streamUpdate(config: Json): Promise<StreamInfo> {
    return this.request<StreamInfo>(`STREAM.UPDATE.${config.name}`, { ...config, pedantic: true });
  }
  async streamDelete(name: string): Promise<Json> {
    const deadline = Date.now() + this.options.readyDeadlineMs;
    const retried = { value: false };
    try {
      return await this.request(`STREAM.DELETE.${name}`, undefined, deadline, retried);
    } catch (err) {
      // The meta leader answers "not found" as soon as a delete is proposed,
      // before it is committed. After a lost answer that delete may be our
      // own, proposed by a leader without a majority, and may never be
      // applied: "not found" only counts once the leader's list of applied
      // streams no longer has it.
      if (retried.value && isStreamNotFound(err)) await this.untilStreamGone(name, deadline);
      throw err;
    }
  }
  /** Waits until the stream is no longer among the applied streams; NotReadyError past the deadline. */
  private async untilStreamGone(name: string, deadline: number): Promise<void> {
    for (;;) {
      let listed = false;
      for (let offset = 0; ;) {
        const page = await this.request<{ streams: string[] | null; total: number; limit: number }>(
          "STREAM.NAMES",
          { offset },
          deadline,
        ).catch((err) => {
          throw new NotReadyError(
            `the delete of stream ${name} was accepted but is not confirmed: ${describe(err)}`,
            { cause: err },
          );
        });
        const names = page.streams ?? [];
        if (names.includes(name)) listed = true;
        offset += names.length;
        if (listed || names.length === 0 || offset >= page.total) break;
      }
      if (!listed) return;
      if (Date.now() >= deadline) {
        throw new NotReadyError(
          `the delete of stream ${name} was accepted but not applied before the ready timeout: the cluster has ` +
            "no quorum (a majority of servers is down or cut off). Bring the servers back and run again.",
        );
      }
      await sleep(250);
    }
  }
  consumerInfo(stream: string, name: string): Promise<ConsumerInfo> {
    return this.request<ConsumerInfo>(`CONSUMER.INFO.${stream}.${name}`);
  }
  consumerCreate(stream: string, config: Json, action: "create" | "update"): Promise<ConsumerInfo> {
    return this.request<ConsumerInfo>(`CONSUMER.CREATE.${stream}.${config.durable_name}`, {
      stream_name: stream,
      config,
      action,
      pedantic: true,
    });
  }
  consumerDelete(stream: string, name: string): Promise<Json> {
    return this.request(`CONSUMER.DELETE.${stream}.${name}`);
  }
  consumerPause(stream: string, name: string, pauseUntil: string | undefined): Promise<Json> {
    return this.request(`CONSUMER.PAUSE.${stream}.${name}`, pauseUntil ? { pause_until: pauseUntil } : {});
  }
  /** One page of a stream's consumers (full infos); on a cluster, `missing` names those that did not answer. */
  consumerList(
    stream: string,
    offset = 0,
  ): Promise<{ consumers: ConsumerInfo[] | null; total: number; missing?: string[] }> {
    return this.request(`CONSUMER.LIST.${stream}`, { offset });
  }
  /** Moves a consumer so the next message it delivers is `seq` (2.14+): its ack floor becomes seq - 1. */
  consumerReset(stream: string, name: string, seq: number): Promise<ConsumerInfo & { reset_seq: number }> {
    return this.request(`CONSUMER.RESET.${stream}.${name}`, { seq });
  }
  /** Stream info with the list of deleted sequences inside the stream. */
  streamInfoDeleted(name: string): Promise<StreamInfo> {
    return this.request<StreamInfo>(`STREAM.INFO.${name}`, { deleted_details: true });
  }
  /** Purges a stream; `{ seq: N }` keeps the messages from sequence N on. */
  streamPurge(name: string, body: Json = {}): Promise<{ purged: number }> {
    return this.request(`STREAM.PURGE.${name}`, body);
  }
  streamMsgDelete(name: string, seq: number): Promise<Json> {
    return this.request(`STREAM.MSG.DELETE.${name}`, { seq, no_erase: true });
  }
  /** The first message at or after `seq` (404 JetStreamApiError 10037 when there is none). */
  streamMsgNext(name: string, seq: number): Promise<{ message: { seq: number; subject: string } }> {
    return this.request(`STREAM.MSG.GET.${name}`, { seq, next_by_subj: ">" });
  }
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === ErrorCode.StreamNotFound;
}

function isTransient(err: unknown): boolean {
  if (err instanceof JetStreamApiError) return err.code === ErrorCode.TemporarilyUnavailable;
  const name = (err as Error)?.name ?? "";
  const text = describe(err).toLowerCase();
  return (
    name === "TimeoutError" ||
    name === "NoRespondersError" ||
    text.includes("timeout") ||
    text.includes("no responders") ||
    text.includes("503") ||
    text.includes("disconnect") ||
    text.includes("reconnect")
  );
}

function explain(err: unknown, subject: string): unknown {
  // 10008 is what a server answers when the meta group, or the asset's own
  // replica group, has had no leader for a while: a majority is down or cut
  // off. Retried until the deadline; past it, say so in the user's terms.
  if (err instanceof JetStreamApiError && err.code === ErrorCode.TemporarilyUnavailable) {
    return new NotReadyError(
      `JetStream answered ${subject} with "${err.description}" until the ready timeout: the cluster has no quorum ` +
        "(no leader for the JetStream meta group or for this asset's replicas: a majority of servers is down, " +
        "restarting or cut off). Bring the servers back; raise readyTimeout to wait longer.",
      { cause: err },
    );
  }
  if (err instanceof JetStreamApiError) return err;
  const text = describe(err);
  if (/no responders|503/i.test(text)) {
    return new NotReadyError(
      `no JetStream API answered ${subject}: JetStream is not enabled for this account or domain, ` +
        "or the cluster has no quorum (no meta leader)",
      { cause: err },
    );
  }
  if (/timeout/i.test(text)) {
    return new NotReadyError(
      `JetStream did not answer ${subject} in time: the cluster may have no quorum (a majority of servers down ` +
        "or cut off, so no leader answers) or be overloaded; raise readyTimeout to wait longer",
      { cause: err },
    );
  }
  return err;
}
