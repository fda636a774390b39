// `npm run bench`: the provider core and the dynamic provider host against the
// raw @nats-io/jetstream client, on a local server and a local 3-node
// cluster. See bench/README.md for what is measured and how to read it.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Stream, Consumer, KeyValue } from "../sdk/jetstream/dynamic";
import { apiCalls } from "../sdk/jetstream/api";
import { closeAll, connectionsOpened } from "../sdk/jetstream/connection";
import { binaries, cleanupAll, repoRoot, sleep, startCluster, startServer } from "../tests/harness";
import type { NatsCluster, NatsServer, NatsConnection } from "../tests/harness";
import { DynamicHost } from "../tests/jetstream/host-client";
import { captureRegistrations } from "../tests/jetstream/capture";
import { MODES, OPS, coreDriver, hostDriver, rawDriver, setUp, tearDown } from "./assets";
import type { Driver, KindName, Mode, Op, Series } from "./assets";
import type { GraphResult } from "./graph";
import { fmt, inParallel, median, ownPeakMiB, procMemory, table, timed } from "./util";

// ---- the plan ----------------------------------------------------------------

/** Operations in flight at once, like the engine's default parallelism (it applies resources in parallel). */
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const QUICK = process.argv.includes("--quick");
/** How long every client waits for one API answer (see runTarget). */
const REQUEST_TIMEOUT_MS = 30_000;
const scale = (n: number) => (QUICK ? Math.max(2, Math.round(n / 10)) : n);

interface Group {
  /** Row label, e.g. "streams mem R1". */
  label: string;
  kind: KindName;
  storage: "memory" | "file";
  replicas: number;
  /** Sizes measured; the largest is the headline figure, all of them show the growth. */
  sizes: number[];
  reps: number;
}

interface TargetPlan {
  target: "server" | "cluster";
  groups: Group[];
}

function plan(): TargetPlan[] {
  const reps = QUICK ? 1 : 3;
  return [
    {
      target: "server",
      groups: [
        {
          label: "streams mem R1",
          kind: "stream",
          storage: "memory",
          replicas: 1,
          sizes: [10, 100, 1000],
          reps,
        },
        {
          label: "consumers mem R1",
          kind: "consumer",
          storage: "memory",
          replicas: 1,
          sizes: [10, 100, 1000],
          reps,
        },
        { label: "kv mem R1", kind: "kv", storage: "memory", replicas: 1, sizes: [10, 100], reps },
        { label: "streams file R1", kind: "stream", storage: "file", replicas: 1, sizes: [100], reps },
      ],
    },
    {
      target: "cluster",
      groups: [
        {
          label: "streams mem R1",
          kind: "stream",
          storage: "memory",
          replicas: 1,
          sizes: [1000],
          reps: QUICK ? 1 : 2,
        },
        {
          label: "consumers mem R1",
          kind: "consumer",
          storage: "memory",
          replicas: 1,
          sizes: [1000],
          reps: QUICK ? 1 : 2,
        },
        { label: "kv mem R1", kind: "kv", storage: "memory", replicas: 1, sizes: [100], reps: QUICK ? 1 : 2 },
        {
          label: "streams file R3",
          kind: "stream",
          storage: "file",
          replicas: 3,
          sizes: [100],
          reps: QUICK ? 1 : 3,
        },
      ],
    },
  ].map((t) => ({
    target: t.target as TargetPlan["target"],
    groups: t.groups.map((g) => ({
      ...g,
      kind: g.kind as KindName,
      storage: g.storage as Group["storage"],
      sizes: g.sizes.map(scale),
    })),
  }));
}

// ---- measurement -----------------------------------------------------------

/** One timed phase: `count` operations `op` by `mode`, IN_FLIGHT at once. */
interface Sample {
  target: string;
  label: string;
  count: number;
  mode: Mode;
  rep: number;
  op: Op;
  ms: number;
  /** JetStream API requests the server counted for the phase (all nodes). */
  serverCalls: number;
  /** API requests the in-process core counted (apiCalls.count), core mode only. */
  coreCalls?: number;
  /** CPU time used during the phase by this process (raw client or core, and the gRPC client of the host). */
  benchCpuMs: number;
  /** CPU time of the dynamic provider host process during the phase. */
  hostCpuMs: number;
  /** CPU time of the nats-server process(es) during the phase. */
  serverCpuMs: number;
}

type Target = NatsServer | NatsCluster;
const nodesOf = (t: Target): NatsServer[] => ("servers" in t ? [...t.servers] : [t]);

async function serverApiTotal(t: Target): Promise<number> {
  const all = await Promise.all(nodesOf(t).map((s) => s.jsz<{ api?: { total?: number } }>()));
  return all.reduce((sum, j) => sum + (j.api?.total ?? 0), 0);
}

async function totalConnections(t: Target): Promise<number> {
  const all = await Promise.all(nodesOf(t).map((s) => s.varz<{ total_connections?: number }>()));
  return all.reduce((sum, v) => sum + (v.total_connections ?? 0), 0);
}

/** CPU time of a process from /proc/<pid>/stat (utime + stime), in ms; 0 when unknown. */
function procCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100;

async function snapshot(t: Target, host: DynamicHost) {
  const [apiTotal, connections] = await Promise.all([serverApiTotal(t), totalConnections(t)]);
  const cpu = process.cpuUsage();
  return {
    apiTotal,
    connections,
    benchCpuMs: (cpu.user + cpu.system) / 1000,
    hostCpuMs: procCpuMs(host.pid),
    serverCpuMs: nodesOf(t).reduce((sum, s) => sum + procCpuMs(s.pid), 0),
  };
}

interface TargetResult {
  target: string;
  samples: Sample[];
  /** NATS connections opened while each mode ran (server's total_connections). */
  connectionsByMode: Record<Mode, number>;
  /** connectionsOpened() of the in-process core over this target. */
  coreConnectionsOpened: number;
  hostMemory?: { peakMiB: number; rssMiB: number };
  hostPeakBySize: { label: string; count: number; peakMiB: number }[];
  seconds: number;
}

async function registrationsFor(connection: {
  servers: string[];
  requestTimeout: string;
}): Promise<Record<KindName, Record<string, unknown>>> {
  const [stream] = await captureRegistrations(() => new Stream("s", { connection, name: "S" }));
  const [consumer] = await captureRegistrations(
    () => new Consumer("c", { connection, stream: "S", name: "C" }),
  );
  const [kv] = await captureRegistrations(() => new KeyValue("k", { connection, bucket: "B" }));
  return { stream: stream.plain, consumer: consumer.plain, kv: kv.plain };
}

/** Deletes every stream (and so its consumers) whose name belongs to one of these series. */
async function removeLeftovers(jsm: JetStreamManager, prefixes: string[]): Promise<void> {
  const mine = (name: string) =>
    prefixes.some((p) => name.startsWith(`${p}_`) || name.startsWith(`KV_${p}_`));
  try {
    for await (const name of jsm.streams.names())
      if (mine(name)) await jsm.streams.delete(name).catch(() => undefined);
  } catch (err) {
    log(`could not remove leftovers: ${(err as Error).message}`);
  }
}

async function streamCount(jsm: JetStreamManager): Promise<number> {
  let n = 0;
  for await (const name of jsm.streams.names()) if (name) n++;
  return n;
}

/**
 * Before a repetition: the previous one's streams are gone (a cluster removes
 * a replicated stream's Raft group after the delete answered), then a short
 * pause on a cluster, so that one repetition's clean-up does not slow the next.
 */
async function settle(jsm: JetStreamManager, baseline: number, cluster: boolean): Promise<void> {
  for (let i = 0; i < 50 && (await streamCount(jsm)) > baseline; i++) await sleep(200);
  if (cluster) await sleep(1_000);
}

/** Failed repetitions (reported, and kept in the JSON). */
const failures: string[] = [];

async function runTarget(tp: TargetPlan, runId: string): Promise<TargetResult> {
  const started = Date.now();
  log(`${tp.target}: starting`);
  const target: Target =
    tp.target === "server"
      ? await startServer({ maxMemoryStore: "4GB", maxFileStore: "20GB" })
      : await startCluster({ maxMemoryStore: "4GB", maxFileStore: "20GB" });
  const servers = "urls" in target ? target.urls : [target.url];
  const nc: NatsConnection = await target.connect();
  // All three wait up to REQUEST_TIMEOUT for an answer. With the defaults (5 s)
  // a 3-replica create on a loaded 2-core machine sometimes times out: the raw
  // client then fails, the core retries (and loses 5 s on that asset).
  const jsm: JetStreamManager = await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS });
  // Best case for the raw client: no extra API INFO request per KV call.
  const kvm = new Kvm(jetstream(nc, { checkAPI: false, timeout: REQUEST_TIMEOUT_MS }));
  const connection = { servers, requestTimeout: `${REQUEST_TIMEOUT_MS}ms` };
  const registered = await registrationsFor(connection);
  const host = await DynamicHost.start();
  const coreOpenedBefore = connectionsOpened();
  const connectionsByMode: Record<Mode, number> = { raw: 0, core: 0, host: 0 };
  const samples: Sample[] = [];
  const hostPeakBySize: TargetResult["hostPeakBySize"] = [];
  const baseline = await streamCount(jsm);
  let seriesNo = 0;
  try {
    for (const g of tp.groups) {
      for (const count of g.sizes) {
        for (let rep = 0; rep < g.reps; rep++) {
          // The three modes run side by side: each operation is measured for
          // raw, core and host back to back (their assets coexist), and the
          // order rotates per operation and repetition, so that drift and the
          // load of other processes fall on all three alike.
          const runs = MODES.map((mode) => {
            const series: Series = {
              kind: g.kind,
              count,
              storage: g.storage,
              replicas: g.replicas,
              prefix: `${runId}${tp.target[0]}${seriesNo}${mode[0]}${rep}`,
            };
            const driver: Driver =
              mode === "raw"
                ? rawDriver(series, jsm, kvm)
                : mode === "core"
                  ? coreDriver(series, connection)
                  : hostDriver(series, host, registered[g.kind]);
            return { mode, series, driver };
          });
          try {
            await settle(jsm, baseline, tp.target === "cluster");
            for (const r of runs) await setUp(r.series, jsm);
            for (const [k, op] of OPS.entries()) {
              for (let j = 0; j < runs.length; j++) {
                const { mode, driver } = runs[(j + k + rep + seriesNo) % runs.length];
                const before = await snapshot(target, host);
                const core0 = apiCalls.count;
                const ms = await timed(() => inParallel(count, IN_FLIGHT, driver[op]));
                const coreCalls = apiCalls.count - core0;
                const after = await snapshot(target, host);
                connectionsByMode[mode] += after.connections - before.connections;
                samples.push({
                  target: tp.target,
                  label: g.label,
                  count,
                  mode,
                  rep,
                  op,
                  ms,
                  serverCalls: after.apiTotal - before.apiTotal,
                  coreCalls: mode === "core" ? coreCalls : undefined,
                  benchCpuMs: after.benchCpuMs - before.benchCpuMs,
                  hostCpuMs: after.hostCpuMs - before.hostCpuMs,
                  serverCpuMs: after.serverCpuMs - before.serverCpuMs,
                });
              }
            }
            for (const r of runs) await tearDown(r.series, jsm);
          } catch (err) {
            // Keep the other series: record the failure, remove what this repetition left behind.
            const what = `${tp.target} ${g.label} x${count} rep ${rep}: ${(err as Error)?.message ?? err}`;
            log(`FAILED ${what}`);
            failures.push(what);
            const kept = samples.filter((x) => !(x.label === g.label && x.count === count && x.rep === rep));
            samples.splice(0, samples.length, ...kept);
            await removeLeftovers(
              jsm,
              runs.map((r) => r.series.prefix),
            );
          }
        }
        seriesNo++;
        const mem = host.pid ? procMemory(host.pid) : undefined;
        if (mem) hostPeakBySize.push({ label: g.label, count, peakMiB: mem.peakMiB });
        log(`${tp.target}: ${g.label} x${count} done (${((Date.now() - started) / 1000).toFixed(0)}s)`);
      }
    }
    const hostMemory = host.pid ? procMemory(host.pid) : undefined;
    return {
      target: tp.target,
      samples,
      connectionsByMode,
      coreConnectionsOpened: connectionsOpened() - coreOpenedBefore,
      hostMemory,
      hostPeakBySize,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await host.stop();
    await closeAll();
    await nc.close();
    await target.destroy();
  }
}

function runGraph(): Promise<GraphResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(__dirname, "graph.js")],
      { cwd: repoRoot(), timeout: 120_000 },
      (err, stdout) => {
        const line = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(line) as GraphResult);
        } catch {
          resolve({
            status: "error",
            reason: err ? err.message : `unexpected output: ${line.slice(0, 200)}`,
          });
        }
      },
    );
  });
}

// ---- reporting ---------------------------------------------------------------

interface Row {
  target: string;
  label: string;
  count: number;
  op: Op | "total";
  /** Median milliseconds for the whole phase (count operations), per mode. */
  ms: Record<Mode, number>;
  /** Per-repetition ratios, to show the noise. */
  coreRatios: number[];
  hostRatios: number[];
  coreRatio: number;
  hostRatio: number;
  /** Median server API calls per asset, per mode. */
  callsPerAsset: Record<Mode, number>;
  /** Median CPU µs per asset of the provider's process: this process for raw and core, the host for host. */
  cpuPerAsset: Record<Mode, number>;
  /** Median CPU µs per asset of this process's gRPC client while driving the host (the engine's side). */
  hostClientCpuPerAsset: number;
  /** Median CPU µs per asset of nats-server, per mode. */
  serverCpuPerAsset: Record<Mode, number>;
}

function summarize(samples: Sample[]): Row[] {
  const rows: Row[] = [];
  const keys = [...new Set(samples.map((s) => `${s.target}|${s.label}|${s.count}`))];
  for (const key of keys) {
    const mine = samples.filter((s) => `${s.target}|${s.label}|${s.count}` === key);
    const { target, label, count } = mine[0];
    const reps = [...new Set(mine.map((s) => s.rep))];
    for (const op of [...OPS, "total"] as const) {
      const pick = (mode: Mode, rep?: number) =>
        mine.filter(
          (s) => s.mode === mode && (op === "total" || s.op === op) && (rep === undefined || s.rep === rep),
        );
      const msOf = (mode: Mode, rep: number) => pick(mode, rep).reduce((a, s) => a + s.ms, 0);
      const ms = Object.fromEntries(MODES.map((m) => [m, median(reps.map((r) => msOf(m, r)))])) as Record<
        Mode,
        number
      >;
      const calls = Object.fromEntries(
        MODES.map((m) => [
          m,
          median(reps.map((r) => pick(m, r).reduce((a, s) => a + s.serverCalls, 0))) / count,
        ]),
      ) as Record<Mode, number>;
      const perAsset = (f: (x: Sample) => number) =>
        Object.fromEntries(
          MODES.map((m) => [
            m,
            (median(reps.map((r) => pick(m, r).reduce((a, x) => a + f(x), 0))) * 1000) / count,
          ]),
        ) as Record<Mode, number>;
      const ownCpu = perAsset((x) => x.benchCpuMs);
      const cpuPerAsset = { ...ownCpu, host: perAsset((x) => x.hostCpuMs).host };
      const coreRatios = reps.map((r) => msOf("core", r) / msOf("raw", r));
      const hostRatios = reps.map((r) => msOf("host", r) / msOf("raw", r));
      rows.push({
        target,
        label,
        count,
        op,
        ms,
        coreRatios,
        hostRatios,
        coreRatio: ms.core / ms.raw,
        hostRatio: ms.host / ms.raw,
        callsPerAsset: calls,
        cpuPerAsset,
        hostClientCpuPerAsset: ownCpu.host,
        serverCpuPerAsset: perAsset((x) => x.serverCpuMs),
      });
    }
  }
  return rows;
}

const range = (values: number[]) =>
  values.length > 1 ? `${fmt(Math.min(...values), 2)}-${fmt(Math.max(...values), 2)}` : "-";

function mainTable(rows: Row[]): string {
  const header = [
    "target",
    "series",
    "n",
    "op",
    "raw ms",
    "core ms",
    "host ms",
    "core/raw",
    "(reps)",
    "host/raw",
    "(reps)",
    "calls/asset raw core host",
    "cpu µs/asset raw core host",
  ];
  const body = rows.map((r) => [
    r.target,
    r.label,
    String(r.count),
    r.op,
    fmt(r.ms.raw),
    fmt(r.ms.core),
    fmt(r.ms.host),
    fmt(r.coreRatio, 2),
    range(r.coreRatios),
    fmt(r.hostRatio, 2),
    range(r.hostRatios),
    MODES.map((m) => fmt(r.callsPerAsset[m], 2).padStart(4)).join(" "),
    MODES.map((m) => fmt(r.cpuPerAsset[m], 0).padStart(5)).join(" "),
  ]);
  return table([header, ...body]);
}

/**
 * Growth: per-asset wall time of the whole lifecycle at each size, its ratio
 * to the previous size (1.00 = linear), and where the time goes: CPU per
 * asset of the provider's process and of nats-server.
 */
function growthTable(rows: Row[]): string {
  const out: string[][] = [
    [
      "target",
      "series",
      "n",
      "wall µs/asset raw core host",
      "growth raw core host",
      "provider cpu µs/asset",
      "growth",
      "server cpu µs/asset",
      "growth",
    ],
  ];
  const three = (f: (m: Mode) => number, digits = 0, width = 5) =>
    MODES.map((m) => fmt(f(m), digits).padStart(width)).join(" ");
  for (const list of seriesBySize(rows)) {
    if (list.length < 2) continue;
    list.forEach((r, i) => {
      const prev = list[i - 1];
      const wall = (m: Mode, x: Row) => (x.ms[m] * 1000) / x.count;
      out.push([
        r.target,
        r.label,
        String(r.count),
        three((m) => wall(m, r)),
        prev ? three((m) => wall(m, r) / wall(m, prev), 2, 4) : "-",
        three((m) => r.cpuPerAsset[m]),
        prev ? three((m) => r.cpuPerAsset[m] / prev.cpuPerAsset[m], 2, 4) : "-",
        three((m) => r.serverCpuPerAsset[m]),
        prev ? three((m) => r.serverCpuPerAsset[m] / prev.serverCpuPerAsset[m], 2, 4) : "-",
      ]);
    });
  }
  return table(out);
}

/** The lifecycle totals of each series, grouped by target and label, smallest size first. */
function seriesBySize(rows: Row[]): Row[][] {
  const byLabel = new Map<string, Row[]>();
  for (const r of rows.filter((x) => x.op === "total")) {
    const key = `${r.target}|${r.label}`;
    byLabel.set(key, [...(byLabel.get(key) ?? []), r]);
  }
  return [...byLabel.values()].map((list) => list.sort((a, b) => a.count - b.count));
}

/** The targets of issue 8, checked against this run's figures. */
function targetLines(rows: Row[], targets: TargetResult[]): string[] {
  const largest = seriesBySize(rows).map((list) => list[list.length - 1]);
  const opsOf = (r: Row) =>
    rows.filter((x) => x.target === r.target && x.label === r.label && x.count === r.count);
  const verdict = (ok: boolean) => (ok ? "met   " : "MISSED");
  const lines: string[] = [];
  for (const [mode, limit] of [
    ["core", 1.15],
    ["host", 2],
  ] as const) {
    const ratio = (r: Row) => (mode === "core" ? r.coreRatio : r.hostRatio);
    const totals = largest.map((r) => `${r.target} ${r.label} x${r.count} ${fmt(ratio(r), 2)}`);
    const over = largest
      .flatMap((r) => opsOf(r).filter((x) => x.op !== "total" && ratio(x) > limit))
      .map((x) => `${x.target} ${x.label} ${x.op} ${fmt(ratio(x), 2)}`);
    lines.push(
      `${verdict(largest.every((r) => ratio(r) <= limit))} ${mode} <= ${limit}x raw (lifecycle total, largest n): ${totals.join("; ")}`,
    );
    const all = largest.flatMap((r) => opsOf(r).filter((x) => x.op !== "total"));
    const worst = [...over]
      .sort((a, b) => Number(b.split(" ").pop()) - Number(a.split(" ").pop()))
      .slice(0, 6);
    if (over.length)
      lines.push(
        `         ${over.length} of ${all.length} operations over ${limit}x; the worst: ${worst.join("; ")}`,
      );
  }
  const conns = targets.map(
    (t) =>
      `${t.target}: core ${t.coreConnectionsOpened}, host ${t.connectionsByMode.host}, raw ${t.connectionsByMode.raw}`,
  );
  const oneEach = targets.every((t) => t.coreConnectionsOpened === 1 && t.connectionsByMode.host === 1);
  lines.push(`${verdict(oneEach)} one NATS connection per process and target: ${conns.join("; ")}`);
  const diffCalls = Math.max(
    ...rows.filter((r) => r.op === "diff").flatMap((r) => [r.callsPerAsset.core, r.callsPerAsset.host]),
  );
  const readCalls = Math.max(
    ...rows.filter((r) => r.op === "read").flatMap((r) => [r.callsPerAsset.core, r.callsPerAsset.host]),
  );
  // Server-counted: a retried transient error (10008 during a leader election) counts too.
  lines.push(
    `${verdict(diffCalls === 0 && readCalls <= 1.05)} unchanged preview: diff ${fmt(diffCalls, 2)} server calls per asset, ` +
      `refresh (read) at most ${fmt(readCalls, 2)} (retries of transient errors included)`,
  );
  const growth = seriesBySize(rows)
    .filter((list) => list.length > 1)
    .map((list) => {
      const [a, b] = list.slice(-2);
      const g = (m: Mode) => b.cpuPerAsset[m] / a.cpuPerAsset[m];
      const w = (m: Mode) => b.ms[m] / b.count / (a.ms[m] / a.count);
      return {
        label: `${b.target} ${b.label} ${a.count}->${b.count}`,
        cpu: Math.max(g("core"), g("host")),
        wall: [w("raw"), w("core"), w("host")],
      };
    });
  lines.push(
    `${verdict(growth.every((g) => g.cpu <= 1.25))} provider cost linear in the number of assets (provider CPU per asset, ` +
      `growth <= 1.25): ${growth.map((g) => `${g.label} cpu x${fmt(g.cpu, 2)} (wall raw/core/host x${g.wall.map((v) => fmt(v, 2)).join("/")})`).join("; ")}`,
  );
  return lines;
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function natsServerVersion(): Promise<string> {
  return new Promise((resolve) =>
    execFile(binaries().server, ["--version"], (err, stdout) => resolve(err ? "?" : stdout.trim())),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const runId = `B${Date.now().toString(36).slice(-4).toUpperCase()}`;
  const targets: TargetResult[] = [];
  for (const tp of plan()) targets.push(await runTarget(tp, runId));
  log("graph: NatsCluster under mocks");
  const graph = await runGraph();
  const samples = targets.flatMap((t) => t.samples);
  const rows = summarize(samples);
  const totalSeconds = (Date.now() - started) / 1000;

  const previousFile = path.join(repoRoot(), "bench/results/latest.json");
  const previous = fs.existsSync(previousFile)
    ? (JSON.parse(fs.readFileSync(previousFile, "utf8")) as { rows: Row[]; startedAt: string })
    : undefined;

  const lines: string[] = [];
  const say = (s = "") => lines.push(s);
  say(
    `pulumi-nats benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), node ${process.version}, ` +
      `${await natsServerVersion()}, ${IN_FLIGHT} operations in flight${QUICK ? ", QUICK (reduced)" : ""}`,
  );
  say(
    "Times: median over repetitions of the whole phase (n operations); ratios: median of core (or host) / raw.",
  );
  say();
  say(mainTable(rows));
  say();
  say(
    "Growth: per-asset cost of the whole lifecycle; growth = per-asset cost / the previous size's (1.00 = linear).",
  );
  say("(The three modes' assets coexist: at n the server holds 3n assets of the series.)");
  say(growthTable(rows));
  say();
  say("Connections opened (server's total_connections, while each mode ran):");
  for (const t of targets) {
    say(
      `  ${t.target}: raw ${t.connectionsByMode.raw}, core in-process ${t.connectionsByMode.core} ` +
        `(connectionsOpened() ${t.coreConnectionsOpened}), host process ${t.connectionsByMode.host}`,
    );
  }
  say("Peak memory:");
  for (const t of targets) {
    say(
      `  ${t.target}: host process VmHWM ${fmt(t.hostMemory?.peakMiB)} MiB (RSS at end ${fmt(t.hostMemory?.rssMiB)} MiB); ` +
        `by series: ${t.hostPeakBySize.map((h) => `${h.label} x${h.count} ${fmt(h.peakMiB, 0)}`).join(", ")}`,
    );
  }
  say(`  bench process (raw client + core in-process + harness), maxRSS ${fmt(ownPeakMiB())} MiB`);
  if (graph.status === "ok") {
    say(
      `NatsCluster graph (AWS, 3 zones, mocks): ${graph.resources} resources; first build ${fmt(graph.firstBuildMs)} ms, ` +
        `then ${fmt(graph.warmBuildMs)} ms (median of ${(graph.builds ?? 1) - 1}; constructor ${fmt(graph.constructorMs)} ms); ` +
        `loading the modules ${fmt(graph.importMs)} ms`,
    );
  } else {
    say(`NatsCluster graph: TODO (${graph.status}): ${graph.reason}`);
  }
  say();
  say("Targets:");
  for (const line of targetLines(rows, targets)) say(`  ${line}`);
  if (previous) {
    say();
    say(`Compared with the previous run (${previous.startedAt}), lifecycle totals, now / before:`);
    const prev = new Map(previous.rows.map((r) => [`${r.target}|${r.label}|${r.count}|${r.op}`, r]));
    const cmp: string[][] = [["target", "series", "n", "raw", "core", "host"]];
    for (const r of rows.filter((x) => x.op === "total")) {
      const p = prev.get(`${r.target}|${r.label}|${r.count}|${r.op}`);
      if (p) cmp.push([r.target, r.label, String(r.count), ...MODES.map((m) => fmt(r.ms[m] / p.ms[m], 2))]);
    }
    say(table(cmp));
  }
  if (failures.length) {
    say();
    say(`FAILED repetitions (left out of the medians):`);
    for (const f of failures) say(`  ${f}`);
  }
  say();
  say(`Total run time ${fmt(totalSeconds, 0)} s.`);
  const report = lines.join("\n");
  process.stdout.write(report + "\n");

  const result = {
    startedAt: new Date(started).toISOString(),
    totalSeconds,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      natsServer: await natsServerVersion(),
    },
    inFlight: IN_FLIGHT,
    quick: QUICK,
    plan: plan(),
    rows,
    connections: targets.map((t) => ({
      target: t.target,
      byMode: t.connectionsByMode,
      coreConnectionsOpened: t.coreConnectionsOpened,
    })),
    memory: {
      host: targets.map((t) => ({ target: t.target, ...t.hostMemory, bySeries: t.hostPeakBySize })),
      benchProcessPeakMiB: ownPeakMiB(),
    },
    graph,
    failures,
    samples,
    report,
  };
  const dir = path.join(repoRoot(), "bench/results");
  fs.mkdirSync(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, "-");
  const json = JSON.stringify(result, null, 2);
  fs.writeFileSync(path.join(dir, `${stamp}${QUICK ? "-quick" : ""}.json`), json);
  // A quick run is not a baseline for the next full run.
  if (!QUICK) fs.writeFileSync(previousFile, json);
  log(
    `results written to bench/results/${stamp}${QUICK ? "-quick" : ""}.json${QUICK ? "" : " and latest.json"}`,
  );
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
