// Runs the real Pulumi CLI (built by scripts/install-pulumi.sh) offline: a
// temporary file backend, a passphrase secrets provider, stack config in a
// temporary file (so tests never write Pulumi.<stack>.yaml into the repo).
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../harness";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as a user sees them. */
  output: string;
}

const binDir = () => path.join(repoRoot(), ".cache", "pulumi", "bin");

export function pulumiAvailable(): boolean {
  return fs.existsSync(path.join(binDir(), "pulumi"));
}

export class PulumiStack {
  readonly configFile: string;
  private constructor(
    readonly projectDir: string,
    readonly stack: string,
    private readonly home: string,
    private readonly extraEnv: NodeJS.ProcessEnv,
  ) {
    this.configFile = path.join(home, `Pulumi.${stack}.yaml`);
  }

  /**
   * Creates a stack of the project in `projectDir` with a fresh backend.
   * `extraEnv` is added to the CLI's environment (its PATH goes after the CLI's
   * own bin dir: tests/kube puts pulumi-resource-kubernetes there).
   */
  static async create(
    projectDir: string,
    stack = "e2e",
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<PulumiStack> {
    if (!pulumiAvailable()) {
      throw new Error(
        `the Pulumi CLI is not built: run bash scripts/install-pulumi.sh (looked in ${binDir()})`,
      );
    }
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-nats-e2e-"));
    const s = new PulumiStack(projectDir, stack, home, extraEnv);
    await s.run(["stack", "init", stack, "--non-interactive"], { expectCode: 0 });
    return s;
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.extraEnv,
      PATH: `${binDir()}:${this.extraEnv.PATH ?? process.env.PATH}`,
      PULUMI_HOME: path.join(repoRoot(), ".cache", "pulumi", "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.home, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      PULUMI_NON_INTERACTIVE: "true",
      NO_COLOR: "1",
    };
  }

  /**
   * Runs `pulumi <args>` for this stack; rejects when expectCode is given and differs.
   * `env` is added to the CLI's environment for this run only.
   */
  run(args: string[], opts: { expectCode?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    fs.mkdirSync(path.join(this.home, "state"), { recursive: true });
    const flags = ["--cwd", this.projectDir, "--color", "never"];
    const stackScoped = !["stack"].includes(args[0]);
    if (stackScoped) flags.push("--stack", this.stack);
    if (["config", "up", "preview", "refresh", "destroy"].includes(args[0]))
      flags.push("--config-file", this.configFile);
    // Flags go before a "--" (everything after it is a positional argument).
    const dashes = args.indexOf("--");
    const full =
      dashes < 0 ? [...args, ...flags] : [...args.slice(0, dashes), ...flags, ...args.slice(dashes)];
    return new Promise((resolve, reject) => {
      execFile(
        path.join(binDir(), "pulumi"),
        full,
        { env: { ...this.env(), ...opts.env }, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
          const result = { code, stdout, stderr, output: stdout + stderr };
          if (opts.expectCode !== undefined && code !== opts.expectCode) {
            reject(
              new Error(
                `pulumi ${args.join(" ")} exited ${code}, expected ${opts.expectCode}:\n${result.output}`,
              ),
            );
          } else resolve(result);
        },
      );
    });
  }

  up = () => this.run(["up", "--yes", "--diff", "--skip-preview"], { expectCode: 0 });
  preview = (expectCode = 0) => this.run(["preview", "--diff"], { expectCode });
  config = (key: string, value: string, secret = false) =>
    // --plaintext: the CLI refuses values that look like secrets (a name like "...-tls-...") otherwise;
    // "--" before the pair: a value may start with "-" (a PEM certificate).
    this.run(["config", "set", key, secret ? "--secret" : "--plaintext", "--", value], { expectCode: 0 });

  /** Destroys what is left (allowing data loss) and removes the stack and its temp files. */
  async dispose(): Promise<void> {
    await this.run(["destroy", "--yes", "--skip-preview"]);
    await this.run(["stack", "rm", this.stack, "--yes", "--force"]);
    fs.rmSync(this.home, { recursive: true, force: true });
  }

  /** The raw state file, to check that no secret appears in plain text. */
  stateText(): string {
    const dir = path.join(this.home, "state", ".pulumi", "stacks");
    const files: string[] = [];
    const walk = (d: string) =>
      fs.existsSync(d) &&
      fs
        .readdirSync(d, { withFileTypes: true })
        .forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
    walk(dir);
    return files.map((f) => fs.readFileSync(f, "utf8")).join("\n");
  }
}
