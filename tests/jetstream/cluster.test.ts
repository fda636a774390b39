// The provider core against a 3-node JetStream cluster (server tags az:a,
// az:b, az:c): the table rows only a cluster can test (replicas, placement),
// scaling in place, placement by tags, consumer replicas, replicas beyond the
// cluster, and the tutorial scenario checked with the NATS CLI.
import assert from "node:assert/strict";
import type { StreamInfo, ConsumerInfo } from "@nats-io/jetstream";
import { startCluster, waitFor } from "../harness";
import type { NatsCluster } from "../harness";
import { streamFields } from "../../sdk/jetstream/tables/stream";
import { keyValueFields, objectStoreFields } from "../../sdk/jetstream/tables/bucket";
import { ErrorCode, JetStreamApiError } from "../../sdk/jetstream/errors";
import type { Props } from "../../sdk/jetstream/core";
import { closeSessions, cores, publish, withConnection } from "./support";
import { connectionsOpened } from "../../sdk/jetstream/connection";
import { ctxFor, tableTests } from "./table-runner";
import { streamExamples, streamSuite, movedTo } from "./stream-examples";
import {
  keyValueExamples,
  keyValueSuite,
  objectStoreExamples,
  objectStoreSuite,
  kvPut,
} from "./bucket-examples";

const ZONES = ["az:a", "az:b", "az:c"];

describe("JetStream core on a 3-node cluster", function () {
  this.timeout(60_000);
  let cluster: NatsCluster;

  before(async () => {
    cluster = await startCluster({
      size: 3,
      tags: (i) => [ZONES[i]],
      maxFileStore: "100GB",
      maxMemoryStore: "1GB",
    });
  });
  after(async () => {
    await closeSessions();
    await cluster.destroy();
  });

  const api = async () => (await cores.stream.session(withConnection(cluster, {}))).api;
  const streamInfo = async (name: string): Promise<StreamInfo> => (await api()).streamInfo(name);
  /** Stream info once the stream has a leader and `replicas - 1` current followers. */
  const current = (name: string, replicas: number) =>
    waitFor(
      async () => {
        const i = await streamInfo(name);
        const followers = i.cluster?.replicas ?? [];
        return i.cluster?.leader && followers.length === replicas - 1 && followers.every((r) => r.current)
          ? i
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `${name} on ${replicas} current servers` },
    );
  /** The stream's servers: leader first, then replicas. */
  const servers = (info: StreamInfo) => [
    info.cluster?.leader,
    ...(info.cluster?.replicas ?? []).map((r) => r.name),
  ];

  describe("stream rows", () => {
    tableTests(streamSuite, streamFields, streamExamples, {
      cluster: true,
      prefix: "CS",
      target: () => cluster,
      identity: ["name"],
    });
  });
  describe("KV rows", () => {
    tableTests(keyValueSuite, keyValueFields, keyValueExamples, {
      cluster: true,
      prefix: "CK",
      target: () => cluster,
      identity: ["bucket"],
    });
  });
  describe("object-store rows", () => {
    tableTests(objectStoreSuite, objectStoreFields, objectStoreExamples, {
      cluster: true,
      prefix: "CO",
      target: () => cluster,
      identity: ["bucket"],
    });
  });

  it("scales a stream 1 -> 3 -> 1 replicas in place, keeping its messages", async () => {
    const core = cores.stream;
    const c = ctxFor("SC", cluster);
    const r1 = withConnection(cluster, { name: c.name, subjects: [`${c.subj}.>`], storage: "file" });
    const { id, outs } = await core.create(r1);
    await publish(cluster, `${c.subj}.x`, 20);
    const created = (await streamInfo(c.name)).created;
    const r3 = { ...r1, replicas: 3 };
    assert.deepEqual((await core.diff(id, outs, r3)).fields, [{ property: "replicas", kind: "update" }]);
    const { outs: up } = await core.update(id, outs, r3);
    const three = await current(c.name, 3);
    assert.equal(three.config.num_replicas, 3);
    assert.equal(three.state.messages, 20);
    assert.equal(three.created, created, "the same stream, not a new one");
    assert.equal(new Set(servers(three)).size, 3);
    assert.equal((await core.diff(id, up, r3)).changes, false);
    const { outs: down } = await core.update(id, up, r1);
    const one = await streamInfo(c.name);
    assert.equal(one.config.num_replicas, 1);
    assert.equal(one.state.messages, 20);
    assert.equal((await core.diff(id, down, r1)).changes, false);
    const read = await core.read(id, down);
    assert.equal((await core.diff(id, read!.props, r1)).changes, false);
  });

  it("places a stream by tags: az:b puts it on n2", async () => {
    const core = cores.stream;
    const c = ctxFor("PL", cluster);
    const inputs = withConnection(cluster, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      placement: { tags: ["az:b"] },
    });
    const { id, outs } = await core.create(inputs);
    const info = await streamInfo(c.name);
    assert.deepEqual(servers(info), ["n2"]);
    assert.deepEqual(info.config.placement?.tags, ["az:b"]);
    assert.equal((outs.info as { leader?: string }).leader, "n2");
    // Moving it to az:c in place keeps its messages.
    await publish(cluster, `${c.subj}.x`, 5);
    const moved = { ...inputs, placement: { tags: ["az:c"] } };
    assert.deepEqual((await core.diff(id, outs, moved)).replaces, []);
    await core.update(id, outs, moved);
    await movedTo(cluster, c.name, "n3");
    assert.equal((await streamInfo(c.name)).state.messages, 5);
  });

  it("changes replicas and placement in one update (the server needs them apart)", async () => {
    const core = cores.stream;
    const c = ctxFor("RP", cluster);
    const inputs = withConnection(cluster, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      placement: { tags: ["az:a"] },
    });
    const { id, outs } = await core.create(inputs);
    await publish(cluster, `${c.subj}.x`, 3);
    const next = { ...inputs, replicas: 3, placement: { cluster: cluster.name } };
    const { outs: grown } = await core.update(id, outs, next);
    const info = await current(c.name, 3);
    assert.equal(info.config.num_replicas, 3);
    assert.equal(info.state.messages, 3);
    // And back: R3 across the cluster -> R1 on az:c (scale first, then move).
    const back = { ...inputs, replicas: 1, placement: { tags: ["az:c"] } };
    await core.update(id, grown, back);
    await movedTo(cluster, c.name, "n3");
    assert.equal((await streamInfo(c.name)).state.messages, 3);
  });

  it("a consumer with replicas: 3 on an R3 stream, then 1, in place", async () => {
    const c = ctxFor("CR", cluster);
    const stream = withConnection(cluster, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      replicas: 3,
    });
    await cores.stream.create(stream);
    await publish(cluster, `${c.subj}.x`, 4);
    const core = cores.consumer;
    const inputs = withConnection(cluster, { stream: c.name, name: "worker", replicas: 3 });
    const { id, outs } = await core.create(inputs);
    const raw = async (): Promise<ConsumerInfo> => (await api()).consumerInfo(c.name, "worker");
    const info = await raw();
    assert.equal(info.config.num_replicas, 3);
    assert.equal((info.cluster?.replicas ?? []).length, 2);
    assert.equal((await core.diff(id, outs, inputs)).changes, false);
    const one = { ...inputs, replicas: 1 };
    assert.deepEqual((await core.diff(id, outs, one)).fields, [{ property: "replicas", kind: "update" }]);
    const { outs: after } = await core.update(id, outs, one);
    const scaled = await raw();
    assert.equal(scaled.config.num_replicas, 1);
    assert.equal(scaled.created, info.created);
    assert.equal(scaled.num_pending, 4);
    const read = await core.read(id, after);
    assert.equal((await core.diff(id, read!.props, one)).changes, false);
  });

  it("replicas above the cluster size are refused at create, naming replicas, and nothing is created", async () => {
    const c = ctxFor("R5", cluster);
    const inputs = withConnection(cluster, {
      name: c.name,
      subjects: [`${c.subj}.>`],
      storage: "memory",
      replicas: 5,
    });
    await assert.rejects(cores.stream.create(inputs), /replicas/);
    await assert.rejects(
      streamInfo(c.name),
      (err: JetStreamApiError) => err.code === ErrorCode.StreamNotFound,
    );
    const bucket = withConnection(cluster, { bucket: c.name, storage: "memory", replicas: 4 });
    await assert.rejects(cores.keyValue.create(bucket), /replicas/);
    await assert.rejects(
      streamInfo(`KV_${c.name}`),
      (err: JetStreamApiError) => err.code === ErrorCode.StreamNotFound,
    );
  });

  it("a KV bucket changes replicas 1 -> 3 in place, keeping its values", async () => {
    const c = ctxFor("KR", cluster);
    const inputs = withConnection(cluster, { bucket: c.name, storage: "file", history: 2 });
    const { id, outs } = await cores.keyValue.create(inputs);
    await kvPut(cluster, c.name, 4);
    const next = { ...inputs, replicas: 3 };
    assert.deepEqual((await cores.keyValue.diff(id, outs, next)).fields, [
      { property: "replicas", kind: "update" },
    ]);
    await cores.keyValue.update(id, outs, next);
    const info = await streamInfo(`KV_${c.name}`);
    assert.equal(info.config.num_replicas, 3);
    assert.equal(info.state.messages, 4);
  });

  it("creates 12 R3 streams and their consumers in parallel over one shared connection", async () => {
    const opened = connectionsOpened();
    const names = Array.from({ length: 12 }, () => ctxFor("PAR", cluster));
    await Promise.all(
      names.map(async (c) => {
        const s = withConnection(cluster, {
          name: c.name,
          subjects: [`${c.subj}.>`],
          storage: "memory",
          replicas: 3,
        });
        const created = await cores.stream.create(s);
        const k = withConnection(cluster, { stream: c.name, name: "w", ackWait: "10s" });
        const consumer = await cores.consumer.create(k);
        assert.equal((await cores.stream.diff(created.id, created.outs, s)).changes, false);
        assert.equal((await cores.consumer.diff(consumer.id, consumer.outs, k)).changes, false);
      }),
    );
    assert.equal(connectionsOpened(), opened, "no new connection per operation");
    for (const c of names) assert.equal((await streamInfo(c.name)).config.num_replicas, 3);
  });

  it("the tutorial: EVENTS, event-processor and a KV bucket, checked with the NATS CLI", async () => {
    const events: Props = withConnection(cluster, {
      name: "EVENTS",
      subjects: ["events.>"],
      retention: "limits",
      maxAge: "7d",
      maxBytes: "10GB",
      replicas: 3,
      storage: "file",
      discard: "old",
    });
    const processor: Props = withConnection(cluster, {
      stream: "EVENTS",
      name: "event-processor",
      deliverPolicy: "all",
      ackPolicy: "explicit",
      maxDeliver: 5,
      ackWait: "30s",
    });
    const config: Props = withConnection(cluster, {
      bucket: "config",
      history: 5,
      replicas: 3,
      storage: "file",
    });
    for (const [core, inputs] of [
      [cores.stream, events],
      [cores.consumer, processor],
      [cores.keyValue, config],
    ] as const) {
      assert.deepEqual(core.check(inputs).failures, []);
      const { id, outs } = await core.create(inputs);
      assert.equal((await core.diff(id, outs, inputs)).changes, false);
      const read = await core.read(id, outs);
      assert.equal((await core.diff(id, read!.props, inputs)).changes, false);
    }
    await publish(cluster, "events.signup", 3);

    type CliStream = {
      config: Record<string, unknown>;
      state: { messages: number };
      cluster: { replicas?: unknown[] };
    };
    const stream = await cluster.cli<CliStream>(["stream", "info", "EVENTS"], { json: true });
    assert.deepEqual(stream.config.subjects, ["events.>"]);
    assert.equal(stream.config.retention, "limits");
    assert.equal(stream.config.max_age, 7 * 24 * 3600e9);
    assert.equal(stream.config.max_bytes, 1024 * 1024 * 1024 * 10);
    assert.equal(stream.config.num_replicas, 3);
    assert.equal(stream.config.storage, "file");
    assert.equal(stream.config.discard, "old");
    assert.equal(stream.state.messages, 3);
    assert.equal(stream.cluster.replicas?.length, 2);

    type CliConsumer = { config: Record<string, unknown>; num_pending: number };
    const consumer = await cluster.cli<CliConsumer>(["consumer", "info", "EVENTS", "event-processor"], {
      json: true,
    });
    assert.equal(consumer.config.durable_name, "event-processor");
    assert.equal(consumer.config.deliver_policy, "all");
    assert.equal(consumer.config.ack_policy, "explicit");
    assert.equal(consumer.config.max_deliver, 5);
    assert.equal(consumer.config.ack_wait, 30e9);
    assert.equal(consumer.config.deliver_subject, undefined, "a pull consumer");
    assert.equal(consumer.num_pending, 3);

    // `nats kv info` has no JSON output in CLI 0.5.0: read its text, and the stream behind it.
    const kvText = await cluster.cli(["kv", "info", "config"]);
    assert.match(kvText, /Bucket Name: config/);
    assert.match(kvText, /History Kept: 5/);
    assert.match(kvText, /JetStream Stream: KV_config/);
    assert.match(kvText, /Storage: File/);
    const kvStream = await cluster.cli<CliStream>(["stream", "info", "KV_config"], { json: true });
    assert.equal(kvStream.config.max_msgs_per_subject, 5);
    assert.equal(kvStream.config.num_replicas, 3);
    assert.equal(kvStream.config.allow_rollup_hdrs, true);
    assert.equal(kvStream.config.deny_delete, true);
    await cluster.cli(["kv", "put", "config", "greeting", "hello"]);
    assert.equal((await cluster.cli(["kv", "get", "config", "greeting", "--raw"])).trim(), "hello");
  });
});
