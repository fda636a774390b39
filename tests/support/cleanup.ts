// Mocha root hooks (loaded through "require" in .mocharc.json): whatever the
// test harness started is gone at the end of the run, even when a test failed
// or forgot to stop its servers. The harness also cleans up synchronously on
// process exit and on SIGINT/SIGTERM, for runs that end without this hook.
import { cleanupAll, sweepStaleTempDirs } from "../harness/registry";
import { stopSharedKubePlane } from "../kube";

export const mochaHooks = {
  beforeAll(): void {
    // Leftovers of earlier runs that were killed before they could clean up.
    const swept = sweepStaleTempDirs();
    if (swept.length > 0) console.log(`harness: removed ${swept.length} stale temp dir(s) of dead test runs`);
  },
  async afterAll(): Promise<void> {
    // The Kubernetes control plane is shared by the whole run (tests/kube): stopped here, not leaked.
    await stopSharedKubePlane();
    const report = await cleanupAll();
    if (report.leftoverProcesses.length > 0) {
      console.warn(
        `harness: killed ${report.leftoverProcesses.length} nats-server process(es) still running at the end ` +
          `(a test did not stop them):\n  ${report.leftoverProcesses.join("\n  ")}`,
      );
    }
  },
};
