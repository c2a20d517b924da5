// Long runs of the model-based fuzzer over the public JS API (test/src/support/api-fuzzer.ts,
// compiled to test/dist by `tsc -b`):
//
//   npm run fuzz -- [--seconds N] [--steps N] [--seed S] [--coverage]
//
// Without --seed it runs fresh seeds until N seconds (default 60) have passed; with --seed
// it replays that one sequence (what a failure prints). Exits 1 on the first violation.
// --coverage also prints the block coverage of the packages' compiled JS (js-coverage.js).
"use strict";

const path = require("node:path");
const { parseArgs } = require("node:util");

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    steps: { type: "string", default: "300" },
    seed: { type: "string" },
    coverage: { type: "boolean", default: false },
  },
  strict: true,
});
const seconds = Number(values.seconds);
const steps = Number(values.steps);
if (!(seconds > 0) || !Number.isInteger(steps) || steps < 1) {
  console.error("fuzz: --seconds takes a positive number, --steps a positive integer");
  process.exit(2);
}

function report(failure) {
  console.error(
    `fuzz: violation at step ${failure.step} (${failure.operation}), seed ${failure.seed}`,
  );
  console.error(failure.message);
  console.error(`replay: npm run fuzz -- --seed ${failure.seed} --steps ${steps}`);
  process.exitCode = 1;
}

function fuzz() {
  // Required here, so that --coverage sees the packages' functions compiled.
  const { runFuzz } = require(
    path.join(__dirname, "..", "test", "dist", "support", "api-fuzzer.js"),
  );
  const { backendKind } = require("@lgalloc/core");
  if (values.seed !== undefined) {
    const failure = runFuzz({ seed: Number(values.seed) >>> 0, steps });
    if (failure) report(failure);
    else console.log(`fuzz: seed ${values.seed} passes ${steps} steps (${backendKind()} backend)`);
  } else {
    const deadline = Date.now() + seconds * 1000;
    let seed = (Date.now() ^ (process.pid << 8)) >>> 0;
    let runs = 0;
    while (Date.now() < deadline) {
      const failure = runFuzz({ seed, steps });
      runs++;
      if (failure) {
        report(failure);
        break;
      }
      seed = (seed + 1) >>> 0;
    }
    if (process.exitCode !== 1) {
      console.log(
        `fuzz: ${runs} sequences of ${steps} steps, ${runs * steps} calls, no violation (${backendKind()} backend)`,
      );
    }
  }
}

if (values.coverage) {
  const { withCoverage, formatCoverage } = require("./js-coverage.js");
  withCoverage(fuzz).then(({ coverage }) => console.log(`fuzz: ${formatCoverage(coverage)}`));
} else {
  fuzz();
}
