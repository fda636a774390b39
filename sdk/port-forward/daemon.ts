// The detached port-forward process (see port-forward.ts). Reads its options,
// kubeconfig included, as JSON on stdin; prints one line, "listening" or
// "error: <why>", then serves until its lifetime is over.
import { startListener, type DaemonInput } from "./port-forward";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d: string) => (input += d));
process.stdin.on("end", () => {
  const o = JSON.parse(input) as DaemonInput;
  startListener(o, { idleMs: o.idleMs, maxMs: o.maxMs }, () => process.exit(0))
    .then(() => {
      process.stdout.write("listening\n");
    })
    .catch((err: unknown) => {
      process.stdout.write(`error: ${err instanceof Error ? err.message : String(err)}\n`, () =>
        process.exit(1),
      );
    });
});
// The parent closes its end of the pipe once it has read the line.
process.stdout.on("error", () => undefined);
