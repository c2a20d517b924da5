// Tests of process exit with the allocator busy: live regions, an un-adopted transfer, the
// background worker running every millisecond, and a worker thread holding and churning
// regions. Each way of ending runs ~20 times in fresh processes (test/src/fixtures/exit.ts);
// none may crash.

import { expect } from "chai";
import { CRASH_PATTERN, mapLimit, runFixture, type FixtureResult } from "./support/fixtures";

const RUNS = 20;

const VARIANTS: { variant: string; status: number; how: string }[] = [
  { variant: "natural", status: 0, how: "ends naturally (event loop runs dry)" },
  { variant: "exit", status: 0, how: "calls process.exit(0)" },
  { variant: "worker-throws", status: 3, how: "has a worker throw an uncaught exception (main sets exitCode 3)" },
  { variant: "main-throws", status: 1, how: "throws an uncaught exception in the main thread" },
];

function describeRun(result: FixtureResult): string {
  return `status ${String(result.status)}, signal ${String(result.signal)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

describe("process exit with live regions, pending transfers, background work and workers", () => {
  for (const { variant, status, how } of VARIANTS) {
    it(`exits cleanly ${RUNS} times when the process ${how}`, async () => {
      const results = await mapLimit(
        Array.from({ length: RUNS }, (_, i) => i),
        4,
        () => runFixture("exit", [variant], {}, 20000),
      );
      for (const result of results) {
        expect(result.signal, describeRun(result)).to.equal(null);
        expect(result.status, describeRun(result)).to.equal(status);
        expect(result.stderr, describeRun(result)).to.not.match(CRASH_PATTERN);
        expect(result.stdout, describeRun(result)).to.contain("ready");
        expect(result.stdout, describeRun(result)).to.contain(`ending ${variant}`);
        if (variant === "worker-throws") {
          expect(result.stdout).to.contain("worker error: deliberate uncaught exception in a worker");
        }
        if (variant === "main-throws") {
          expect(result.stderr).to.contain("deliberate uncaught exception in the main thread");
        }
      }
    });
  }
});
