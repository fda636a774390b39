// prometheus-nats-exporter (built by scripts/install-promtool.sh) run the way
// the NATS chart runs it: the container args of the real `helm template`
// render (tests/cluster/rendered/chart-tls.yaml.txt), with only its port and
// the server's monitoring URL moved to 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { freePort, repoRoot, waitFor } from "../harness";
import { trackProcess, untrackProcess } from "../harness/registry";
import { monitoringTool } from "./tools";

interface Container {
  name: string;
  image: string;
  args: string[];
}

/** The chart's prom-exporter container, from the rendered StatefulSet. */
export function chartExporterContainer(): Container {
  const file = path.join(repoRoot(), "tests/cluster/rendered/chart-tls.yaml.txt");
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    const o = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } };
    const c =
      o?.kind === "StatefulSet"
        ? o.spec?.template?.spec?.containers?.find((x) => x.name === "prom-exporter")
        : undefined;
    if (c) return c;
  }
  throw new Error(`no prom-exporter container in ${file}`);
}

export class Exporter {
  private readonly child: ChildProcess;
  readonly port: number;
  readonly description: string;
  private output = "";

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    this.description = `prometheus-nats-exporter (pid ${child.pid})`;
    child.stdout?.on("data", (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    child.stderr?.on("data", (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    trackProcess(this);
  }

  /** Starts the exporter on a free port, polling `monitorUrl` with the chart's flags. */
  static async start(monitorUrl: string): Promise<Exporter> {
    const port = await freePort();
    const args = chartExporterContainer().args.map((a) =>
      a.startsWith("-port=")
        ? `-port=${port}`
        : a.startsWith("http")
          ? `${monitorUrl.replace(/\/$/, "")}/`
          : a,
    );
    const exporter = new Exporter(
      spawn(monitoringTool("prometheus-nats-exporter"), ["-a=127.0.0.1", ...args]),
      port,
    );
    await waitFor(async () => ((await exporter.metrics()).includes("nats_varz_") ? true : undefined), {
      timeoutMs: 20_000,
      what: "the exporter's first /metrics",
      describe: () => exporter.output,
    });
    return exporter;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The exposition text of one scrape. */
  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    if (!res.ok) throw new Error(`exporter answered ${res.status}`);
    return res.text();
  }

  /** The value of the one series of `name` whose labels include `labels`. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    for (const line of (await this.metrics()).split("\n")) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      if (Object.entries(labels).every(([k, v]) => (m[2] ?? "").includes(`${k}="${v}"`))) return Number(m[3]);
    }
    return undefined;
  }

  async kill(): Promise<void> {
    if (!this.isRunning) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
    untrackProcess(this);
  }

  killSync(): void {
    if (this.isRunning) this.child.kill("SIGKILL");
  }
}
