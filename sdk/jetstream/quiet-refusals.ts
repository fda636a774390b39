// The dynamic provider host and @pulumi/pulumi/provider's gRPC server print
// every error a provider method throws to stderr, as `${e}: ${e.stack}`,
// before returning it to the engine, which prints its message again: a
// refusal meant for the user appeared three times, with a JavaScript stack
// trace full of source paths. For an expected refusal (bad input, data the
// user has not agreed to lose, a configuration the server refuses) the
// engine's copy is the one message; this drops the stderr copy. Any other
// error keeps its stack: that one is a bug to report.
import { DataLossError, InputError, ServerRefusalError } from "./errors";

/** The errors a user is meant to read and act on; never a bug. */
export function isExpectedRefusal(err: unknown): boolean {
  return err instanceof InputError || err instanceof DataLossError || err instanceof ServerRefusalError;
}

/** The exact stderr lines the hosts are about to print for expected refusals. */
const toDrop = new Set<string>();
const MAX_PENDING = 64;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && toDrop.delete(args[0])) return;
    original(...args);
  };
}

/** Runs a provider method; an expected refusal still reaches the engine, but is not printed with its stack. */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  install();
  try {
    return await work();
  } catch (err) {
    if (isExpectedRefusal(err)) {
      const e = err as Error;
      // Paths whose host never prints (create) leave an entry: keep the set small.
      if (toDrop.size >= MAX_PENDING) toDrop.delete(toDrop.values().next().value as string);
      toDrop.add(`${e}: ${e.stack}`);
    }
    throw err;
  }
}
