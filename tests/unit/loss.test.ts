// The pure rules of loss.ts and consumer-position.ts, including servers the
// test battery does not run (the real-server tests are tests/jetstream/loss.test.ts).
import assert from "node:assert/strict";
import { overBytes, refusal, subjectCovers, tightenedLimits } from "../../sdk/jetstream/loss";
import { positionBlocker } from "../../sdk/jetstream/consumer-position";
import { streamFields } from "../../sdk/jetstream/tables/stream";
import { keyValueFields } from "../../sdk/jetstream/tables/bucket";
import { parseVersion } from "../../sdk/jetstream/version";

const keys = (rows: { key: string }[]) => rows.map((r) => r.key);

describe("data-loss rules", () => {
  it("tightened limits: lowered or newly set; raised, removed and discard-new counts are not", () => {
    const before = {
      max_msgs: 100,
      max_bytes: -1,
      max_age: 3600e9,
      max_msgs_per_subject: -1,
      discard: "old",
    };
    assert.deepEqual(
      keys(tightenedLimits(streamFields, before, { ...before, max_msgs: 10, max_bytes: 1000 })),
      ["maxMsgs", "maxBytes"],
    );
    assert.deepEqual(
      keys(tightenedLimits(streamFields, before, { ...before, max_msgs: 200, max_age: 0 })),
      [],
    );
    assert.deepEqual(keys(tightenedLimits(streamFields, before, { ...before, max_age: 60e9 })), ["maxAge"]);
    const discardNew = { ...before, discard: "new" };
    assert.deepEqual(
      keys(
        tightenedLimits(streamFields, discardNew, { ...discardNew, max_msgs: 1, max_msgs_per_subject: 1 }),
      ),
      ["maxMsgsPerSubject"],
    );
    const kv = { max_msgs_per_subject: 5, max_age: 0, max_bytes: -1, discard: "new" };
    assert.deepEqual(
      keys(tightenedLimits(keyValueFields, kv, { ...kv, max_msgs_per_subject: 1, max_bytes: 10 })),
      ["history"],
    );
  });

  it("bytes over a limit: estimated from the average size, exact when everything goes", () => {
    assert.deepEqual(overBytes(10, 460, 150), { count: 7, precision: "about" });
    assert.deepEqual(overBytes(10, 460, 460), { count: 0, precision: "exact" });
    assert.deepEqual(overBytes(4, 400, 1), { count: 4, precision: "exact" });
  });

  it("subject coverage for interest: a filter covers another only when it matches all it matches", () => {
    assert.ok(subjectCovers(">", "a.b"));
    assert.ok(subjectCovers("a.>", "a.b.c"));
    assert.ok(subjectCovers("a.*", "a.b"));
    assert.ok(subjectCovers("a.*", "a.*"));
    assert.ok(!subjectCovers("a.b", "a.*"));
    assert.ok(!subjectCovers("a.*", "a.>"));
    assert.ok(!subjectCovers("a.>", "a"));
    assert.ok(!subjectCovers("a.b", "a.c"));
  });

  it("a consumer's position is kept unless its start changes, its policy cannot move, or the server is before 2.14", () => {
    const v = parseVersion("2.14.2");
    assert.equal(
      positionBlocker({ deliver_policy: "all" }, { deliver_policy: "all", ack_policy: "all" }, v),
      undefined,
    );
    assert.match(
      positionBlocker({ deliver_policy: "all" }, { deliver_policy: "new" }, v) ?? "",
      /deliverPolicy changed/,
    );
    assert.match(
      positionBlocker(
        { deliver_policy: "by_start_sequence", opt_start_seq: 1 },
        { deliver_policy: "by_start_sequence", opt_start_seq: 5 },
        v,
      ) ?? "",
      /optStartSeq changed/,
    );
    assert.match(
      positionBlocker({ deliver_policy: "last" }, { deliver_policy: "last" }, v) ?? "",
      /cannot move/,
    );
    assert.match(
      positionBlocker({ deliver_policy: "all" }, { deliver_policy: "all" }, parseVersion("2.12.0")) ?? "",
      /needs nats-server 2\.14\.0 or later \(this server is 2\.12\.0\)/,
    );
  });

  it("one refusal names the resource, each field with its count, and the ways out", () => {
    const text = refusal("Stream S", [
      {
        property: "maxMsgs",
        count: 6,
        precision: "exact",
        what: "maxMsgs unlimited -> 4 removes 6 of its 10 messages",
        keep: "or give maxMsgs 10 or more",
      },
      {
        property: "maxAge",
        count: 2,
        precision: "exact",
        what: "maxAge 1h -> 1m removes 2 of its 10 messages",
        keep: "or give maxAge more than 5m",
      },
    ]);
    assert.equal(
      text,
      "Stream S: maxMsgs unlimited -> 4 removes 6 of its 10 messages; maxAge 1h -> 1m removes 2 of its 10 messages. " +
        "To avoid it: keep maxMsgs, maxAge as they are, or give maxMsgs 10 or more; or give maxAge more than 5m; " +
        "or set allowDataLoss: true on this resource to accept the loss (the preview then shows it as plannedDataLoss).",
    );
  });
});
