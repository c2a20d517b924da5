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
//      targets: LargeVec within 1.5x of the floor and >= 3x faster than the Arrow builder.
//   2b. push against the bare push methods (issue 8), in fresh processes of their own: each
//      runs LargeVec, LargeVec.withCapacity, a bare class over a pre-sized Float64Array and a
//      bare class that grows its Float64Array by doubling, interleaved (the order rotates
//      every round), and records wall time, user and system CPU time and minor page faults
//      per run. Printed: every round's ratios, each process's medians, the medians over all
//      rounds; and the huge pages backing a grown vector (the pools' AnonHugePages).
//      targets (issue 8: the bare class is one Float64Array and a length, no checks):
//      LargeVec (with growth) <= 1.5x the pre-sized bare class; LargeVec.withCapacity
//      <= 1.2x the pre-sized bare class. (LargeVec against the bare class that grows by
//      doubling is printed too, for reference: what a naive growing class costs.)
//   3. peak RSS of each case, each in a child process of its own (`--case <name>`), read
//      from process.resourceUsage().maxRSS at its end (run first, while this process is
//      small: a child's maxRSS starts at its parent's RSS at fork).
//
// Run: node packages/collections/bench/large-vec.bench.js [--quick]
//        [--only alloc|push|pairs|rss] [--json <file>]
//        (--json also writes the results for scripts/bench.js's report; --only push runs 2
//        and 2b, --only pairs 2b alone)
//      node packages/collections/bench/large-vec.bench.js --case <name>   (one case, JSON out)
//      node packages/collections/bench/large-vec.bench.js --pairs-child   (2b's child, JSON out)
"use strict";

const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");
const { LargeVec } = require("@lgalloc/collections");
const { backendKind, flushThreadCache, stats, trim } = require("@lgalloc/core");
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
    "pairs-child": { type: "boolean", default: false },
  },
  strict: true,
});
const quick = flags.quick;
const only = flags.only;
if (only !== undefined && !["alloc", "push", "pairs", "rss"].includes(only)) {
  console.error(`--only ${only}: expected alloc, push, pairs or rss`);
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

/**
 * The least a growing push method can do: the same bare class, growing its Float64Array by
 * doubling (a new array and one `TypedArray#set` copy) when full, on a slow path of its own.
 */
class BareGrowingPush {
  constructor() {
    this.array = new Float64Array(16);
    this.length = 0;
  }
  push(value) {
    const length = this.length;
    if (length < this.array.length) {
      this.array[length] = value;
      return (this.length = length + 1);
    }
    return this.grow(value);
  }
  grow(value) {
    const next = new Float64Array(this.array.length * 2);
    next.set(this.array);
    this.array = next;
    return this.push(value);
  }
}

function pushBareGrowing() {
  const bare = new BareGrowingPush();
  for (let i = 0; i < PUSH_COUNT; i++) bare.push(i * 0.5);
  sink += bare.array[PUSH_COUNT - 1] + bare.length;
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
  "bare push method (doubling growth)": pushBareGrowing,
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
  "push-bare-growing": ["push", "bare push method (doubling growth)"],
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
  return `  ${label.padEnd(54)} ${value.toFixed(2).padStart(6)}x   target ${better === "lower" ? "<=" : ">="} ${target}x   ${verdict}`;
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
  const bareGrowing = t["bare push method (doubling growth)"];
  console.log(
    ratioLine("LargeVec / bare push method (pre-sized)", t.LargeVec / bare, 1.5, "lower"),
  );
  console.log(
    ratioLine(
      "LargeVec.withCapacity / bare push method (pre-sized)",
      t["LargeVec.withCapacity (no growth)"] / bare,
      1.2,
      "lower",
    ),
  );
  console.log(
    `  ${"LargeVec / bare push method (doubling growth), for reference".padEnd(54)} ${(t.LargeVec / bareGrowing).toFixed(2).padStart(6)}x`,
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

// ---- 2b. push against the bare push methods, per round, in fresh processes -------------

const PAIR_CASES = {
  LargeVec: pushLargeVec,
  "LargeVec.withCapacity": pushLargeVecPresized,
  "bare (pre-sized)": pushBareClass,
  "bare (doubling growth)": pushBareGrowing,
};
/** [label, case, baseline case, target or undefined (printed for reference)] */
const PAIR_RATIOS = [
  ["LargeVec / bare (pre-sized)", "LargeVec", "bare (pre-sized)", 1.5],
  ["LargeVec.withCapacity / bare (pre-sized)", "LargeVec.withCapacity", "bare (pre-sized)", 1.2],
  ["LargeVec / bare (doubling growth)", "LargeVec", "bare (doubling growth)", undefined],
];
const PAIR_PROCESSES = quick ? 1 : 3;
const PAIR_ROUNDS = quick ? 3 : 7;
// A fresh process's pools hold no pages, and growth fills them slowly: each doubling swaps
// pages between the old region and the new (move_contents), so a region taken fresh gives
// the old one nothing, and the first run leaves every page in its final region; each later
// run fills the next class down (256 MiB of first-touch faults in the second run, 128 in
// the third, ...). The warm-up rounds let that finish (about 9 runs) so that the measured
// rounds show what a process that keeps pushing pays; the warm-up rounds' LargeVec times
// are printed too, for what a cold process pays.
const PAIR_WARMUP_ROUNDS = quick ? 2 : 10;

/**
 * Child mode: interleaved rounds of the pair cases (the starting case rotates each round, so
 * that none always runs right after a particular other), each run timed on the wall clock
 * and in user and system CPU time (process.resourceUsage: all threads, so the GC's helper
 * threads and the kernel's work on page faults and remapping count too).
 */
function runPairsChild() {
  const names = Object.keys(PAIR_CASES);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const warmupLargeVecMs = [];
  for (let round = 0; round < PAIR_WARMUP_ROUNDS + PAIR_ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      collectGarbage();
      const before = process.resourceUsage();
      const start = process.hrtime.bigint();
      PAIR_CASES[name]();
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const after = process.resourceUsage();
      if (round < PAIR_WARMUP_ROUNDS) {
        if (name === "LargeVec") warmupLargeVecMs.push(wallMs);
        continue;
      }
      samples[name].push({
        wallMs,
        userMs: (after.userCPUTime - before.userCPUTime) / 1000,
        systemMs: (after.systemCPUTime - before.systemCPUTime) / 1000,
        minorFaults: after.minorPageFault - before.minorPageFault,
      });
    }
  }
  // Untimed: how much of a grown vector's storage huge pages back. The pools are emptied
  // first (trim unmaps wholly free areas), so that the pages counted are the vector's own.
  collectGarbage();
  flushThreadCache();
  trim();
  const vec = new LargeVec(Float64Array);
  for (let i = 0; i < PUSH_COUNT; i++) vec.push(i);
  const hugeGrown = stats({ hugePages: true }).hugePageBytes;
  const vecBytes = vec.length * Float64Array.BYTES_PER_ELEMENT;
  vec.dispose();
  console.log(JSON.stringify({ samples, warmupLargeVecMs, hugeGrown, vecBytes, sink: sink > 0 }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function runPairs() {
  console.log(
    `\n2b. push ${PUSH_COUNT / 1e6} million doubles against the bare push methods: ` +
      `${PAIR_PROCESSES} fresh process(es), ${PAIR_ROUNDS} interleaved rounds each ` +
      `(after ${PAIR_WARMUP_ROUNDS} warm-up rounds); cpu = user + system, all threads`,
  );
  const processes = [];
  for (let p = 0; p < PAIR_PROCESSES; p++) {
    const args = [__filename, "--pairs-child", ...(quick ? ["--quick"] : [])];
    const child = spawnSync(process.execPath, args, {
      encoding: "utf8",
      env: process.env,
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) {
      console.log(`  process ${p + 1} failed (${child.status ?? child.signal})`);
      process.stderr.write(child.stderr);
      continue;
    }
    processes.push(JSON.parse(child.stdout.trim().split("\n").pop()));
  }
  if (processes.length === 0) return;
  const cpu = (s) => s.userMs + s.systemMs;
  const ratiosOf = (samples, name, baseline, measure) =>
    samples[name].map((s, round) => measure(s) / measure(samples[baseline][round]));

  processes.forEach(({ samples, warmupLargeVecMs, hugeGrown, vecBytes }, p) => {
    console.log(
      `\n  process ${p + 1}: LargeVec in the warm-up rounds (the pools filling), ms: ${warmupLargeVecMs.map((ms) => ms.toFixed(0)).join(" ")}`,
    );
    console.log(`  process ${p + 1}: medians per run`);
    console.log(
      `    ${"case".padEnd(24)} ${"wall ms".padStart(8)} ${"user ms".padStart(8)} ${"sys ms".padStart(7)} ${"cpu ms".padStart(7)} ${"faults".padStart(7)}`,
    );
    for (const [name, runs] of Object.entries(samples)) {
      const m = (f) => median(runs.map(f));
      console.log(
        `    ${name.padEnd(24)} ${m((s) => s.wallMs)
          .toFixed(0)
          .padStart(8)} ${m((s) => s.userMs)
          .toFixed(0)
          .padStart(8)} ${m((s) => s.systemMs)
          .toFixed(0)
          .padStart(
            7,
          )} ${m(cpu).toFixed(0).padStart(7)} ${String(m((s) => s.minorFaults)).padStart(7)}`,
      );
    }
    console.log("    per-round ratios (wall | cpu):");
    for (const [label, name, baseline] of PAIR_RATIOS) {
      const wall = ratiosOf(samples, name, baseline, (s) => s.wallMs);
      const cpuRatios = ratiosOf(samples, name, baseline, cpu);
      console.log(
        `      ${label.padEnd(42)} ${wall.map((r) => r.toFixed(2)).join(" ")} | ${cpuRatios.map((r) => r.toFixed(2)).join(" ")}`,
      );
    }
    console.log(
      `    huge pages backing a grown vector of ${(vecBytes / 2 ** 20).toFixed(0)} MiB (pools trimmed first): ${(hugeGrown / 2 ** 20).toFixed(0)} MiB (AnonHugePages of the pools)`,
    );
  });

  // Over every round of every process: a run's ratio is taken against the baseline's run of
  // the same round, so that a burst of load hits both sides of a ratio alike.
  const all = (name, baseline, measure) =>
    processes.flatMap(({ samples }) => ratiosOf(samples, name, baseline, measure));
  console.log(
    `\n  ratios, medians over all ${processes.length * PAIR_ROUNDS} rounds (wall | cpu):`,
  );
  for (const [label, name, baseline, target] of PAIR_RATIOS) {
    const wall = median(all(name, baseline, (s) => s.wallMs));
    const cpuRatio = median(all(name, baseline, cpu));
    const verdict =
      target === undefined
        ? "for reference"
        : `target <= ${target}x   ${wall <= target && cpuRatio <= target ? "meets" : "MISSES"}`;
    console.log(
      `    ${label.padEnd(42)} ${wall.toFixed(2).padStart(5)}x | ${cpuRatio.toFixed(2).padStart(5)}x   ${verdict}`,
    );
  }
  const results = Object.keys(PAIR_CASES).map((name) => {
    const wallNs = processes.flatMap(({ samples }) => samples[name].map((s) => s.wallMs * 1e6));
    const sorted = [...wallNs].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { name, medianNs: median(wallNs), p10Ns: at(0.1), p90Ns: at(0.9) };
  });
  comparisons.push({
    id: "push-bare",
    title: `push ${PUSH_COUNT / 1e6} million doubles against bare push methods (per run)`,
    baseline: "bare (pre-sized)",
    results,
  });
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
} else if (flags["pairs-child"]) {
  runPairsChild();
} else {
  console.log(
    `backend: ${backendKind()}, node ${process.version}, ${quick ? "quick" : "full"} run`,
  );
  // Peak RSS first: a child's maxRSS starts at its parent's RSS when it forks (Linux keeps
  // the high-water mark across exec), so the parent must still be small.
  if (only === undefined || only === "rss") runRss();
  if (only === undefined || only === "alloc") runAlloc();
  if (only === undefined || only === "push") runPush();
  if (only === undefined || only === "push" || only === "pairs") runPairs();
  const s = stats();
  console.log(
    `\npool: ${s.totals.allocations} allocations, ${s.totals.refill} refills, mapped ${(s.mappedBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  if (sink === 0.5) console.log(""); // keep the results observable
  if (flags.json !== undefined) {
    writeJson(flags.json, { bench: "collections", backend: backendKind(), quick, comparisons });
  }
}
