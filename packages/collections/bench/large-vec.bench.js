// LargeVec against the alternatives, side by side (interleaved rounds, medians):
//
//   1. allocate 64 MiB of doubles, fill them, drop them, in a loop:
//        new Float64Array(8388608)           (calloc + page faults, freed by the GC)
//        new LargeVec(Float64Array, n)       (zero-filled unless the region is known zero) + dispose
//        LargeVec.allocUnsafe(Float64Array, n) + dispose
//        floor: fill one array allocated once
//      targets: allocUnsafe <= 1.25x the floor and >= 6x faster than new Float64Array;
//      the zero-filled LargeVec >= 4x faster than new Float64Array.
//   2. push 50 million doubles one at a time:
//        LargeVec#push, Array#push, apache-arrow's Float64 builder (append + finish + toVector),
//        and the floor: writing into a pre-sized Float64Array (once allocated once, once
//        allocated per run); plus the floor of any push *method*: a bare class holding a
//        pre-sized Float64Array and a length, with no checks and no growth. What separates
//        it from the plain loop is the per-call cost V8 cannot hoist (field loads and
//        stores, map and bounds checks), which no push API can avoid.
//      targets: LargeVec within 1.5x of the floor and >= 3x faster than the Arrow builder;
//      against the bare push method, with growth <= 1.5x and with capacity <= 1.2x (issue 8).
//   3. peak RSS of each case, each in a child process of its own (`--case <name>`), read
//      from process.resourceUsage().maxRSS at its end (run first, while this process is
//      small: a child's maxRSS starts at its parent's RSS at fork).
//
// Run: node packages/collections/bench/large-vec.bench.js [--quick] [--only alloc|push|rss]
//        [--json <file>]   (--json also writes the results for scripts/bench.js's report)
//      node packages/collections/bench/large-vec.bench.js --case <name>   (one case, JSON out)
"use strict";

const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");
const { LargeVec } = require("@lgalloc/collections");
const { backendKind, stats } = require("@lgalloc/core");
const {
  collectGarbage,
  compare,
  printTable,
  formatNs,
  writeJson,
} = require("../../core/bench/harness");

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    case: { type: "string" },
    json: { type: "string" },
  },
  strict: true,
});
const quick = flags.quick;
const only = flags.only;
if (only !== undefined && !["alloc", "push", "rss"].includes(only)) {
  console.error(`--only ${only}: expected alloc, push or rss`);
  process.exit(2);
}
/** What --json writes: one entry per table printed. */
const comparisons = [];

const ALLOC_ELEMENTS = 8388608; // 64 MiB of doubles
const PUSH_COUNT = 50_000_000;
let sink = 0;

// ---- 1. allocate, fill, drop ---------------------------------------------------------

let fillValue = 0;
let allocFloor;

const allocCases = {
  "new Float64Array": () => {
    const array = new Float64Array(ALLOC_ELEMENTS);
    array.fill(++fillValue);
    sink += array[ALLOC_ELEMENTS - 1];
  },
  "LargeVec (zeroed)": () => {
    const vec = new LargeVec(Float64Array, ALLOC_ELEMENTS);
    vec.view().fill(++fillValue);
    sink += vec.get(ALLOC_ELEMENTS - 1);
    vec.dispose();
  },
  "LargeVec.allocUnsafe": () => {
    const vec = LargeVec.allocUnsafe(Float64Array, ALLOC_ELEMENTS);
    vec.view().fill(++fillValue);
    sink += vec.get(ALLOC_ELEMENTS - 1);
    vec.dispose();
  },
  "floor (one array)": () => {
    allocFloor ??= new Float64Array(ALLOC_ELEMENTS);
    allocFloor.fill(++fillValue);
    sink += allocFloor[ALLOC_ELEMENTS - 1];
  },
};

// ---- 2. push 50 million doubles -----------------------------------------------------

let pushFloor;
let arrow;

// Each case is its own function, so that each loop gets its own type feedback.
function pushLargeVec() {
  const vec = new LargeVec(Float64Array);
  for (let i = 0; i < PUSH_COUNT; i++) vec.push(i * 0.5);
  sink += vec.get(PUSH_COUNT - 1) + vec.length;
  vec.dispose();
}

/** The same pushes without growth, to show what growing costs. */
function pushLargeVecPresized() {
  const vec = LargeVec.withCapacity(Float64Array, PUSH_COUNT);
  for (let i = 0; i < PUSH_COUNT; i++) vec.push(i * 0.5);
  sink += vec.get(PUSH_COUNT - 1) + vec.length;
  vec.dispose();
}

function pushArray() {
  const array = [];
  for (let i = 0; i < PUSH_COUNT; i++) array.push(i * 0.5);
  sink += array[PUSH_COUNT - 1] + array.length;
}

function pushArrowBuilder() {
  arrow ??= require("apache-arrow");
  const builder = arrow.makeBuilder({ type: new arrow.Float64(), nullValues: [] });
  for (let i = 0; i < PUSH_COUNT; i++) builder.append(i * 0.5);
  const vector = builder.finish().toVector();
  sink += vector.get(PUSH_COUNT - 1) + vector.length;
}

/** The least a push method can do: no checks, no growth, no conversion. */
class BarePush {
  constructor(capacity) {
    this.array = new Float64Array(capacity);
    this.length = 0;
  }
  push(value) {
    this.array[this.length] = value;
    return ++this.length;
  }
}
let barePush;

function pushBareClass() {
  barePush ??= new BarePush(PUSH_COUNT);
  barePush.length = 0;
  for (let i = 0; i < PUSH_COUNT; i++) barePush.push(i * 0.5);
  sink += barePush.array[PUSH_COUNT - 1] + barePush.length;
}

function writeInto(array) {
  for (let i = 0; i < PUSH_COUNT; i++) array[i] = i * 0.5;
  sink += array[PUSH_COUNT - 1];
}

function pushFloorOnce() {
  pushFloor ??= new Float64Array(PUSH_COUNT);
  writeInto(pushFloor);
}

function pushFloorFresh() {
  writeInto(new Float64Array(PUSH_COUNT));
}

const pushCases = {
  LargeVec: pushLargeVec,
  "LargeVec.withCapacity (no growth)": pushLargeVecPresized,
  "Array#push": pushArray,
  "Arrow Float64 builder": pushArrowBuilder,
  "floor (pre-sized, allocated once)": pushFloorOnce,
  "floor (pre-sized, allocated per run)": pushFloorFresh,
  "bare push method (pre-sized, allocated once)": pushBareClass,
};

// ---- running ---------------------------------------------------------------------------

const CASE_NAMES = {
  "alloc-f64": ["alloc", "new Float64Array"],
  "alloc-vec": ["alloc", "LargeVec (zeroed)"],
  "alloc-unsafe": ["alloc", "LargeVec.allocUnsafe"],
  "alloc-floor": ["alloc", "floor (one array)"],
  "push-vec": ["push", "LargeVec"],
  "push-vec-presized": ["push", "LargeVec.withCapacity (no growth)"],
  "push-array": ["push", "Array#push"],
  "push-arrow": ["push", "Arrow Float64 builder"],
  "push-floor": ["push", "floor (pre-sized, allocated once)"],
  "push-floor-fresh": ["push", "floor (pre-sized, allocated per run)"],
  "push-bare": ["push", "bare push method (pre-sized, allocated once)"],
};

function toCases(table) {
  return Object.entries(table).map(([name, body]) => ({
    name,
    run(n) {
      for (let k = 0; k < n; k++) body();
    },
  }));
}

function ratioLine(label, value, target, better) {
  const ok = better === "lower" ? value <= target : value >= target;
  const verdict = ok ? "meets" : "MISSES";
  return `  ${label.padEnd(46)} ${value.toFixed(2).padStart(6)}x   target ${better === "lower" ? "<=" : ">="} ${target}x   ${verdict}`;
}

function runAlloc() {
  const results = compare(
    toCases(allocCases),
    quick ? { rounds: 9, minRoundMs: 50 } : { rounds: 31, minRoundMs: 100 },
  );
  const title = "1. allocate 64 MiB of doubles (8388608), fill, drop (per cycle)";
  printTable(title, results, "floor (one array)");
  comparisons.push({
    id: "alloc-fill-drop",
    title: "allocate 64 MiB of doubles, fill, drop (per cycle)",
    baseline: "floor (one array)",
    results,
  });
  const t = Object.fromEntries(results.map((r) => [r.name, r.medianNs]));
  console.log("\nratios (medians):");
  console.log(
    ratioLine(
      "allocUnsafe / floor",
      t["LargeVec.allocUnsafe"] / t["floor (one array)"],
      1.25,
      "lower",
    ),
  );
  console.log(
    ratioLine(
      "new Float64Array / allocUnsafe",
      t["new Float64Array"] / t["LargeVec.allocUnsafe"],
      6,
      "higher",
    ),
  );
  console.log(
    ratioLine(
      "new Float64Array / LargeVec (zeroed)",
      t["new Float64Array"] / t["LargeVec (zeroed)"],
      4,
      "higher",
    ),
  );
  console.log(
    ratioLine(
      "LargeVec (zeroed) / floor (for reference)",
      t["LargeVec (zeroed)"] / t["floor (one array)"],
      2,
      "lower",
    ),
  );
}

function runPush() {
  const results = compare(
    toCases(pushCases),
    // Collect before each case, untimed: Array#push and the Arrow builder leave hundreds of
    // MiB of garbage that would otherwise be collected on the next case's clock. (They are
    // not charged for it either, which flatters them, not LargeVec.)
    quick
      ? { rounds: 3, warmupRounds: 1, minRoundMs: 1, settle: collectGarbage }
      : { rounds: 9, warmupRounds: 2, minRoundMs: 1, settle: collectGarbage },
  );
  const title = `2. push ${PUSH_COUNT / 1e6} million doubles one at a time (per run)`;
  printTable(title, results, "floor (pre-sized, allocated once)");
  comparisons.push({
    id: "push",
    title: `push ${PUSH_COUNT / 1e6} million doubles one at a time (per run)`,
    baseline: "floor (pre-sized, allocated once)",
    results,
  });
  const t = Object.fromEntries(results.map((r) => [r.name, r.medianNs]));
  console.log("\nratios (medians):");
  console.log(
    ratioLine(
      "LargeVec / floor (allocated once)",
      t.LargeVec / t["floor (pre-sized, allocated once)"],
      1.5,
      "lower",
    ),
  );
  console.log(
    ratioLine(
      "LargeVec / floor (allocated per run)",
      t.LargeVec / t["floor (pre-sized, allocated per run)"],
      1.5,
      "lower",
    ),
  );
  const bare = t["bare push method (pre-sized, allocated once)"];
  console.log(
    ratioLine("LargeVec (with growth) / bare push method", t.LargeVec / bare, 1.5, "lower"),
  );
  console.log(
    ratioLine(
      "LargeVec.withCapacity / bare push method",
      t["LargeVec.withCapacity (no growth)"] / bare,
      1.2,
      "lower",
    ),
  );
  console.log(
    ratioLine(
      "bare push method / floor (what any method costs)",
      t["bare push method (pre-sized, allocated once)"] / t["floor (pre-sized, allocated once)"],
      1.5,
      "lower",
    ),
  );
  console.log(
    ratioLine("Arrow builder / LargeVec", t["Arrow Float64 builder"] / t.LargeVec, 3, "higher"),
  );
  console.log(
    ratioLine("Array#push / LargeVec (for reference)", t["Array#push"] / t.LargeVec, 1, "higher"),
  );
  console.log(
    `  per element: LargeVec ${formatNs(t.LargeVec / PUSH_COUNT)}, floor ${formatNs(t["floor (pre-sized, allocated once)"] / PUSH_COUNT)}`,
  );
}

/**
 * Where the growth case's extra time goes: user and system CPU time and minor page faults
 * per run, with growth and without (medians of 5 runs each, interleaved). The system time
 * is the kernel's: moving pages between regions on reallocate and faulting them in.
 */
function runPushCpu() {
  const runs = { LargeVec: [], "LargeVec.withCapacity": [] };
  const bodies = { LargeVec: pushLargeVec, "LargeVec.withCapacity": pushLargeVecPresized };
  for (let round = 0; round < (quick ? 2 : 5); round++) {
    for (const [name, body] of Object.entries(bodies)) {
      collectGarbage();
      const before = process.resourceUsage();
      body();
      const after = process.resourceUsage();
      runs[name].push([
        (after.userCPUTime - before.userCPUTime) / 1000,
        (after.systemCPUTime - before.systemCPUTime) / 1000,
        after.minorPageFault - before.minorPageFault,
      ]);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log("\npush: CPU time per run (medians)      user ms   system ms   minor faults");
  for (const [name, samples] of Object.entries(runs)) {
    const [user, system, faults] = [0, 1, 2].map((i) => median(samples.map((s) => s[i])));
    console.log(
      `  ${name.padEnd(34)} ${user.toFixed(0).padStart(7)}   ${system.toFixed(0).padStart(9)}   ${String(faults).padStart(12)}`,
    );
  }
}

/** Child mode: runs one case `repeat` times, prints its peak RSS and time as JSON. */
function runOneCase(id) {
  const entry = CASE_NAMES[id];
  if (entry === undefined) {
    console.error(`unknown case ${id}; expected one of ${Object.keys(CASE_NAMES).join(", ")}`);
    process.exit(2);
  }
  const [group, name] = entry;
  const body = (group === "alloc" ? allocCases : pushCases)[name];
  const repeat = group === "alloc" ? (quick ? 20 : 50) : quick ? 2 : 3;
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) body();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ id, group, name, repeat, ms, maxRssBytes, sink: sink > 0 }));
}

function runRss() {
  const rows = [["case", "peak RSS", "runs", "time per run"]];
  const peaks = { alloc: [], push: [] };
  for (const id of Object.keys(CASE_NAMES)) {
    const args = [__filename, "--case", id, ...(quick ? ["--quick"] : [])];
    const child = spawnSync(process.execPath, args, { encoding: "utf8", env: process.env });
    if (child.status !== 0) {
      rows.push([id, `failed (${child.status ?? child.signal})`, "", ""]);
      process.stderr.write(child.stderr);
      continue;
    }
    const result = JSON.parse(child.stdout.trim().split("\n").pop());
    peaks[result.group].push({ name: result.name, maxRssBytes: result.maxRssBytes });
    rows.push([
      `${result.group}: ${result.name}`,
      `${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
      String(result.repeat),
      formatNs((result.ms * 1e6) / result.repeat),
    ]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const parentMiB = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
  const title = `3. peak RSS per case (each in its own process; maxRSS at its end; the parent held ${parentMiB} MiB when it forked)`;
  console.log(`\n${title}`);
  const rss = (id, what, baseline, results) => ({
    id,
    title: `peak RSS: ${what} (each case in a process of its own)`,
    unit: "bytes",
    baseline,
    results,
  });
  comparisons.push(
    rss("alloc-rss", "allocate 64 MiB of doubles, fill, drop", "floor (one array)", peaks.alloc),
    rss(
      "push-rss",
      `push ${PUSH_COUNT / 1e6} million doubles`,
      "floor (pre-sized, allocated once)",
      peaks.push,
    ),
  );

  for (const row of rows) {
    console.log(
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
        .join("  "),
    );
  }
}

if (flags.case !== undefined) {
  runOneCase(flags.case);
} else {
  console.log(
    `backend: ${backendKind()}, node ${process.version}, ${quick ? "quick" : "full"} run`,
  );
  // Peak RSS first: a child's maxRSS starts at its parent's RSS when it forks (Linux keeps
  // the high-water mark across exec), so the parent must still be small.
  if (only === undefined || only === "rss") runRss();
  if (only === undefined || only === "alloc") runAlloc();
  if (only === undefined || only === "push") {
    runPush();
    runPushCpu();
  }
  const s = stats();
  console.log(
    `\npool: ${s.totals.allocations} allocations, ${s.totals.refill} refills, mapped ${(s.mappedBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  if (sink === 0.5) console.log(""); // keep the results observable
  if (flags.json !== undefined) {
    writeJson(flags.json, { bench: "collections", backend: backendKind(), quick, comparisons });
  }
}
