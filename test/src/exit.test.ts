// Tests of process exit with the allocator busy: live regions, an un-adopted transfer, the
// background worker running every millisecond, and a worker thread holding and churning
// regions. Each way of ending runs ~20 times in fresh processes (test/src/fixtures/exit.ts);
// none may crash.

import * as os from "node:os";
import { expect } from "chai";
import { CRASH_PATTERN, mapLimit, runFixture, type FixtureResult } from "./support/fixtures";

/** Runs per way of ending; LGALLOC_TEST_EXIT_RUNS overrides (e.g. more for a soak). */
const RUNS = Number(process.env.LGALLOC_TEST_EXIT_RUNS ?? 20);
/** Processes at a time: most of a run is process and worker start-up. */
const CONCURRENCY = 2 * os.availableParallelism();

const VARIANTS: { variant: string; status: number; how: string; runs: number }[] = [
  { variant: "natural", status: 0, how: "ends naturally (event loop runs dry)", runs: RUNS },
  { variant: "exit", status: 0, how: "calls process.exit(0)", runs: RUNS },
  {
    variant: "worker-throws",
    status: 3,
    how: "has a worker throw an uncaught exception (main sets exitCode 3)",
    runs: RUNS,
  },
  // Like process.exit() for the allocator (no finalizers, no cleanup hooks): fewer runs.
  {
    variant: "main-throws",
    status: 1,
    how: "throws an uncaught exception in the main thread",
    runs: Math.ceil(RUNS / 2),
  },
];

function describeRun(result: FixtureResult): string {
  return `status ${String(result.status)}, signal ${String(result.signal)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

describe("process exit with live regions, pending transfers, background work and workers", () => {
  for (const { variant, status, how, runs } of VARIANTS) {
    it(`exits cleanly ${runs} times when the process ${how}`, async () => {
      const results = await mapLimit(
        Array.from({ length: runs }, (_, i) => i),
        CONCURRENCY,
        () => runFixture("exit", [variant], {}, 20000),
      );
      for (const result of results) {
        expect(result.signal, describeRun(result)).to.equal(null);
        expect(result.status, describeRun(result)).to.equal(status);
        expect(result.stderr, describeRun(result)).to.not.match(CRASH_PATTERN);
        expect(result.stdout, describeRun(result)).to.contain("ready");
        expect(result.stdout, describeRun(result)).to.contain(`ending ${variant}`);
        if (variant === "worker-throws") {
          expect(result.stdout).to.contain(
            "worker error: deliberate uncaught exception in a worker",
          );
        }
        if (variant === "main-throws") {
          expect(result.stderr).to.contain("deliberate uncaught exception in the main thread");
        }
      }
    });
  }
});
