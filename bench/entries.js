// The benchmarks `npm run bench` runs, one entry each. An entry names the program and its
// arguments (each must accept `--quick` and `--json <file>`), how many times to run it,
// how to read its JSON into comparisons, and which ratios are headlines. Adding a
// benchmark is adding one entry here.
//
// A comparison is `{ id, title, unit: "ns" | "bytes", baseline, results: [{ name, median,
// low?, high? }] }`: every case measured side by side with its alternatives in one run;
// `median` is the median over the benchmark's own rounds, `low`/`high` its spread.
"use strict";

const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

/** The JS benches (bench/harness.js's writeJson): medians in ns, or peak RSS in bytes. */
function readHarnessJson(report) {
  return report.comparisons.map((comparison) => ({
    id: comparison.id,
    title: comparison.title,
    unit: comparison.unit ?? "ns",
    baseline: comparison.baseline,
    results: comparison.results.map((r) => ({
      name: r.name,
      median: r.medianNs ?? r.maxRssBytes,
      low: r.p10Ns,
      high: r.p90Ns,
    })),
  }));
}

const WORKLOAD_TITLES = {
  "alloc-free": "allocate and free 2 MiB, untouched",
  touch: "allocate 2 MiB, write one byte per 4 KiB page, free",
  handoff: "allocate 2 MiB on one thread, free on another",
};

/** The native bench's --json: one comparison per workload and thread count. */
function readNativeJson(report) {
  const groups = new Map();
  for (const row of report.rows) {
    const id = `${row.workload}-${row.threads}t`;
    if (!groups.has(id)) {
      const what = WORKLOAD_TITLES[row.workload] ?? row.workload;
      groups.set(id, {
        id,
        title: `native core, ${what}: ${row.threads} thread${row.threads > 1 ? "s" : ""} (median per op and thread)`,
        unit: "ns",
        baseline: "lgalloc",
        results: [],
      });
    }
    // The fastest batch as the low end: the figure other load disturbs least.
    groups.get(id).results.push({
      name: row.allocator,
      median: row.median_ns_per_op,
      low: row.best_ns_per_op,
    });
  }
  return [...groups.values()];
}

/**
 * `headlines`: ratios quoted at the top of the report, `slower / faster` of two cases of
 * one comparison (`what` names it in a few words): "faster takes 1/N of slower's time" (or
 * memory, for bytes). `faster` is the case expected to win; the report says so when it
 * does not.
 */
const ENTRIES = [
  {
    id: "native",
    title: "Native allocator core (C++): lgalloc against malloc and mmap",
    command: "npm run bench:native",
    program: [path.join(ROOT, "scripts", "native.js"), "bench", "--"],
    runs: { quick: 1, full: 3 },
    read: readNativeJson,
    headlines: [
      {
        comparison: "touch-1t",
        faster: "lgalloc",
        slower: "mmap",
        what: "C++: 2 MiB allocate+touch+free",
      },
      {
        comparison: "touch-1t",
        faster: "lgalloc",
        slower: "malloc",
        what: "C++: 2 MiB allocate+touch+free",
      },
      {
        comparison: "handoff-2t",
        faster: "lgalloc",
        slower: "malloc",
        what: "C++: 2 MiB across threads",
      },
    ],
  },
  {
    id: "core",
    title: "@lgalloc/core from JavaScript: regions against fresh typed arrays",
    command: "npm run bench:core",
    program: [path.join(ROOT, "packages", "core", "bench", "region.bench.js")],
    runs: { quick: 3, full: 5 },
    read: readHarnessJson,
    headlines: [
      {
        comparison: "region-cycle",
        faster: "region (allocateUnsafe)",
        slower: "fresh Float64Array",
        what: "JS: 2 MiB allocate+touch+release",
      },
    ],
  },
  {
    id: "collections",
    title: "@lgalloc/collections: LargeVec against typed arrays, Array and Arrow builders",
    command: "npm run bench:collections",
    program: [path.join(ROOT, "packages", "collections", "bench", "large-vec.bench.js")],
    runs: { quick: 1, full: 3 },
    read: readHarnessJson,
    headlines: [
      {
        comparison: "alloc-fill-drop",
        faster: "LargeVec.allocUnsafe",
        slower: "new Float64Array",
        what: "JS: 64 MiB of doubles, fill, drop",
      },
      {
        comparison: "alloc-rss",
        faster: "LargeVec.allocUnsafe",
        slower: "new Float64Array",
        what: "JS: 64 MiB of doubles, fill, drop",
      },
      {
        comparison: "push",
        faster: "LargeVec",
        slower: "Arrow Float64 builder",
        what: "JS: push 50 million doubles",
      },
      {
        comparison: "push",
        faster: "LargeVec",
        slower: "Array#push",
        what: "JS: push 50 million doubles",
      },
    ],
  },
  {
    id: "arrow",
    title:
      "@lgalloc/arrow: table builders against apache-arrow and flechette, IPC re-read and write",
    command: "npm run bench:arrow",
    program: [path.join(ROOT, "packages", "arrow", "bench", "arrow.bench.js")],
    // One run: the bench itself runs every case in its own process, 3 times interleaved
    // (once with --quick), and reports the medians.
    runs: { quick: 1, full: 1 },
    read: readHarnessJson,
    headlines: [
      {
        comparison: "build",
        faster: "ours: appendRow",
        slower: "apache-arrow makeBuilder, flushed every 64K",
        what: "Arrow: build a table row by row",
      },
      {
        comparison: "build",
        faster: "ours: pooledTableFromArrays",
        slower: "flechette tableFromArrays",
        what: "Arrow: build a table from columns",
      },
      {
        comparison: "build-rss",
        faster: "ours: appendRow",
        slower: "apache-arrow makeBuilder, one chunk",
        what: "Arrow: build a table row by row",
      },
      {
        comparison: "reread",
        faster: "reread: ours readIPCFileSync (reused region)",
        slower: "reread: fresh memory + apache-arrow tableFromIPC",
        what: "Arrow: re-read an IPC file",
      },
    ],
  },
];

module.exports = { ENTRIES };
