// `npm run stress`: the hardening scenarios of test/stress, each in a process of its own
// with a bounded time, and one table of what they did and what went wrong:
//
//   node scripts/stress.js [--profile short|full] [--only <substring>] [--json <file>]
//
// The full profile takes about 12 minutes; the short one (what `npm test` runs) under 2.
// A scenario passes when it exits 0 and reports nothing lost, no unexpected error and no
// note. Native fuzzing (libFuzzer) joins the table when clang is installed.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, "test", "stress");

/** name, file, backend, and seconds per profile (what the scenario spends its time on). */
const SCENARIOS = [
  ["8 workers: ownership patterns, transfers (native)", "workers-ownership", "native", 8, 120],
  ["8 workers: ownership patterns, transfers (fallback)", "workers-ownership", "fallback", 4, 60],
  ["release by GC only: 64 MiB vectors, Arrow tables (native)", "gc-only", "native", 0, 0],
  ["release by GC only: 64 MiB vectors, Arrow tables (fallback)", "gc-only", "fallback", 0, 0],
  ["memory limit from several workers (native)", "memory-limit", "native", 3, 60],
  ["memory limit from several workers (fallback)", "memory-limit", "fallback", 3, 30],
  ["mmap refused by RLIMIT_AS (native)", "rlimit-as", "native", 1, 1],
  ["madvise refused, regions mlocked, no huge pages (native)", "madvise-faults", "native", 6, 60],
  ["workers terminated mid-operation (native)", "worker-terminate", "native", 6, 90],
  ["workers terminated mid-operation (fallback)", "worker-terminate", "fallback", 4, 45],
  ["exit/throw with live regions, tokens, workers (native)", "exit-modes", "native", 0, 0],
  ["background worker after churn (native)", "background-churn", "native", 0, 0],
].map(([name, file, backend, short, full]) => ({ name, file, backend, seconds: { short, full } }));

/** Whether `scenario` runs in `profile` (a null time leaves it out of that profile). */
const runsIn = (scenario, profile) => scenario.seconds[profile] !== null;

function runScenario(scenario, profile) {
  const seconds = Math.max(1, scenario.seconds[profile]);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [
      "--expose-gc",
      path.join(DIR, `${scenario.file}.scenario.js`),
      "--seconds",
      String(seconds),
      "--profile",
      profile,
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: (seconds + 300) * 1000,
      env: { ...process.env, LGALLOC_BACKEND: scenario.backend },
    },
  );
  const durationMs = Date.now() - started;
  let report;
  try {
    const lines = result.stdout.trim().split("\n");
    report = JSON.parse(lines[lines.length - 1]);
  } catch {
    const why = result.signal ?? result.error?.message ?? `exit ${result.status}`;
    const tail = `${result.stderr}`.trim().split("\n").slice(-3).join(" | ");
    report = { operations: 0, unexpected: 1, lost: 0, notes: [`no report (${why}): ${tail}`] };
  }
  if (result.status !== 0 && report.notes.length === 0) {
    report.notes.push(`exited with ${result.signal ?? result.status}`);
  }
  const passed =
    result.status === 0 &&
    report.lost === 0 &&
    report.unexpected === 0 &&
    report.notes.length === 0;
  return { ...scenario, ...report, durationMs, passed };
}

/** libFuzzer over the native core, when clang is here; its executions count as operations. */
function runNativeFuzzer(profile) {
  const seconds = profile === "short" ? 20 : 120;
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [path.join(__dirname, "fuzz-native.js"), "--seconds", String(seconds), "--scratch"],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (/clang\+\+ not found/.test(output)) return null;
  const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(output);
  const rss = /stat::peak_rss_mb:\s*(\d+)/.exec(output);
  const passed = result.status === 0;
  return {
    name: "native core under libFuzzer (ASan + UBSan)",
    operations: runs ? Number(runs[1]) : 0,
    faults: 0,
    expected: 0,
    unexpected: passed ? 0 : 1,
    lost: 0,
    peakRss: rss ? Number(rss[1]) * 2 ** 20 : 0,
    notes: passed ? [] : [output.trim().split("\n").slice(-5).join(" | ")],
    durationMs: Date.now() - started,
    passed,
  };
}

function printTable(rows) {
  const header = [
    "scenario",
    "operations",
    "duration",
    "faults",
    "errors expected",
    "unexpected",
    "peak RSS",
    "lost",
    "",
  ];
  const cells = rows.map((r) => [
    r.name,
    String(r.operations),
    `${(r.durationMs / 1000).toFixed(1)} s`,
    String(r.faults ?? 0),
    String(r.expected ?? 0),
    String(r.unexpected),
    `${Math.round((r.peakRss ?? 0) / 2 ** 20)} MiB`,
    String(r.lost),
    r.passed ? "ok" : `FAIL ${r.notes.join("; ")}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (row) =>
    row
      .map((cell, i) =>
        i === 0 || i === row.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .join("  ")
      .trimEnd();
  console.log(line(header));
  for (const row of cells) console.log(line(row));
}

/** Runs the scenarios of `profile`; returns one row per scenario. */
function stress({ profile = "full", only, fuzz = true } = {}) {
  const rows = [];
  for (const scenario of SCENARIOS) {
    if (only && !scenario.name.includes(only)) continue;
    if (!runsIn(scenario, profile)) continue;
    const row = runScenario(scenario, profile);
    console.log(`${row.passed ? "  ok  " : "  FAIL"} ${row.name}`);
    rows.push(row);
  }
  if (fuzz && (!only || "native core under libFuzzer".includes(only))) {
    const row = runNativeFuzzer(profile);
    if (row) {
      console.log(`${row.passed ? "  ok  " : "  FAIL"} ${row.name}`);
      rows.push(row);
    }
  }
  return rows;
}

module.exports = { stress, printTable };

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      profile: { type: "string", default: "full" },
      only: { type: "string" },
      json: { type: "string" },
    },
    strict: true,
  });
  if (values.profile !== "short" && values.profile !== "full") {
    console.error(`--profile: expected short or full, got ${values.profile}`);
    process.exitCode = 2;
  } else {
    const rows = stress({ profile: values.profile, only: values.only });
    console.log("");
    printTable(rows);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(rows, null, 2));
    process.exitCode = rows.length > 0 && rows.every((r) => r.passed) ? 0 : 1;
  }
}
