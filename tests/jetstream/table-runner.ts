// Table-driven round trips for every row of a stream-like table (streams, KV
// buckets, object stores): create with a non-default value, read the raw
// server config back, check that no false diff appears, then change the value
// and check the change is what the row's rule says (an in-place update that
// keeps the data, or a replacement the data-loss guard refuses) against the
// real server, including the server's own refusal of an in-place update.
import assert from "node:assert/strict";
import type { StreamInfo } from "@nats-io/jetstream";
import type { AssetCore, Props } from "../../sdk/jetstream/core";
import { DataLossError, JetStreamApiError } from "../../sdk/jetstream/errors";
import type { NatsServer, NatsCluster } from "../harness";
import { withConnection, publish } from "./support";

export type Target = NatsServer | NatsCluster;

/** Names one example gets: an asset name and a subject prefix, unique per test. */
export interface Ctx {
  name: string;
  subj: string;
  target: Target;
}

export interface RowChange {
  /** The next value; undefined removes the field. */
  value: unknown;
  /** What the server stores for it (raw wire value); omit when `check` says more. */
  wire?: unknown;
  rule: "update" | "replace";
  /**
   * For a replacement: the server's error code when the same change is sent as
   * an in-place update through the raw API (proof that the rule is the server's).
   */
  serverRefuses?: number;
  /** Waits until the change has settled on the server (a stream move). */
  settle?: (c: Ctx, stream: string) => Promise<void>;
  /** Why the server accepts the raw update although the row replaces (e.g. the value is ignored). */
  serverIgnores?: (info: StreamInfo) => void;
}

export interface RowExample {
  /** Other inputs the value needs (merged over the kind's base inputs; undefined removes). */
  base?: Props;
  value: unknown;
  /** What the server must store for `value` (raw wire value of the row). */
  wire?: unknown;
  /** Extra checks of the raw server info after creation. */
  check?: (info: StreamInfo) => void;
  next?: RowChange;
  /** Why the row has no change test (must be given when `next` is not). */
  noNext?: string;
  /** Runs on the 3-node cluster only (tests/jetstream/cluster.test.ts). */
  cluster?: boolean;
  /** Creates what the asset refers to (origin streams). */
  setup?: (c: Ctx, api: RawApi) => Promise<void>;
  /** Stores data in the asset; returns how many messages the stream then holds. */
  fill?: (c: Ctx, api: RawApi) => Promise<number>;
  /** The stream only accepts the value by update (sealed): create without it, fill, then update. */
  viaUpdate?: boolean;
}

export type RawApi = Awaited<ReturnType<AssetCore["session"]>>["api"];

export interface StreamLikeSuite {
  core: AssetCore;
  /** The inputs every example starts from. */
  base(c: Ctx): Props;
  /** The underlying stream's name. */
  stream(c: Ctx): string;
  /** The row's wire name. */
  wireOf(key: string): string;
  /** The table's rows. */
  rows: readonly { key: string; change: unknown }[];
  /** Default way to store data. */
  fill(c: Ctx, api: RawApi): Promise<number>;
}

let counter = 0;
export function ctxFor(prefix: string, target: Target): Ctx {
  counter++;
  return { name: `${prefix}${counter}`, subj: `${prefix.toLowerCase()}${counter}`, target };
}

/**
 * Drops what the server leaves out of its JSON (`omitempty`): empty lists,
 * maps and strings, false and undefined, recursively; and `_nats` metadata.
 */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v)
      .filter(([k]) => !k.startsWith("_nats"))
      .map(([k, x]) => [k, normalize(x)] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v === "" || v === false ? undefined : v;
}

function merge(base: Props, extra: Props | undefined): Props {
  const out: Props = { ...base, ...extra };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

export function inputsFor(
  suite: StreamLikeSuite,
  c: Ctx,
  ex: RowExample,
  key: string,
  value: unknown,
  extra: Props = {},
) {
  const config = merge(suite.base(c), ex.base);
  if (value === undefined) delete config[key];
  else config[key] = value;
  return withConnection(c.target, config, extra);
}

async function raw(suite: StreamLikeSuite, c: Ctx, inputs: Props): Promise<StreamInfo> {
  return (await suite.core.session(inputs)).api.streamInfo(suite.stream(c));
}

async function noDiff(core: AssetCore, id: string, outs: Props, inputs: Props, when: string) {
  const diff = await core.diff(id, outs, inputs);
  assert.equal(diff.changes, false, `false diff ${when}: ${JSON.stringify(diff.fields)}`);
  const read = await core.read(id, outs);
  assert.ok(read, "read found the asset");
  // A refresh records no drift either: the server holds what was declared.
  assert.deepEqual(core.config(read.props), core.config(outs), `refresh recorded drift ${when}`);
  const again = await core.diff(id, read.props, inputs);
  assert.equal(again.changes, false, `false diff after read ${when}: ${JSON.stringify(again.fields)}`);
  return read.props;
}

/** Test 1: create with the value, read the raw config back, no false diff. */
export async function roundTrip(suite: StreamLikeSuite, key: string, ex: RowExample, c: Ctx) {
  const { core } = suite;
  const inputs = inputsFor(suite, c, ex, key, ex.value);
  const s = await core.session(inputs);
  await ex.setup?.(c, s.api);
  assert.deepEqual(core.check(inputs).failures, [], "the example passes check");
  const { id, outs } = await core.create(inputs);
  const info = await raw(suite, c, inputs);
  const wire = suite.wireOf(key);
  if ("wire" in ex || !ex.check) {
    assert.deepEqual(
      normalize((info.config as unknown as Props)[wire]),
      normalize(ex.wire),
      `${key} (${wire}) as the server stores it`,
    );
  }
  ex.check?.(info);
  await noDiff(core, id, outs, inputs, "right after create");
  await core.delete(id, { ...outs, allowDataLoss: true });
}

/** Test 2: change the value; an update keeps the data, a replacement is guarded. */
export async function change(suite: StreamLikeSuite, key: string, ex: RowExample, c: Ctx) {
  const { core } = suite;
  const next = ex.next;
  assert.ok(next);
  const inputs = inputsFor(suite, c, ex, key, ex.value);
  const s = await core.session(inputs);
  await ex.setup?.(c, s.api);
  let id: string;
  let outs: Props;
  let count: number;
  if (ex.viaUpdate) {
    // Turning the flag on is itself an in-place update that keeps the data.
    const plain = inputsFor(suite, c, ex, key, undefined);
    ({ id, outs } = await core.create(plain));
    count = await (ex.fill ?? suite.fill)(c, s.api);
    const on = await core.diff(id, outs, inputs);
    assert.deepEqual(on.replaces, [], `turning ${key} on is no replacement: ${JSON.stringify(on.fields)}`);
    assert.ok(
      on.fields.some((f) => f.property === key && f.kind === "update"),
      `turning ${key} on is an update: ${JSON.stringify(on.fields)}`,
    );
    ({ outs } = await core.update(id, outs, inputs));
  } else {
    ({ id, outs } = await core.create(inputs));
    count = await (ex.fill ?? suite.fill)(c, s.api);
  }
  assert.ok(count > 0, "the asset holds data before the change");
  assert.equal((await raw(suite, c, inputs)).state.messages, count);

  const nextInputs = inputsFor(suite, c, ex, key, next.value);
  const wire = suite.wireOf(key);
  if (next.rule === "update") {
    const diff = await core.diff(id, outs, nextInputs);
    assert.deepEqual(
      diff.replaces,
      [],
      `changing ${key} is not a replacement: ${JSON.stringify(diff.fields)}`,
    );
    assert.ok(
      diff.fields.some((f) => f.property === key && f.kind === "update"),
      `diff shows ${key} as an update: ${JSON.stringify(diff.fields)}`,
    );
    const { outs: after } = await core.update(id, outs, nextInputs);
    await next.settle?.(c, suite.stream(c));
    const info = await raw(suite, c, nextInputs);
    assert.equal(info.state.messages, count, "the update kept every message");
    if ("wire" in next) {
      assert.deepEqual(
        normalize((info.config as unknown as Props)[wire]),
        normalize(next.wire),
        `${key} (${wire}) after the update`,
      );
    }
    await noDiff(core, id, after, nextInputs, "right after update");
    // Removing the field again returns it to the server's default in place
    // (unless the row's rule says otherwise, e.g. a flag that cannot go off).
    if (next.value !== undefined) {
      const without = inputsFor(suite, c, ex, key, undefined);
      assert.deepEqual(core.check(without).failures, [], `${key} can be removed alone`);
      const removal = await core.diff(id, after, { ...without, allowDataLoss: true });
      if (removal.replaces.length === 0) {
        const { outs: removed } = await core.update(id, after, without);
        const info2 = await raw(suite, c, without);
        assert.equal(info2.state.messages, count, "removing the field kept every message");
        await noDiff(core, id, removed, without, "after removing the field");
      } else {
        const row = suite.rows.find((r) => r.key === key);
        assert.notEqual(row?.change, "update", `removing ${key} replaces: ${JSON.stringify(removal.fields)}`);
      }
    }
    await core.delete(id, { ...after, allowDataLoss: true });
    return;
  }

  // A replacement: shown before anything happens, refused while data is held.
  await assert.rejects(core.diff(id, outs, nextInputs), (err: Error) => {
    assert.ok(err instanceof DataLossError, `expected DataLossError, got ${err}`);
    assert.match(err.message, new RegExp(`holds ${count} `));
    assert.match(err.message, /allowDataLoss/);
    assert.match(err.message, new RegExp(key));
    return true;
  });
  assert.equal((await raw(suite, c, inputs)).state.messages, count, "nothing happened");
  const allowed = await core.diff(id, outs, { ...nextInputs, allowDataLoss: true });
  assert.ok(allowed.replaces.includes(key), `diff replaces ${key}: ${JSON.stringify(allowed)}`);
  assert.equal(allowed.deleteBeforeReplace, true);

  // The server itself refuses (or ignores) the same change sent as an update.
  const current = (await raw(suite, c, inputs)).config as unknown as Props;
  const body: Props = { ...current, [wire]: next.wire };
  if (next.wire === undefined) delete body[wire];
  if (next.serverRefuses !== undefined) {
    await assert.rejects(s.api.streamUpdate(body), (err: Error) => {
      assert.ok(err instanceof JetStreamApiError, String(err));
      assert.equal(err.code, next.serverRefuses, err.message);
      return true;
    });
    assert.equal((await raw(suite, c, inputs)).state.messages, count, "the refused update kept the data");
  } else if (next.serverIgnores) {
    await s.api.streamUpdate(body);
    next.serverIgnores(await raw(suite, c, inputs));
  } else {
    assert.fail(`${key}: say how the server treats the raw update (serverRefuses or serverIgnores)`);
  }

  // The replacement the engine performs: delete (data loss agreed), create.
  await core.delete(id, { ...outs, allowDataLoss: true });
  const { id: id2, outs: outs2 } = await core.create(nextInputs);
  const info = await raw(suite, c, nextInputs);
  if ("wire" in next) {
    assert.deepEqual(normalize((info.config as unknown as Props)[wire]), normalize(next.wire));
  }
  await noDiff(core, id2, outs2, nextInputs, "after the replacement");
  await core.delete(id2, { ...outs2, allowDataLoss: true });
}

/** Publishes `count` messages to `subject`; returns the count. */
export async function fillSubject(target: Target, subject: string, count = 3): Promise<number> {
  await publish(target, subject, count);
  return count;
}

/** Registers the tests of every example of a table. */
export function tableTests(
  suite: () => StreamLikeSuite,
  rows: readonly { key: string; change: unknown }[],
  examples: Record<string, (c: Ctx) => RowExample>,
  opts: { cluster: boolean; prefix: string; target: () => Target; identity: string[] },
) {
  it("has an example for every row of the table (a new row cannot go untested)", () => {
    const missing = rows.map((r) => r.key).filter((k) => !opts.identity.includes(k) && !examples[k]);
    assert.deepEqual(missing, [], `rows without an example: ${missing.join(", ")}`);
    const unknown = Object.keys(examples).filter((k) => !rows.some((r) => r.key === k));
    assert.deepEqual(unknown, [], `examples for rows that do not exist: ${unknown.join(", ")}`);
  });
  for (const row of rows) {
    const make = examples[row.key];
    if (!make) continue;
    const probe = make({ name: "X", subj: "x", target: undefined as unknown as Target });
    if (Boolean(probe.cluster) !== opts.cluster) continue;
    it(`${row.key}: created with a non-default value, stored as declared, no false diff`, async () => {
      const c = ctxFor(opts.prefix, opts.target());
      await roundTrip(suite(), row.key, make(c), c);
    });
    if (probe.next) {
      const n = probe.next;
      it(`${row.key}: changing it is ${n.rule === "update" ? "an in-place update that keeps the data" : "a guarded replacement"}`, async () => {
        const c = ctxFor(opts.prefix, opts.target());
        await change(suite(), row.key, make(c), c);
      });
    } else {
      it(`${row.key}: no change test (${probe.noNext ?? "MISSING REASON"})`, () => {
        assert.ok(probe.noNext, `${row.key}: give next or noNext`);
      });
    }
  }
}
