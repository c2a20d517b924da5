// Allocate, touch and release 2 MiB from JS, side by side:
//   region (allocateUnsafe)  allocateUnsafe(2 MiB), one write per 4 KiB page through a
//                            Float64Array view, dispose
//   region (allocate)        the same with allocate(), which zeroes the region unless the
//                            pool knows it is zero (Buffer.alloc vs Buffer.allocUnsafe)
//   fresh      new Float64Array(262144) with the same writes (the GC reclaims it)
//   floor      the same writes into one Float64Array allocated once
// and the cost of allocate + dispose alone, against `new ArrayBuffer(2 MiB)` (the GC
// reclaims it; issue 13: target <= 0.35 µs per allocateUnsafe+dispose).
// Run: npm run bench:core [-- --quick]
// [-- --json <file>]: --json also writes the results for scripts/bench.js's report.
"use strict";

const { parseArgs } = require("node:util");
const { allocate, allocateUnsafe, backendKind, stats } = require("@lgalloc/core");
const { compare, printTable, formatNs, writeJson } = require("./harness");

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean", default: false }, json: { type: "string" } },
  strict: true,
});
const quick = flags.quick;
const BYTES = 2 * 2 ** 20;
const ELEMENTS = BYTES / 8;
const PAGE_ELEMENTS = 4096 / 8;
let sink = 0;

function touch(array) {
  for (let i = 0; i < ELEMENTS; i += PAGE_ELEMENTS) array[i] = i;
  sink += array[ELEMENTS - PAGE_ELEMENTS];
}

const floorArray = new Float64Array(ELEMENTS);
const cases = [
  {
    name: "region (allocateUnsafe)",
    run(n) {
      for (let k = 0; k < n; k++) {
        const region = allocateUnsafe(BYTES);
        touch(region.view(Float64Array));
        region.dispose();
      }
    },
  },
  {
    name: "region (allocate, zeroed)",
    run(n) {
      for (let k = 0; k < n; k++) {
        const region = allocate(BYTES);
        touch(region.view(Float64Array));
        region.dispose();
      }
    },
  },
  {
    name: "fresh Float64Array",
    run(n) {
      for (let k = 0; k < n; k++) touch(new Float64Array(ELEMENTS));
    },
  },
  {
    name: "floor (one array)",
    run(n) {
      for (let k = 0; k < n; k++) touch(floorArray);
    },
  },
  {
    name: "allocateUnsafe+dispose",
    run(n) {
      for (let k = 0; k < n; k++) allocateUnsafe(BYTES).dispose();
    },
  },
  {
    name: "allocate+dispose (zeroed)",
    run(n) {
      for (let k = 0; k < n; k++) allocate(BYTES).dispose();
    },
  },
  {
    name: "new ArrayBuffer(2 MiB)",
    run(n) {
      for (let k = 0; k < n; k++) sink += new ArrayBuffer(BYTES).byteLength;
    },
  },
];
const CYCLE_CASES = new Set([
  "region (allocateUnsafe)",
  "region (allocate, zeroed)",
  "fresh Float64Array",
  "floor (one array)",
]);

console.log(`backend: ${backendKind()}, node ${process.version}, ${quick ? "quick" : "full"} run`);
const results = compare(
  cases,
  quick ? { rounds: 7, minRoundMs: 10 } : { rounds: 41, minRoundMs: 25 },
);
const TITLE = "2 MiB: allocate, write one value per 4 KiB page, release (per cycle)";
const ALONE_TITLE = "2 MiB: allocate and release, nothing written (per cycle)";
const cycleResults = results.filter((r) => CYCLE_CASES.has(r.name));
const aloneResults = results.filter((r) => !CYCLE_CASES.has(r.name));
printTable(TITLE, cycleResults, "region (allocateUnsafe)");
printTable(ALONE_TITLE, aloneResults, "allocateUnsafe+dispose");
if (flags.json !== undefined) {
  writeJson(flags.json, {
    bench: "core",
    backend: backendKind(),
    quick,
    comparisons: [
      {
        id: "region-cycle",
        title: TITLE,
        baseline: "region (allocateUnsafe)",
        results: cycleResults,
      },
      {
        id: "region-alone",
        title: ALONE_TITLE,
        baseline: "allocateUnsafe+dispose",
        results: aloneResults,
      },
    ],
  });
}

const byName = Object.fromEntries(results.map((r) => [r.name, r.medianNs]));
const unsafe = byName["region (allocateUnsafe)"];
const zeroed = byName["region (allocate, zeroed)"];
const fresh = byName["fresh Float64Array"];
const floor = byName["floor (one array)"];
console.log("\nratios (medians):");
console.log(
  `  fresh Float64Array / allocateUnsafe   ${(fresh / unsafe).toFixed(1)}x (target >= 20x)`,
);
console.log(
  `  allocateUnsafe / floor                ${(unsafe / floor).toFixed(2)}x (target <= 1.5x)`,
);
console.log(`  fresh Float64Array / allocate (zeroed) ${(fresh / zeroed).toFixed(1)}x`);
console.log(
  `  allocate (zeroed) / allocateUnsafe    ${(zeroed / unsafe).toFixed(2)}x (what zeroing 2 MiB costs)`,
);
console.log(
  `allocateUnsafe+dispose alone: ${formatNs(byName["allocateUnsafe+dispose"])} (target <= 350 ns), ` +
    `allocate+dispose (zeroed): ${formatNs(byName["allocate+dispose (zeroed)"])}, ` +
    `new ArrayBuffer(2 MiB): ${formatNs(byName["new ArrayBuffer(2 MiB)"])}`,
);
const s = stats();
console.log(
  `pool: ${s.totals.allocations} allocations, ${s.totals.refill} refills, mapped ${s.mappedBytes / 2 ** 20} MiB`,
);
if (sink === 0.5) console.log(""); // keep the writes observable
