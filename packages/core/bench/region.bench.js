// Allocate, touch and release 2 MiB from JS, side by side:
//   region     allocate(2 MiB), one write per 4 KiB page through a Float64Array view, dispose
//   fresh      new Float64Array(262144) with the same writes (the GC reclaims it)
//   floor      the same writes into one Float64Array allocated once
// and the cost of allocate + dispose alone. Run: npm run bench:core [-- --quick]
// [-- --json <file>]: --json also writes the results for scripts/bench.js's report.
"use strict";

const { parseArgs } = require("node:util");
const { allocate, backendKind, stats } = require("@lgalloc/core");
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
    name: "region",
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
    name: "allocate+dispose",
    run(n) {
      for (let k = 0; k < n; k++) allocate(BYTES).dispose();
    },
  },
];

console.log(`backend: ${backendKind()}, node ${process.version}, ${quick ? "quick" : "full"} run`);
const results = compare(
  cases,
  quick ? { rounds: 7, minRoundMs: 10 } : { rounds: 41, minRoundMs: 25 },
);
const TITLE = "2 MiB: allocate, write one value per 4 KiB page, release (per cycle)";
printTable(TITLE, results, "region");
if (flags.json !== undefined) {
  writeJson(flags.json, {
    bench: "core",
    backend: backendKind(),
    quick,
    comparisons: [{ id: "region-cycle", title: TITLE, baseline: "region", results }],
  });
}

const byName = Object.fromEntries(results.map((r) => [r.name, r.medianNs]));
const speedup = byName["fresh Float64Array"] / byName.region;
const overFloor = byName.region / byName["floor (one array)"];
console.log(`\nregion is ${speedup.toFixed(1)}x faster than a fresh Float64Array (target >= 20x)`);
console.log(`region costs ${overFloor.toFixed(2)}x the floor (target <= 1.5x)`);
console.log(`allocate+dispose alone: ${formatNs(byName["allocate+dispose"])}`);
const s = stats();
console.log(
  `pool: ${s.totals.allocations} allocations, ${s.totals.refill} refills, mapped ${s.mappedBytes / 2 ** 20} MiB`,
);
if (sink === 0.5) console.log(""); // keep the writes observable
