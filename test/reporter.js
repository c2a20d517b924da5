// Mocha reporter for `npm test`: prints spec-style lines on the console and, at the end,
// writes the counts to the file given as `--reporter-option output=<file>`, where
// scripts/test.js reads them. Mocha allows one reporter per run, so this one does both
// jobs that the spec and json reporters would. Plain CommonJS: mocha loads it directly.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha");

const { Base } = Mocha.reporters;
const {
  EVENT_RUN_END,
  EVENT_SUITE_BEGIN,
  EVENT_SUITE_END,
  EVENT_TEST_FAIL,
  EVENT_TEST_PASS,
  EVENT_TEST_PENDING,
} = Mocha.Runner.constants;

class LgallocReporter extends Base {
  constructor(runner, options = {}) {
    super(runner, options);
    const reporterOptions = options.reporterOption ?? options.reporterOptions ?? {};
    const output = reporterOptions.output;
    let depth = 0;
    let failureNumber = 0;
    const print = (line) => Base.consoleLog(`${"  ".repeat(depth)}${line}`);

    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.root) return;
      depth += 1;
      print(suite.title);
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      if (suite.root) return;
      depth -= 1;
      if (depth === 0) Base.consoleLog();
    });
    runner.on(EVENT_TEST_PASS, (test) => {
      print(`  ✓ ${test.title} (${test.duration ?? 0}ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      print(`  - ${test.title} (skipped)`);
    });
    runner.on(EVENT_TEST_FAIL, (test) => {
      failureNumber += 1;
      print(`  ${failureNumber}) ${test.title}`);
    });
    runner.once(EVENT_RUN_END, () => {
      // Base.epilogue prints the "N passing / N failing" block with each failure's diff and
      // stack. Failed hooks count as failures too, as in mocha's own summary.
      this.epilogue();
      if (output) {
        const { passes, failures, pending } = this.stats;
        const counts = { passed: passes, failed: failures, skipped: pending };
        fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
        fs.writeFileSync(output, `${JSON.stringify(counts, null, 2)}\n`);
      }
    });
  }
}

module.exports = LgallocReporter;
