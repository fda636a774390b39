// Bad inputs are refused by `check`, before any server call, with failures
// that name the field; every problem is reported at once.
import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { cores, closeSessions, withConnection } from "./support";
import type { AssetCore, Props } from "../../sdk/jetstream/core";
import { apiCalls } from "../../sdk/jetstream/api";
import { connectionsOpened } from "../../sdk/jetstream/connection";
import { JetStreamApiError, ErrorCode } from "../../sdk/jetstream/errors";

/** A connection nobody listens on: check must never use it. */
const NOWHERE = { connection: { servers: ["nats://127.0.0.1:1"] } };

function failures(core: AssetCore, config: Props) {
  const calls = apiCalls.count;
  const opened = connectionsOpened();
  const result = core.check({ ...config, ...NOWHERE }).failures;
  assert.equal(apiCalls.count, calls, "check made no API call");
  assert.equal(connectionsOpened(), opened, "check opened no connection");
  return result;
}

/** Asserts that `config` fails check on `property` (exactly, or by prefix), with a reason matching `reason`. */
function refuses(core: AssetCore, config: Props, property: string, reason?: RegExp) {
  const found = failures(core, config);
  const hit = found.find((f) => f.property === property || f.property.startsWith(`${property}[`));
  assert.ok(
    hit,
    `expected a failure on ${property} for ${JSON.stringify(config)}, got ${JSON.stringify(found)}`,
  );
  if (reason) assert.match(hit.reason, reason, `${property}: ${hit.reason}`);
}

describe("check: bad inputs are refused locally, naming the field", () => {
  const stream = cores.stream;
  const consumer = cores.consumer;
  const kv = cores.keyValue;
  const obj = cores.objectStore;

  describe("names", () => {
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["a.b", /must not contain/],
      ["a*", /must not contain/],
      ["a>", /must not contain/],
      ["a b", /must not contain/],
      ["a\tb", /must not contain/],
      ["a/b", /must not contain/],
      ["a\\b", /must not contain/],
      ["x".repeat(256), /longer than 255/],
      ["é".repeat(128), /longer than 255/],
    ];
    for (const [name, reason] of bad) {
      it(`stream and consumer name ${JSON.stringify(name.length > 20 ? name.slice(0, 8) + "…" : name)}`, () => {
        refuses(stream, { name, subjects: ["ok.>"] }, "name", reason);
        refuses(consumer, { stream: "S", name }, "name", reason);
        refuses(consumer, { stream: name, name: "c" }, "stream", reason);
      });
    }
    it("a 255-byte name is fine", () => {
      assert.deepEqual(failures(stream, { name: "x".repeat(255), subjects: ["ok.>"] }), []);
    });
    for (const bucket of ["", "a.b", "a b", "a*", "a>", "a/b", "ü", "a:b"]) {
      it(`bucket name ${JSON.stringify(bucket)}`, () => {
        refuses(kv, { bucket }, "bucket", /must match/);
        refuses(obj, { bucket }, "bucket", /must match/);
      });
    }
    it("missing names", () => {
      refuses(stream, {}, "name", /required/);
      refuses(consumer, { stream: "S" }, "name", /required/);
      refuses(consumer, { name: "c" }, "stream", /required/);
      refuses(kv, {}, "bucket", /required/);
    });
  });

  describe("subjects", () => {
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["a..b", /empty token/],
      [".a", /empty token/],
      ["a.", /empty token/],
      ["a.>.b", /only as the last token/],
      [">.a", /only as the last token/],
      ["a.b*", /whole token/],
      ["a.*b", /whole token/],
      ["a.b>", /whole token/],
      ["a b", /whitespace/],
    ];
    for (const [subject, reason] of bad) {
      it(`subject ${JSON.stringify(subject)}`, () => {
        refuses(stream, { name: "S", subjects: ["ok.>", subject] }, "subjects[1]", reason);
        refuses(consumer, { stream: "S", name: "c", filterSubjects: [subject] }, "filterSubjects[0]", reason);
      });
    }
    it("overlapping subjects of one stream", () => {
      refuses(stream, { name: "S", subjects: ["a.>", "a.b"] }, "subjects[1]", /overlaps/);
      refuses(stream, { name: "S", subjects: ["a.*.c", "a.b.*"] }, "subjects[1]", /overlaps/);
    });
    it("a deliver subject has no wildcards", () => {
      refuses(consumer, { stream: "S", name: "c", deliverSubject: "d.*" }, "deliverSubject", /wildcards/);
    });
    it("bad subjects inside nested objects", () => {
      refuses(stream, { name: "S", republish: { src: ">", dest: "a..b" } }, "republish.dest", /empty token/);
      refuses(stream, { name: "S", subjectTransform: { src: "a.>" } }, "subjectTransform.dest", /required/);
      refuses(
        stream,
        { name: "S", sources: [{ name: "O", filterSubject: "a.>.b" }] },
        "sources[0].filterSubject",
      );
      refuses(stream, { name: "S", sources: [{ name: "a.b" }] }, "sources[0].name");
    });
  });

  describe("durations and sizes", () => {
    const durations: unknown[] = [
      "7 days",
      "-1s",
      "1x",
      "1.5",
      "s",
      "1h 30m",
      -5,
      Infinity,
      "1.0000000001s",
      true,
    ];
    for (const value of durations) {
      it(`duration ${JSON.stringify(value)}`, () => {
        refuses(stream, { name: "S", maxAge: value }, "maxAge");
        refuses(consumer, { stream: "S", name: "c", ackWait: value }, "ackWait");
        refuses(kv, { bucket: "B", ttl: value }, "ttl");
      });
    }
    const sizes: unknown[] = ["10XB", 1.5, "-2", "1.5B", "ten", -2, "1,000", "1e3"];
    for (const value of sizes) {
      it(`size ${JSON.stringify(value)}`, () => {
        refuses(stream, { name: "S", maxBytes: value }, "maxBytes");
        refuses(kv, { bucket: "B", maxValueSize: value }, "maxValueSize");
      });
    }
    it("max age and windows the server would refuse", () => {
      refuses(stream, { name: "S", maxAge: "50ms" }, "maxAge", /100ms/);
      refuses(stream, { name: "S", duplicateWindow: "50ms" }, "duplicateWindow", /100ms/);
      refuses(stream, { name: "S", maxAge: "1m", duplicateWindow: "2m" }, "duplicateWindow", /maxAge/);
      refuses(stream, { name: "S", maxMsgSize: "3GiB" }, "maxMsgSize");
      refuses(kv, { bucket: "B", ttl: "10ms" }, "ttl", /100ms/);
    });
    it("wrong types and out-of-range numbers", () => {
      refuses(stream, { name: "S", maxMsgs: "many" }, "maxMsgs", /whole number/);
      refuses(stream, { name: "S", maxMsgs: -2 }, "maxMsgs", /out of range/);
      refuses(stream, { name: "S", replicas: 6 }, "replicas", /out of range/);
      refuses(stream, { name: "S", replicas: 0 }, "replicas", /out of range/);
      refuses(stream, { name: "S", storage: "disk" }, "storage", /not one of/);
      refuses(stream, { name: "S", noAck: "yes" }, "noAck", /true or false/);
      refuses(stream, { name: "S", subjects: "a.>" }, "subjects", /list of strings/);
      refuses(stream, { name: "S", metadata: { a: 1 } }, "metadata");
      refuses(
        consumer,
        { stream: "S", name: "c", optStartTime: "yesterday", deliverPolicy: "by_start_time" },
        "optStartTime",
        /RFC 3339/,
      );
      for (const t of [
        "2026-01-01",
        "2026-01-01 00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-01-01T00:00:00.1234567891Z",
        "2026-01-01T00:00:00",
      ]) {
        refuses(consumer, { stream: "S", name: "c", pauseUntil: t }, "pauseUntil", /RFC 3339/);
      }
    });
  });

  describe("unknown fields", () => {
    it("are refused with a did-you-mean", () => {
      refuses(stream, { name: "S", maxAgee: "1h" }, "maxAgee", /did you mean "maxAge"/);
      refuses(stream, { name: "S", subject: ["a"] }, "subject", /did you mean "subjects"/);
      refuses(stream, { name: "S", max_age: "1h" }, "max_age", /did you mean "maxAge"/);
      refuses(consumer, { stream: "S", name: "c", ackwait: "1s" }, "ackwait", /did you mean "ackWait"/);
      refuses(kv, { bucket: "B", histroy: 5 }, "histroy", /did you mean "history"/);
    });
    it("inside nested objects too", () => {
      refuses(stream, { name: "S", placement: { tag: ["a"] } }, "placement");
      refuses(stream, { name: "S", sources: [{ name: "O", filter: "a" }] }, "sources");
    });
  });

  describe("conflicting options", () => {
    it("streams", () => {
      refuses(stream, { name: "S", subjects: ["a"], mirror: { name: "O" } }, "subjects", /mirror/);
      refuses(stream, { name: "S", mirror: { name: "O" }, sources: [{ name: "P" }] }, "sources", /mirror/);
      refuses(
        stream,
        { name: "S", discardNewPerSubject: true, maxMsgsPerSubject: 5 },
        "discardNewPerSubject",
        /discard: "new"/,
      );
      refuses(
        stream,
        { name: "S", discardNewPerSubject: true, discard: "new" },
        "discardNewPerSubject",
        /maxMsgsPerSubject/,
      );
      refuses(stream, { name: "S", denyPurge: true, allowRollup: true }, "allowRollup", /denyPurge/);
      refuses(stream, { name: "S", subjectDeleteMarkerTtl: "1m" }, "subjectDeleteMarkerTtl", /allowMsgTtl/);
      refuses(stream, { name: "S", allowMsgCounter: true, discard: "new" }, "allowMsgCounter");
      refuses(stream, { name: "S", persistMode: "async", storage: "memory" }, "persistMode", /file/);
      refuses(stream, { name: "S", placement: {} }, "placement");
      refuses(stream, { name: "S", metadata: { "_nats.ver": "x" } }, "metadata._nats.ver", /server/);
      refuses(stream, { name: "S", sealed: true, allowRollup: true }, "allowRollup", /sealed/);
      refuses(stream, { name: "S", sealed: true, maxAge: "1h" }, "maxAge", /sealed/);
    });
    it("consumers", () => {
      const c = { stream: "S", name: "c" };
      for (const [key, value] of [
        ["deliverGroup", "g"],
        ["flowControl", true],
        ["idleHeartbeat", "5s"],
        ["rateLimitBps", 1000],
      ] as const) {
        refuses(consumer, { ...c, [key]: value }, key, /push consumers only/);
      }
      for (const [key, value] of [
        ["maxWaiting", 10],
        ["maxBatch", 10],
        ["maxExpires", "1s"],
        ["maxBytes", "1MiB"],
      ] as const) {
        refuses(consumer, { ...c, deliverSubject: "d", [key]: value }, key, /pull consumers only/);
      }
      refuses(consumer, { ...c, optStartSeq: 5 }, "optStartSeq", /by_start_sequence/);
      refuses(consumer, { ...c, deliverPolicy: "by_start_sequence" }, "optStartSeq", /required/);
      refuses(consumer, { ...c, optStartTime: "2026-01-01T00:00:00Z" }, "optStartTime", /by_start_time/);
      refuses(consumer, { ...c, deliverPolicy: "by_start_time" }, "optStartTime", /required/);
      refuses(consumer, { ...c, backoff: ["1s", "2s", "3s"], maxDeliver: 2 }, "backoff", /maxDeliver is 2/);
      refuses(consumer, { ...c, backoff: ["1s"], ackWait: "5s" }, "ackWait", /first backoff/);
      refuses(consumer, { ...c, backoff: ["1s"], ackPolicy: "none" }, "backoff");
      refuses(
        consumer,
        { ...c, deliverSubject: "d", idleHeartbeat: undefined, flowControl: true },
        "flowControl",
        /idleHeartbeat/,
      );
      refuses(consumer, { ...c, maxDeliver: 0 }, "maxDeliver");
      refuses(consumer, { ...c, sampleFrequency: "150%" }, "sampleFrequency");
      refuses(consumer, { ...c, priorityGroups: ["g"] }, "priorityPolicy");
      refuses(consumer, { ...c, ackPolicy: "none", maxAckPending: 5 }, "maxAckPending");
    });
    it("a stream that mirrors or sources itself (the server's 10052 'detected cycle')", () => {
      refuses(stream, { name: "S", mirror: { name: "S" } }, "mirror.name", /itself/);
      refuses(
        stream,
        { name: "S", subjects: ["s.>"], sources: [{ name: "S" }] },
        "sources[0].name",
        /itself/,
      );
      refuses(
        stream,
        { name: "S", subjects: ["s.>"], sources: [{ name: "O" }, { name: "S", filterSubject: "s.a" }] },
        "sources[1].name",
        /itself/,
      );
      // Another domain's stream of the same name is another stream.
      assert.deepEqual(failures(stream, { name: "S", mirror: { name: "S", domain: "hub" } }), []);
      assert.deepEqual(
        failures(stream, { name: "S", mirror: { name: "S", external: { api: "$JS.hub.API" } } }),
        [],
      );
    });
    it("a republish destination inside the stream's own subjects (a cycle)", () => {
      refuses(
        stream,
        { name: "S", subjects: ["orders.>"], republish: { src: ">", dest: "orders.copy.>" } },
        "republish.dest",
        /orders\.>.*cycle|cycle.*orders\.>/,
      );
      // Without subjects the stream stores its name.
      refuses(stream, { name: "S", republish: { src: ">", dest: "S" } }, "republish.dest", /cycle/);
      assert.deepEqual(
        failures(stream, { name: "S", subjects: ["orders.>"], republish: { src: ">", dest: "copy.>" } }),
        [],
      );
    });
    it("overlapping consumer filterSubjects (the server's 10138)", () => {
      const c = { stream: "S", name: "c" };
      refuses(consumer, { ...c, filterSubjects: ["a.>", "a.b"] }, "filterSubjects[1]", /overlaps "a\.>"/);
      refuses(consumer, { ...c, filterSubjects: ["a.*.c", "a.b.*"] }, "filterSubjects[1]", /overlaps/);
      refuses(consumer, { ...c, filterSubjects: ["x", "x"] }, "filterSubjects[1]", /overlaps/);
      assert.deepEqual(failures(consumer, { ...c, filterSubjects: ["a.>", "b.>"] }), []);
    });
    it("an empty placement tag (a cluster refuses it with 10005)", () => {
      refuses(stream, { name: "S", placement: { tags: [""] } }, "placement.tags[0]", /empty/);
      refuses(stream, { name: "S", placement: { tags: ["az:a", " "] } }, "placement.tags[1]", /empty/);
      refuses(kv, { bucket: "B", placement: { tags: [""] } }, "placement.tags[0]", /empty/);
    });
    it("a negative duration says negative, naming the field", () => {
      refuses(stream, { name: "S", maxAge: "-1s" }, "maxAge", /negative/);
      refuses(stream, { name: "S", maxAge: -5 }, "maxAge", /negative/);
      refuses(consumer, { stream: "S", name: "c", ackWait: "-30s" }, "ackWait", /negative/);
    });
    it("KV history 0 and 65 (the 64 limit lives in clients; the server would store them)", () => {
      refuses(kv, { bucket: "B", history: 0 }, "history", /out of range/);
      refuses(kv, { bucket: "B", history: 65 }, "history", /out of range/);
      assert.deepEqual(failures(kv, { bucket: "B", history: 64 }), []);
      refuses(kv, { bucket: "B", limitMarkerTtl: "500ms" }, "limitMarkerTtl", /1s/);
    });
    it("control inputs", () => {
      refuses(stream, { name: "S", allowDataLoss: "yes" }, "allowDataLoss");
      refuses(stream, { name: "S", adopt: 1 }, "adopt");
      const noConn = stream.check({ name: "S" }).failures;
      assert.ok(
        noConn.some((f) => f.property === "connection.servers"),
        JSON.stringify(noConn),
      );
    });
  });

  it("reports every problem at once", () => {
    const found = failures(stream, {
      name: "bad.name",
      subjects: ["a..b", "ok.>"],
      maxAge: "7 days",
      maxBytes: "10XB",
      maxAgee: 1,
      storage: "disk",
    });
    const props = found.map((f) => f.property).sort();
    for (const p of ["name", "subjects[0]", "maxAge", "maxBytes", "maxAgee", "storage"])
      assert.ok(props.includes(p), `${p} in ${props}`);
    const more = failures(stream, {
      name: "bad.name",
      subjects: ["a..b", "x.>.y"],
      discardNewPerSubject: true,
    });
    const names = more.map((f) => f.property);
    for (const p of ["name", "subjects[0]", "subjects[1]", "discardNewPerSubject"])
      assert.ok(names.includes(p), `${p} in ${names}`);
    const consumerProblems = failures(consumer, {
      stream: "S",
      name: "a b",
      deliverGroup: "g",
      optStartSeq: 3,
      backoff: ["1s", "2s"],
      maxDeliver: 1,
    }).map((f) => f.property);
    for (const p of ["name", "deliverGroup", "optStartSeq", "backoff"])
      assert.ok(consumerProblems.includes(p), `${p} in ${consumerProblems}`);
  });

  describe("replicas beyond what the server offers", () => {
    let server: NatsServer;
    before(async () => {
      server = await startServer();
    });
    after(async () => {
      await closeSessions();
      await server.stop();
    });
    it("replicas 3 on a single server is refused at create, naming replicas, and nothing is created", async () => {
      const inputs = withConnection(server, {
        name: "R3",
        subjects: ["r3.>"],
        replicas: 3,
        storage: "memory",
      });
      assert.deepEqual(stream.check(inputs).failures, []);
      await assert.rejects(stream.create(inputs), /replicas/);
      const s = await stream.session(inputs);
      await assert.rejects(
        s.api.streamInfo("R3"),
        (err: JetStreamApiError) => err.code === ErrorCode.StreamNotFound,
      );
      const bucket = withConnection(server, { bucket: "R3B", replicas: 3, storage: "memory" });
      await assert.rejects(kv.create(bucket), /replicas/);
      await assert.rejects(
        s.api.streamInfo("KV_R3B"),
        (err: JetStreamApiError) => err.code === ErrorCode.StreamNotFound,
      );
    });
  });
});
