// One control-plane process: started with its output in <dir>/<name>.log and
// its pid in <dir>/<name>.pid, registered with the nats-server harness's
// registry so it is SIGKILLed at the end of the run, on exit, SIGINT and
// SIGTERM, and swept by the next run after a SIGKILLed runner (the sweep only
// kills a pid whose command line names the temp dir: every process here gets
// a path inside it on its command line).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isProcessAlive } from "../harness";
import { trackProcess, untrackProcess, type Killable } from "../harness/registry";

export class KubeProcess implements Killable {
  private readonly child: ChildProcess;
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<void>;
  readonly logFile: string;
  readonly pid: number;

  constructor(
    readonly name: string,
    binary: string,
    args: string[],
    readonly dir: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.logFile = path.join(dir, `${name}.log`);
    const out = fs.openSync(this.logFile, "a");
    this.child = spawn(binary, args, { stdio: ["ignore", out, out], env });
    fs.closeSync(out);
    if (this.child.pid === undefined) throw new Error(`kube harness: could not start ${binary}`);
    this.pid = this.child.pid;
    fs.writeFileSync(path.join(dir, `${name}.pid`), String(this.pid));
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : 0);
        resolve();
      }),
    );
    trackProcess(this);
  }

  get description(): string {
    return `${this.name} (pid ${this.pid})`;
  }
  get isRunning(): boolean {
    return this.exitCode === undefined && isProcessAlive(this.pid);
  }
  /** Why it is not running, for error messages: its exit code and last log lines. */
  whyStopped(): string | undefined {
    if (this.isRunning) return undefined;
    return `${this.name} exited (code ${this.exitCode}); last lines of ${this.logFile}:\n${this.logTail(15)}`;
  }
  logTail(lines: number): string {
    try {
      return fs.readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    untrackProcess(this);
  }
  async kill(): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    untrackProcess(this);
  }
  killSync(): void {
    try {
      process.kill(this.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
