// The NATS CLI as an independent client, for cross-checks against what the
// Node client (or the code under test) says.
import { execFile } from "node:child_process";
import { binaries } from "./binaries";

/** A server or cluster handle: knows the CLI flags that reach it as an authorized client. */
export interface CliTarget {
  cliConnectionArgs(): string[];
}

/** Options of natsCli(). */
export interface CliOptions {
  /** A server/cluster handle (credentials and TLS flags derived from it) or URL(s), comma-separated. */
  server?: CliTarget | string;
  user?: string;
  password?: string;
  token?: string;
  /** A file holding a user nkey seed. */
  nkeyFile?: string;
  tlsca?: string;
  tlscert?: string;
  tlskey?: string;
  /** Add --json and parse stdout as JSON. */
  json?: boolean;
  /** Kill the CLI after this long. @default 15000 */
  timeoutMs?: number;
  /** Data written to the CLI's stdin (e.g. for `nats pub` bodies or `nats kv put` values). */
  input?: string;
}

/** A failed CLI run: exit code and output are kept. */
export class NatsCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | string | undefined,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

function redact(args: string[]): string[] {
  return args.map((a) => a.replace(/^(--password=|--token=).*/, "$1***"));
}

/**
 * Run `nats <args>` with the connection flags of `opts.server` (and the
 * explicit credentials), without any CLI context or NATS_* environment.
 * Resolves to stdout, or with `json: true` to the parsed JSON.
 * Rejects with a NatsCliError on a non-zero exit.
 */
export function natsCli(args: string[], opts?: CliOptions & { json?: false }): Promise<string>;
export function natsCli<T = unknown>(args: string[], opts: CliOptions & { json: true }): Promise<T>;
export function natsCli(args: string[], opts?: CliOptions): Promise<unknown>;
export async function natsCli(args: string[], opts: CliOptions = {}): Promise<unknown> {
  const flags: string[] = ["--no-context"];
  if (typeof opts.server === "string") flags.push(`--server=${opts.server}`);
  else if (opts.server) flags.push(...opts.server.cliConnectionArgs());
  if (opts.user !== undefined) flags.push(`--user=${opts.user}`);
  if (opts.password !== undefined) flags.push(`--password=${opts.password}`);
  if (opts.token !== undefined) flags.push(`--token=${opts.token}`);
  if (opts.nkeyFile !== undefined) flags.push(`--nkey=${opts.nkeyFile}`);
  if (opts.tlsca !== undefined) flags.push(`--tlsca=${opts.tlsca}`);
  if (opts.tlscert !== undefined) flags.push(`--tlscert=${opts.tlscert}`);
  if (opts.tlskey !== undefined) flags.push(`--tlskey=${opts.tlskey}`);
  const all = [...args, ...flags, ...(opts.json ? ["--json"] : [])];
  // No NATS_* variables from the caller's environment may change the target.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NATS_")));
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      binaries().cli,
      all,
      { env, timeout: opts.timeoutMs ?? 15_000, maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          reject(
            new NatsCliError(
              `harness: nats ${redact(all).join(" ")} failed (${err.killed ? "timed out" : `exit ${code}`}): ${errOut.trim() || out.trim()}`,
              code,
              out,
              errOut,
            ),
          );
        } else resolve(out);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
  if (!opts.json) return stdout;
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    throw new NatsCliError(
      `harness: nats ${redact(all).join(" ")} printed non-JSON: ${stdout.slice(0, 300)}`,
      0,
      stdout,
      "",
    );
  }
}
