// Mocha's spec reporter plus one plain closing line, "N passed, N failed,
// N skipped", which CI reads to know how many tests ran.
import Mocha from "mocha";

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      // Printed after the spec reporter's own epilogue.
      process.nextTick(() => console.log(`\n${passes} passed, ${failures} failed, ${pending} skipped`));
    });
  }
}

export = SpecWithSummary;
