// A small side-by-side benchmark harness. The machine is shared and noisy, so cases run
// interleaved (A, B, C, A, B, C, ...) in many short rounds, and each case reports the
// median of its rounds: a burst of noise hits every case alike instead of one of them.
"use strict";

/**
 * @param {{name: string, setup?: () => void, run: (iterations: number) => void, teardown?: () => void}[]} cases
 * @param {{rounds?: number, warmupRounds?: number, minRoundMs?: number, settle?: () => void}} options
 *   `warmupRounds` run first and are not measured (memory touched for the first time is
 *   slow on a fresh virtual machine: the host backs it lazily); `settle` runs untimed
 *   before each case's round: e.g. a garbage collection, so that one case's garbage is not
 *   collected on the next case's clock.
 * @returns {{name: string, medianNs: number, p10Ns: number, p90Ns: number}[]}
 */
function compare(cases, { rounds = 31, warmupRounds = 0, minRoundMs = 20, settle } = {}) {
  for (const c of cases) c.setup?.();
  // Calibrate: iterations per round so that each round of each case takes minRoundMs.
  const iterations = cases.map((c) => {
    let n = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      c.run(n);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (ms >= minRoundMs || n >= 1 << 24) return n;
      n *= ms < minRoundMs / 8 ? 8 : 2;
    }
  });
  const samples = cases.map(() => []);
  for (let round = 0; round < warmupRounds + rounds; round++) {
    cases.forEach((c, i) => {
      settle?.();
      const start = process.hrtime.bigint();
      c.run(iterations[i]);
      const ns = Number(process.hrtime.bigint() - start) / iterations[i];
      if (round >= warmupRounds) samples[i].push(ns);
    });
  }
  for (const c of cases) c.teardown?.();
  return cases.map((c, i) => {
    const sorted = samples[i].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { name: c.name, medianNs: at(0.5), p10Ns: at(0.1), p90Ns: at(0.9) };
  });
}

/**
 * Full garbage collections, for `settle`: two, because V8 frees a dead ArrayBuffer's memory
 * on a background thread after the collection that found it, and the next collection waits
 * for that sweep. With one, a case that drops large buffers (the bare doubling push drops
 * 800 MB) had its munmaps run during the next case, which paid for them in system time and
 * in waits on the mmap lock. Exposes `gc` at run time when node was started without
 * --expose-gc.
 */
function collectGarbage() {
  if (typeof globalThis.gc !== "function") {
    require("node:v8").setFlagsFromString("--expose-gc");
    globalThis.gc = require("node:vm").runInNewContext("gc");
  }
  globalThis.gc();
  globalThis.gc();
}

function formatNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/** Prints an aligned table with each case's ratio to `baseline` (a case name). */
function printTable(title, results, baseline) {
  const base = results.find((r) => r.name === baseline);
  const rows = [["case", "median", "p10", "p90", `vs ${baseline}`]];
  for (const r of results) {
    rows.push([
      r.name,
      formatNs(r.medianNs),
      formatNs(r.p10Ns),
      formatNs(r.p90Ns),
      base ? `${(r.medianNs / base.medianNs).toFixed(2)}x` : "",
    ]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  console.log(`\n${title}`);
  for (const row of rows)
    console.log(
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
        .join("  "),
    );
}

/**
 * Writes a benchmark's results as JSON to `file` (for scripts/bench.js, which builds the
 * report): `{ bench, backend, quick, comparisons: [{ id, title, baseline, results }] }`,
 * `results` as `compare` returns them. The console output stays as it is.
 */
function writeJson(file, report) {
  require("node:fs").writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

module.exports = { collectGarbage, compare, formatNs, printTable, writeJson };
