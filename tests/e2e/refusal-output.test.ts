// A refused change, through the real Pulumi CLI, on both provider paths (the
// dynamic provider of TypeScript programs and the plugin of other languages):
// the refusal is printed once, with no JavaScript stack trace and no source
// paths.
import assert from "node:assert/strict";
import * as path from "node:path";
import { startServer, repoRoot } from "../harness";
import type { NatsServer } from "../harness";
import { publish } from "../jetstream/support";
import { PulumiStack, pulumiAvailable } from "./pulumi-cli";

const PASSWORD = "refusal-pa55";

/** How often `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * During `up` and `destroy` the CLI's progress display echoes a failed
 * resource's error on its status lines (" -  <type> <name> deleting (0s)
 * error: ...", "... **deleting failed** error: ...") before the Diagnostics:
 * the CLI's own copies, printed for every resource error, whatever the
 * provider does. The Diagnostics and anything the provider prints remain.
 */
const PROGRESS_ECHO = /^[ \t]*[-+~]*[ \t]*[\w-]+:[\w/.-]+:\w+ [^ \t\n]+[ \t].*?error: .*$/gm;

/** Asserts the refusal appears once and nothing of the provider's insides leaks. */
function assertOneCleanRefusal(output: string, refusal: string): void {
  const ours = output.replace(PROGRESS_ECHO, "");
  assert.equal(occurrences(ours, refusal), 1, `the refusal once in:\n${output}`);
  assert.doesNotMatch(output, /^\s*at /m, `no stack trace lines in:\n${output}`);
  assert.doesNotMatch(output, /\.js:\d+|\/node_modules\/|\/bin\/sdk\//, `no source paths in:\n${output}`);
}

for (const path_ of ["dynamic", "plugin"] as const) {
  describe(`e2e: a refusal through the ${path_} provider is printed once, without a stack`, function () {
    this.timeout(300_000);
    let server: NatsServer;
    let stack: PulumiStack | undefined;
    const program = path_ === "dynamic" ? "tests/e2e/refusal-program" : "tests/provider/engine-program";
    const streamName = path_ === "dynamic" ? "REFUSED" : "REFUSED_PLUGIN";

    before(async function () {
      if (!pulumiAvailable()) this.skip();
      server = await startServer({ auth: { type: "user", user: "app", password: PASSWORD } });
      stack = await PulumiStack.create(path.join(repoRoot(), program), `refusal-${path_}`);
      await stack.config("url", server.url);
      await stack.config("password", PASSWORD, true);
      if (path_ === "plugin") await stack.config("streamName", streamName);
    });
    after(async () => {
      if (stack) {
        await stack.config("allowDataLoss", "true");
        await stack.config("storage", "file");
        await stack.run(["up", "--yes", "--skip-preview"]);
        await stack.dispose();
      }
      await server?.stop();
    });

    it("a replacement refused for its messages, at preview and at up", async () => {
      const s = stack!;
      await s.up();
      await publish(server, `${streamName.toLowerCase()}.x`, 4);
      await s.config("storage", "memory");
      const refusal = `Stream ${streamName} holds 4 messages; replacing it (storage cannot change in place) would destroy them.`;
      const preview = await s.run(["preview", "--diff"]);
      assert.notEqual(preview.code, 0, preview.output);
      assertOneCleanRefusal(preview.output, refusal);
      const up = await s.run(["up", "--yes", "--skip-preview"]);
      assert.notEqual(up.code, 0, up.output);
      assertOneCleanRefusal(up.output, refusal);
    });

    it("a delete refused for its messages (pulumi destroy)", async () => {
      const s = stack!;
      const destroy = await s.run(["destroy", "--yes", "--skip-preview"]);
      assert.notEqual(destroy.code, 0, destroy.output);
      assertOneCleanRefusal(
        destroy.output,
        `Stream ${streamName} holds 4 messages; deleting it would destroy them.`,
      );
    });
  });
}
