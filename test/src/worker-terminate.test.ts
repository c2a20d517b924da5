// Ending a worker, or the process, while a worker raises lgalloc errors in a loop: the
// process must exit with the status the ending asks for, never abort (issue 7, item 1:
// "terminate called after throwing an instance of 'Napi::Error'", exit 134). Each run is a
// process of its own (test/src/fixtures/terminate-while-raising.ts).

import * as os from "node:os";
import { expect } from "chai";
import { CRASH_PATTERN, mapLimit, runFixture, type FixtureResult } from "./support/fixtures";

const MODES = [
  { mode: "adopt", what: "adopting an unknown token" },
  { mode: "disabled", what: "allocating while disabled" },
  { mode: "limit", what: "tryAllocate over the memory limit" },
  { mode: "prefetch", what: "an out-of-bounds prefetch" },
];
const ENDINGS = [
  { ending: "terminate", status: 0, how: "each worker is terminated", runs: 1 },
  { ending: "exit", status: 0, how: "main calls process.exit(0)", runs: 3 },
  { ending: "throw", status: 1, how: "main throws an uncaught exception", runs: 3 },
];

function describeRun(result: FixtureResult): string {
  return `status ${String(result.status)}, signal ${String(result.signal)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

describe("workers terminated while raising errors", () => {
  for (const { mode, what } of MODES) {
    for (const { ending, status, how, runs } of ENDINGS) {
      it(`exits with ${status} when ${how} while workers keep ${what}`, async function () {
        this.timeout(120000);
        const results = await mapLimit(
          Array.from({ length: runs }, (_, i) => i),
          os.availableParallelism(),
          () => runFixture("terminate-while-raising", [mode, ending], {}, 60000),
        );
        for (const result of results) {
          expect(result.signal, describeRun(result)).to.equal(null);
          expect(result.status, describeRun(result)).to.equal(status);
          expect(result.stderr, describeRun(result)).to.not.match(CRASH_PATTERN);
          expect(result.stdout, describeRun(result)).to.contain(`ending ${ending}`);
        }
      });
    }
  }
});
