// Shared pieces of the stress scenarios (test/stress/*.scenario.js). Each scenario runs in
// a process of its own, started by scripts/stress.js with `--seconds N`, and ends by
// printing one JSON line: what it did and what went wrong (see `report`).
"use strict";

const fs = require("node:fs");
const { parseArgs } = require("node:util");

/** The scenario's time budget from `--seconds`, and the profile it runs in. */
function options() {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "10" },
      profile: { type: "string", default: "full" },
    },
    strict: true,
  });
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  return { seconds, short: values.profile === "short" };
}

/** Peak resident set of this process (all its threads) in bytes. */
function peakRssBytes() {
  return process.resourceUsage().maxRSS * 1024;
}

/** A field of /proc/self/smaps_rollup in bytes (e.g. "Rss", "LazyFree", "AnonHugePages"). */
function smapsRollup(field) {
  const text = fs.readFileSync("/proc/self/smaps_rollup", "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Writes `owner` and `generation` into the first two words of every 4 KiB page of
 * `bytes` (a Uint8Array-compatible view's buffer range), so that any other owner's write or
 * a region handed out twice shows as a mismatch.
 */
function stamp(view, owner, generation) {
  const words = new Uint32Array(view.buffer, view.byteOffset, view.byteLength >>> 2);
  for (let i = 0; i < words.length; i += 1024) {
    words[i] = owner;
    words[i + 1] = generation;
  }
}

/** Pages of `view` whose stamp is not (`owner`, `generation`). */
function mismatches(view, owner, generation) {
  const words = new Uint32Array(view.buffer, view.byteOffset, view.byteLength >>> 2);
  let wrong = 0;
  for (let i = 0; i < words.length; i += 1024) {
    if (words[i] !== owner || words[i + 1] !== generation) wrong++;
  }
  return wrong;
}

/**
 * Prints the scenario's result as the last line of stdout. `lost` counts what must never
 * happen (bytes of one owner seen by another, data gone, regions unaccounted for);
 * `unexpected` counts errors outside the ones the scenario provokes.
 */
function report({
  operations,
  faults = 0,
  expected = 0,
  unexpected = 0,
  lost = 0,
  notes = [],
  peakRss = peakRssBytes(),
  rssBound,
}) {
  const problems = [...notes];
  if (rssBound !== undefined && peakRss > rssBound) {
    problems.push(
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB over the bound ${(rssBound / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  console.log(
    JSON.stringify({
      operations,
      faults,
      expected,
      unexpected,
      lost,
      peakRss,
      rssBound,
      notes: problems,
    }),
  );
}

/** Runs `main` and turns an exception into a failed report rather than a crash. */
function run(main) {
  Promise.resolve()
    .then(main)
    .catch((error) => {
      report({
        operations: 0,
        unexpected: 1,
        notes: [String(error && error.stack ? error.stack : error)],
      });
      process.exitCode = 1;
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { options, peakRssBytes, smapsRollup, stamp, mismatches, report, run, sleep };
