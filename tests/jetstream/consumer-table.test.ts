// Every row of the consumer table against a real nats-server 2.14: created
// with a non-default value, stored as declared, no false diff; then changed,
// as an in-place update (the consumer keeps its creation time and its
// acknowledgement floor) or as a replacement the server itself refuses to do
// in place.
import assert from "node:assert/strict";
import type { ConsumerInfo } from "@nats-io/jetstream";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { consumerFields } from "../../sdk/jetstream/tables/consumer";
import { DataLossError, ErrorCode, JetStreamApiError } from "../../sdk/jetstream/errors";
import type { Props } from "../../sdk/jetstream/core";
import { closeSessions, cores, publish, withConnection } from "./support";
import { normalize } from "./table-runner";

const S = 1e9;
const STREAM = "CONSUMED";
/** The rows that say where a consumer starts: changing one cannot keep its position. */
const STARTS = ["deliverPolicy", "optStartSeq", "optStartTime"];

interface Change {
  value: unknown;
  wire?: unknown;
  rule: "update" | "replace";
  /** The server's error code for the same change sent as an update. */
  serverRefuses?: number;
  /** The server accepts the raw update: why the row still replaces. */
  serverAccepts?: string;
}
interface Example {
  base?: Props;
  value: unknown;
  wire?: unknown;
  check?: (info: ConsumerInfo) => void;
  next?: Change;
  noNext?: string;
  cluster?: boolean;
}

const push = (name: string) => ({ deliverSubject: `deliver.${name}` });

export const consumerExamples: Record<string, (name: string) => Example> = {
  description: () => ({ value: "a", wire: "a", next: { value: "b", wire: "b", rule: "update" } }),
  deliverPolicy: () => ({
    value: "last",
    wire: "last",
    next: { value: "new", wire: "new", rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  optStartSeq: () => ({
    base: { deliverPolicy: "by_start_sequence" },
    value: 2,
    wire: 2,
    next: { value: 3, wire: 3, rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  optStartTime: () => ({
    base: { deliverPolicy: "by_start_time" },
    value: "2026-01-01T00:00:00Z",
    wire: "2026-01-01T00:00:00Z",
    next: {
      value: "2026-02-01T10:00:00.5Z",
      wire: "2026-02-01T10:00:00.5Z",
      rule: "replace",
      serverRefuses: ErrorCode.ConsumerCreate,
    },
  }),
  ackPolicy: () => ({
    value: "all",
    wire: "all",
    next: { value: "explicit", wire: "explicit", rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  ackWait: () => ({ value: "10s", wire: 10 * S, next: { value: "20.5s", wire: 20.5 * S, rule: "update" } }),
  maxDeliver: () => ({ value: 5, wire: 5, next: { value: 10, wire: 10, rule: "update" } }),
  backoff: () => ({
    base: { maxDeliver: 5 },
    value: ["1s", "5s"],
    wire: [1 * S, 5 * S],
    // ack wait defaults to the first backoff value.
    check: (info) => assert.equal(info.config.ack_wait, 1 * S),
    next: { value: ["2s", "10s", "1m"], wire: [2 * S, 10 * S, 60 * S], rule: "update" },
  }),
  filterSubjects: () => ({
    value: [`${STREAM.toLowerCase()}.a`],
    // One filter travels as filter_subject, understood by every server.
    check: (info) => {
      assert.equal(info.config.filter_subject, "consumed.a");
      assert.equal(normalize(info.config.filter_subjects), undefined);
    },
    next: { value: ["consumed.a", "consumed.b"], wire: ["consumed.a", "consumed.b"], rule: "update" },
  }),
  replayPolicy: () => ({
    value: "original",
    wire: "original",
    next: { value: "instant", wire: "instant", rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  rateLimitBps: (n) => ({
    base: push(n),
    value: 1_000_000,
    wire: 1_000_000,
    next: { value: 2_000_000, wire: 2_000_000, rule: "update" },
  }),
  sampleFrequency: () => ({ value: "10%", wire: "10%", next: { value: "20%", wire: "20%", rule: "update" } }),
  maxWaiting: () => ({
    value: 100,
    wire: 100,
    next: { value: 200, wire: 200, rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  maxAckPending: () => ({ value: 100, wire: 100, next: { value: -1, wire: -1, rule: "update" } }),
  deliverSubject: (n) => ({
    value: `deliver.${n}`,
    wire: `deliver.${n}`,
    // Another deliver subject is an update; adding or removing one is not (tested apart).
    next: { value: `deliver2.${n}`, wire: `deliver2.${n}`, rule: "update" },
  }),
  deliverGroup: (n) => ({
    base: push(n),
    value: "g1",
    wire: "g1",
    next: { value: "g2", wire: "g2", rule: "update" },
  }),
  flowControl: (n) => ({
    base: { ...push(n), idleHeartbeat: "5s" },
    value: true,
    wire: true,
    next: { value: false, wire: false, rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  idleHeartbeat: (n) => ({
    base: push(n),
    value: "5s",
    wire: 5 * S,
    next: { value: "10s", wire: 10 * S, rule: "replace", serverRefuses: ErrorCode.ConsumerCreate },
  }),
  headersOnly: () => ({ value: true, wire: true, next: { value: false, wire: false, rule: "update" } }),
  maxBatch: () => ({ value: 10, wire: 10, next: { value: 20, wire: 20, rule: "update" } }),
  maxExpires: () => ({
    value: "10s",
    wire: 10 * S,
    next: { value: "250ms", wire: 0.25 * S, rule: "update" },
  }),
  maxBytes: () => ({
    value: "1MiB",
    wire: 1024 * 1024,
    next: { value: "2MiB", wire: 2 * 1024 * 1024, rule: "update" },
  }),
  inactiveThreshold: () => ({
    value: "1h",
    wire: 3600 * S,
    next: { value: "2h", wire: 7200 * S, rule: "update" },
  }),
  replicas: () => ({ cluster: true, value: 3, wire: 3, next: { value: 1, wire: 1, rule: "update" } }),
  memoryStorage: () => ({
    value: true,
    wire: true,
    next: {
      value: false,
      wire: false,
      rule: "replace",
      // Confirmed: the server stores the flag from an update, but the consumer's
      // store is chosen at creation and stays where it is.
      serverAccepts: "the store is chosen at creation only",
    },
  }),
  metadata: () => ({
    value: { team: "a" },
    wire: { team: "a" },
    next: { value: { team: "b", env: "x" }, wire: { team: "b", env: "x" }, rule: "update" },
  }),
  pauseUntil: () => ({
    value: "2030-01-01T00:00:00Z",
    wire: "2030-01-01T00:00:00Z",
    check: (info) => assert.equal(info.paused, true),
    next: { value: "2031-06-01T12:30:00.25Z", wire: "2031-06-01T12:30:00.25Z", rule: "update" },
  }),
  priorityGroups: () => ({
    base: { priorityPolicy: "overflow" },
    value: ["g1"],
    wire: ["g1"],
    next: { value: ["g1", "g2"], wire: ["g1", "g2"], rule: "update" },
  }),
  priorityPolicy: () => ({
    base: { priorityGroups: ["g1"] },
    value: "overflow",
    wire: "overflow",
    next: { value: "prioritized", wire: "prioritized", rule: "update" },
  }),
  priorityTimeout: () => ({
    base: { priorityGroups: ["g1"], priorityPolicy: "pinned_client" },
    value: "1m",
    wire: 60 * S,
    next: { value: "3m", wire: 180 * S, rule: "update" },
  }),
};

describe("consumer table: every row against a real server", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const core = cores.consumer;
  let n = 0;

  before(async () => {
    server = await startServer();
    const s = await core.session(withConnection(server, {}));
    await s.api.streamCreate({ name: STREAM, subjects: ["consumed.>"], storage: "memory" });
    await publish(server, "consumed.a", 5);
    await publish(server, "consumed.b", 5);
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });

  const inputs = (name: string, ex: Example, key: string, value: unknown, extra: Props = {}) => {
    const config: Props = { stream: STREAM, name, ...ex.base };
    if (value !== undefined) config[key] = value;
    return withConnection(server, config, extra);
  };
  const raw = async (name: string) =>
    (await core.session(withConnection(server, {}))).api.consumerInfo(STREAM, name);
  const noDiff = async (id: string, outs: Props, next: Props, when: string) => {
    const diff = await core.diff(id, outs, next);
    assert.equal(diff.changes, false, `false diff ${when}: ${JSON.stringify(diff.fields)}`);
    const read = await core.read(id, outs);
    assert.ok(read);
    assert.deepEqual(core.config(read.props), core.config(outs), `refresh recorded drift ${when}`);
    const again = await core.diff(id, read.props, next);
    assert.equal(again.changes, false, `false diff after read ${when}: ${JSON.stringify(again.fields)}`);
  };

  it("has an example for every row of the table (a new row cannot go untested)", () => {
    const identity = ["stream", "name"];
    const missing = consumerFields
      .map((r) => r.key)
      .filter((k) => !identity.includes(k) && !consumerExamples[k]);
    assert.deepEqual(missing, [], `rows without an example: ${missing.join(", ")}`);
  });

  for (const row of consumerFields) {
    const make = consumerExamples[row.key];
    if (!make || make("x").cluster) continue;
    const key = row.key;

    it(`${key}: created with a non-default value, stored as declared, no false diff`, async () => {
      const name = `c${++n}`;
      const ex = make(name);
      const ins = inputs(name, ex, key, ex.value);
      assert.deepEqual(core.check(ins).failures, []);
      const { id, outs } = await core.create(ins);
      const info = await raw(name);
      if ("wire" in ex) {
        assert.deepEqual(
          normalize((info.config as unknown as Props)[row.wire]),
          normalize(ex.wire),
          `${key} (${row.wire}) as stored`,
        );
      }
      ex.check?.(info);
      await noDiff(id, outs, ins, "right after create");
      await core.delete(id, outs);
    });

    const probe = make("x");
    if (!probe.next) {
      it(`${key}: no change test (${probe.noNext ?? "MISSING REASON"})`, () => assert.ok(probe.noNext));
      continue;
    }
    const next = probe.next;
    it(`${key}: changing it is ${next.rule === "update" ? "an in-place update" : "a replacement"}`, async () => {
      const name = `c${++n}`;
      const ex = make(name);
      const nx = ex.next!;
      const ins = inputs(name, ex, key, ex.value);
      const { id, outs } = await core.create(ins);
      const before = await raw(name);
      let nextInputs = inputs(name, ex, key, nx.value);
      if (STARTS.includes(key)) {
        // Starting elsewhere loses the position of a consumer with messages: refused unless agreed.
        await assert.rejects(core.diff(id, outs, nextInputs), (err: Error) => {
          assert.ok(err instanceof DataLossError, String(err));
          assert.match(err.message, new RegExp(`\\(${key} cannot change in place\\) loses its position`));
          return true;
        });
        nextInputs = { ...nextInputs, allowDataLoss: true };
      }
      const diff = await core.diff(id, outs, nextInputs);
      if (nx.rule === "update") {
        assert.deepEqual(diff.replaces, [], JSON.stringify(diff.fields));
        assert.ok(
          diff.fields.some((f) => f.property === key && f.kind === "update"),
          JSON.stringify(diff.fields),
        );
        const { outs: after } = await core.update(id, outs, nextInputs);
        const info = await raw(name);
        assert.equal(info.created, before.created, "updated in place, not recreated");
        if ("wire" in nx) {
          assert.deepEqual(normalize((info.config as unknown as Props)[row.wire]), normalize(nx.wire));
        }
        await noDiff(id, after, nextInputs, "right after update");
        // Removing the field returns it to the server's default in place.
        const without = inputs(name, ex, key, undefined);
        // (Fields that need each other, like priority groups and policy, cannot go alone.)
        const alone = core.check(without).failures.length === 0;
        const removal = alone ? await core.diff(id, after, without) : undefined;
        if (!removal) {
          assert.ok(core.check(without).failures.every((f) => f.property.startsWith("priority")));
        } else if (!removal.replaces.length) {
          const { outs: removed } = await core.update(id, after, without);
          assert.equal((await raw(name)).created, before.created);
          await noDiff(id, removed, without, "after removing the field");
        } else {
          assert.notEqual(row.change, "update", `removing ${key}: ${JSON.stringify(removal.fields)}`);
        }
        await core.delete(id, after);
        return;
      }
      assert.deepEqual(diff.replaces, [key], JSON.stringify(diff.fields));
      assert.equal(diff.deleteBeforeReplace, true);
      // The server refuses the same change as an in-place update.
      const s = await core.session(ins);
      const body: Props = { ...(before.config as unknown as Props), [row.wire]: nx.wire };
      if (nx.serverRefuses !== undefined) {
        await assert.rejects(s.api.consumerCreate(STREAM, body, "update"), (err: Error) => {
          assert.ok(err instanceof JetStreamApiError, String(err));
          assert.equal(err.code, nx.serverRefuses, err.message);
          return true;
        });
      } else {
        assert.ok(nx.serverAccepts, `${key}: give serverRefuses or serverAccepts`);
      }
      await core.delete(id, outs);
      const { id: id2, outs: outs2 } = await core.create(nextInputs);
      const info = await raw(name);
      if ("wire" in nx) {
        assert.deepEqual(normalize((info.config as unknown as Props)[row.wire]), normalize(nx.wire));
      }
      await noDiff(id2, outs2, nextInputs, "after the replacement");
      await core.delete(id2, outs2);
    });
  }

  describe("defaults the server fills in", () => {
    const roundTrip = async (config: Props) => {
      const ins = withConnection(server, { stream: STREAM, name: `d${++n}`, ...config });
      const { id, outs } = await core.create(ins);
      await noDiff(id, outs, ins, "right after create");
      return raw(String(ins.name));
    };
    it("ack policy none: no ack wait and no max ack pending", async () => {
      const info = await roundTrip({ ackPolicy: "none" });
      assert.equal(info.config.ack_wait ?? 0, 0);
      assert.equal(info.config.max_ack_pending ?? 0, 0);
    });
    it("pull consumer: ack wait 30s, max ack pending 1000, max waiting 512, max deliver unlimited", async () => {
      const info = await roundTrip({});
      assert.equal(info.config.ack_wait, 30 * S);
      assert.equal(info.config.max_ack_pending, 1000);
      assert.equal(info.config.max_waiting, 512);
      assert.equal(info.config.max_deliver, -1);
    });
    it("push consumer: no max waiting", async () => {
      const info = await roundTrip({ deliverSubject: `deliver.d${n + 1}` });
      assert.equal(info.config.max_waiting ?? 0, 0);
    });
    it("replicas: 1 on a single server (the stream's own count) shows no false diff", async () => {
      const info = await roundTrip({ replicas: 1 });
      assert.ok([0, 1].includes(info.config.num_replicas ?? 0), String(info.config.num_replicas));
    });
    it("pinned_client without a timeout: the server's 2m pin timeout shows no false diff", async () => {
      const info = await roundTrip({ priorityGroups: ["g"], priorityPolicy: "pinned_client" });
      assert.equal(info.config.priority_timeout, 120 * S);
    });
    it("a stream with consumerLimits: the error names the inputs to set", async () => {
      const s = await core.session(withConnection(server, {}));
      await s.api.streamCreate({
        name: "LIMITED",
        subjects: ["limited.>"],
        storage: "memory",
        consumer_limits: { max_ack_pending: 100, inactive_threshold: 3600 * S },
      });
      const bare = withConnection(server, { stream: "LIMITED", name: "bare" });
      await assert.rejects(core.create(bare), /inactiveThreshold.*maxAckPending/);
      const ok = withConnection(server, {
        stream: "LIMITED",
        name: "explicit",
        inactiveThreshold: "30m",
        maxAckPending: 50,
      });
      const { id, outs } = await core.create(ok);
      await noDiff(id, outs, ok, "within the stream's limits");
    });
  });

  it("pull <-> push (adding or removing deliverSubject) is a replacement the server refuses in place", async () => {
    const pull = withConnection(server, { stream: STREAM, name: "pp1" });
    const { id, outs } = await core.create(pull);
    const toPush = { ...pull, deliverSubject: "deliver.pp1" };
    assert.deepEqual((await core.diff(id, outs, toPush)).replaces.includes("deliverSubject"), true);
    const s = await core.session(pull);
    const info = await s.api.consumerInfo(STREAM, "pp1");
    await assert.rejects(
      s.api.consumerCreate(
        STREAM,
        { ...info.config, max_waiting: undefined, deliver_subject: "deliver.pp1" },
        "update",
      ),
      (err: JetStreamApiError) => err.code === ErrorCode.ConsumerCreate,
    );
    const pushed = await core.create(
      withConnection(server, { stream: STREAM, name: "pp2", deliverSubject: "d.pp2" }),
    );
    const toPull = withConnection(server, { stream: STREAM, name: "pp2" });
    assert.ok((await core.diff(pushed.id, pushed.outs, toPull)).replaces.includes("deliverSubject"));
  });
});
