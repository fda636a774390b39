// `npm run bench:up`: `pulumi up` plus `pulumi destroy` of N file streams of 3
// replicas on a local 3-node cluster, side by side in one run, through
//   - a TypeScript program and the package's dynamic provider (ts-dynamic),
//   - a YAML program and the plugin provider (yaml-plugin, the reference),
//   - a TypeScript program of N dynamic resources that do nothing (noop, the floor),
//   - the raw client, 16 in flight (raw).
// See bench/README.md ("pulumi up and destroy") for how to read it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { jetstreamManager, StorageType } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import { cleanupAll, repoRoot, startCluster, waitFor } from "../tests/harness";
import { PulumiStack } from "../tests/e2e/pulumi-cli";
import { fmt, inParallel, median, table } from "./util";

const flag = (name: string) => process.argv.includes(name);
const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = option("--n", 200);
const REPS = option("--reps", 3);
/** `pulumi up --yes` as users run it (preview, then update) unless --skip-preview. */
const SKIP_PREVIEW = flag("--skip-preview");
const IN_FLIGHT = 16;
/** `--modes ts-plugin,yaml-plugin`: only these modes (default: all five). */
const ONLY = process.argv.includes("--modes")
  ? process.argv[process.argv.indexOf("--modes") + 1].split(",")
  : undefined;
const REFERENCE = "yaml-plugin";

type Op = "up" | "destroy";
interface Sample {
  mode: string;
  rep: number;
  op: Op;
  wallMs: number;
  /** CPU of the whole process tree (CLI, language host, program, providers), from the children's rusage. */
  cpuMs: number;
}
interface Mode {
  name: string;
  what: string;
  prefix: string;
  run(op: Op): Promise<void>;
  /** Bytes of the stack's state after `up`, when there is one. */
  stateBytes?: () => number;
  dispose(): Promise<void>;
}

const root = repoRoot();
const pulumiBin = path.join(root, ".cache", "pulumi", "bin");

/** CPU used by this process's waited-for children (and theirs), in ms, from /proc/self/stat. */
function childrenCpuMs(): number {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  const ticks = Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / 100;
}

function projectDir(name: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-nats-bench-${name}-`));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

/** The plugins section of a Pulumi.yaml naming this checkout's plugin executable. */
const pluginSection = () =>
  `plugins:\n  providers:\n    - name: nats\n      path: ${path.join(root, "sdk", "provider")}\n`;

/** A Node.js project running one of bench/programs/*.js, with the repository's node_modules. */
function nodeProject(name: string, program: string, withPlugin = false): string {
  const main = path.join(root, "bin", "bench", "programs", `${program}.js`);
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const dir = projectDir(name, {
    "Pulumi.yaml":
      `name: bench-${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: ${main}\n` +
      (withPlugin ? pluginSection() : ""),
  });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

/** The same streams as a Pulumi YAML program of the plugin provider (sdk/provider/pulumi-resource-nats). */
function yamlProject(servers: string[], prefix: string): string {
  const lines = [
    "name: bench-yaml-plugin",
    "runtime: yaml",
    pluginSection().trimEnd(),
    "variables:",
    "  connection:",
    "    servers:",
    ...servers.map((s) => `      - ${s}`),
    "resources:",
  ];
  for (let i = 0; i < N; i++) {
    lines.push(
      `  s${i}:`,
      "    type: nats:jetstream:Stream",
      "    properties:",
      "      connection: ${connection}",
      `      name: ${prefix}${i}`,
      `      subjects: ["${prefix.toLowerCase()}${i}.>"]`,
      "      storage: file",
      "      replicas: 3",
    );
  }
  return projectDir("yaml-plugin", { "Pulumi.yaml": lines.join("\n") + "\n" });
}

async function pulumiMode(name: string, what: string, prefix: string, dir: string): Promise<Mode> {
  const stack = await PulumiStack.create(dir, "bench");
  const args = (op: Op) => [op, "--yes", ...(SKIP_PREVIEW ? ["--skip-preview"] : [])];
  return {
    name,
    what,
    prefix,
    async run(op) {
      process.env.BENCH_PREFIX = prefix;
      await stack.run(args(op), { expectCode: 0 });
    },
    stateBytes: () => Buffer.byteLength(stack.stateText()),
    async dispose() {
      process.env.BENCH_PREFIX = prefix;
      await stack.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function rawMode(jsm: JetStreamManager, prefix: string): Mode {
  return {
    name: "raw",
    what: `@nats-io/jetstream streams.add / streams.delete, ${IN_FLIGHT} in flight`,
    prefix,
    run: (op) =>
      inParallel(N, IN_FLIGHT, async (i) => {
        if (op === "up")
          await jsm.streams.add({
            name: `${prefix}${i}`,
            subjects: [`${prefix.toLowerCase()}${i}.>`],
            storage: StorageType.File,
            num_replicas: 3,
          });
        else await jsm.streams.delete(`${prefix}${i}`);
      }),
    dispose: async () => {},
  };
}

async function countStreams(jsm: JetStreamManager, prefix: string): Promise<number> {
  let count = 0;
  for await (const name of jsm.streams.names()) if (new RegExp(`^${prefix}\\d+$`).test(name)) count++;
  return count;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(pulumiBin, "pulumi")))
    throw new Error("the Pulumi CLI is not built: run bash scripts/install-pulumi.sh");
  const cluster = await startCluster({ maxFileStore: "8GB" });
  const nc = await cluster.connect();
  const jsm = await jetstreamManager(nc, { timeout: 30_000 });
  const servers = cluster.url.split(",");
  process.env.BENCH_SERVERS = servers.join(",");
  process.env.BENCH_N = String(N);

  const modes: Mode[] = [];
  const wanted = (name: string) => !ONLY || ONLY.includes(name);
  if (wanted("raw")) modes.push(rawMode(jsm, "R"));
  if (wanted("ts-dynamic"))
    modes.push(
      await pulumiMode(
        "ts-dynamic",
        "TypeScript program, pulumi-nats Stream (dynamic provider)",
        "D",
        nodeProject("ts-dynamic", "streams-dynamic"),
      ),
    );
  if (wanted("ts-plugin"))
    modes.push(
      await pulumiMode(
        "ts-plugin",
        "TypeScript program, pulumi-nats/plugin Stream (plugin provider)",
        "P",
        nodeProject("ts-plugin", "streams-plugin", true),
      ),
    );
  if (!fs.existsSync(path.join(pulumiBin, "pulumi-language-yaml")))
    console.log(
      "yaml-plugin skipped: no .cache/pulumi/bin/pulumi-language-yaml (scripts/install-pulumi-yaml.sh)",
    );
  else if (wanted(REFERENCE))
    modes.push(
      await pulumiMode(
        REFERENCE,
        "YAML program, nats:jetstream:Stream (plugin provider)",
        "Y",
        yamlProject(servers, "Y"),
      ),
    );
  if (wanted("noop"))
    modes.push(
      await pulumiMode(
        "noop",
        "TypeScript program, dynamic resources that do nothing",
        "N",
        nodeProject("noop", "noop-dynamic"),
      ),
    );

  const samples: Sample[] = [];
  const stateBytes: Record<string, number> = {};
  try {
    for (let rep = 0; rep < REPS; rep++) {
      // Rotate the order so that no mode always runs first (or right after another).
      const order = modes.map((_, i) => modes[(i + rep) % modes.length]);
      for (const mode of order) {
        for (const op of ["up", "destroy"] as const) {
          const cpu0 = childrenCpuMs();
          const t0 = process.hrtime.bigint();
          await mode.run(op);
          const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
          samples.push({ mode: mode.name, rep, op, wallMs, cpuMs: childrenCpuMs() - cpu0 });
          if (op === "up" && mode.stateBytes && rep === 0) stateBytes[mode.name] = mode.stateBytes();
          // Each run is checked, so a mode that silently did nothing cannot look fast. A
          // deleted R3 stream leaves the listing a moment after the answer: wait for it.
          const expected = op === "up" ? N : 0;
          if (mode.name !== "noop") {
            let found = -1;
            const probe = async () =>
              (found = await countStreams(jsm, mode.prefix)) === expected || undefined;
            await waitFor(probe, {
              timeoutMs: 60_000,
              what: `${mode.name} ${op}: ${expected} streams`,
              describe: () => `${found} found`,
            });
          }
          console.log(
            `rep ${rep + 1}/${REPS} ${mode.name.padEnd(11)} ${op.padEnd(7)} ${fmt(wallMs / 1000, 2)} s`,
          );
        }
      }
    }
  } finally {
    for (const mode of modes) await mode.dispose().catch((e) => console.error(`${mode.name}: ${e}`));
    await nc.close();
    await cluster.destroy();
    await cleanupAll();
  }
  report(modes, samples, stateBytes);
}

function report(modes: Mode[], samples: Sample[], stateBytes: Record<string, number>): void {
  const of = (mode: string, rep: number, op?: Op) =>
    samples.filter((s) => s.mode === mode && s.rep === rep && (!op || s.op === op));
  const total = (mode: string, rep: number, key: "wallMs" | "cpuMs", op?: Op) =>
    of(mode, rep, op).reduce((sum, s) => sum + s[key], 0);
  const reps = Array.from({ length: REPS }, (_, r) => r);
  const hasRef = modes.some((m) => m.name === REFERENCE);
  const rows = [["mode", "up s", "destroy s", "total s", `/${REFERENCE}`, "(reps)", "cpu s", "state B/res"]];
  for (const m of modes) {
    const ratios = hasRef ? reps.map((r) => total(m.name, r, "wallMs") / total(REFERENCE, r, "wallMs")) : [];
    rows.push([
      m.name,
      fmt(median(reps.map((r) => total(m.name, r, "wallMs", "up"))) / 1000, 2),
      fmt(median(reps.map((r) => total(m.name, r, "wallMs", "destroy"))) / 1000, 2),
      fmt(median(reps.map((r) => total(m.name, r, "wallMs"))) / 1000, 2),
      hasRef ? fmt(median(ratios), 2) : "-",
      hasRef ? `${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)}` : "-",
      m.name === "raw" ? "-" : fmt(median(reps.map((r) => total(m.name, r, "cpuMs"))) / 1000, 1),
      stateBytes[m.name] ? fmt(stateBytes[m.name] / N, 0) : "-",
    ]);
  }
  const lines = [
    `pulumi up${SKIP_PREVIEW ? " --skip-preview" : ""} + destroy of ${N} R3 file streams, 3-node cluster, ${REPS} repetitions, medians; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}, ${os.cpus().length} CPUs`,
    table(rows),
    ...modes.map((m) => `  ${m.name}: ${m.what}`),
  ];
  console.log(lines.join("\n"));
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `up-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { n: N, reps: REPS, skipPreview: SKIP_PREVIEW, samples, stateBytes, report: lines },
      null,
      2,
    ),
  );
  console.log(`results: ${path.relative(root, file)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
