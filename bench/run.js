// `npm run bench`: runs every benchmark of bench/entries.js (each side by side with its
// alternatives, repeated), then writes one report: bench-report/README.md with the machine,
// the headline ratios and, per comparison, a table of medians and ratios and an SVG chart.
//
//   npm run bench [-- --quick] [-- --only native,core,collections,arrow] [-- --out <dir>]
//   npm run bench -- --report-only      (rewrites the report from <dir>/raw, runs nothing)
//
// --quick: short runs (under two minutes once the native benchmark is built). Each
// benchmark's own output goes to the console as it runs; its JSON results are kept in
// <dir>/raw, with run.json describing the run (machine, mode, time).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const { ENTRIES } = require("./entries");
const { describeMachine } = require("./machine");
const { mergeRuns, writeReport } = require("./report");

const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run bench [-- --quick] [-- --only <id>[,<id>...]] [-- --out <dir>]
       npm run bench -- --report-only [--out <dir>]
  --quick        short runs of every benchmark (under two minutes once built)
  --only         run only these benchmarks: ${ENTRIES.map((e) => e.id).join(", ")}
  --out          directory of the report (default: bench-report)
  --report-only  run nothing: rewrite the report from the results in <dir>/raw
  --help         this text`;

function parseFlags(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string", default: path.join(ROOT, "bench-report") },
      "report-only": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  let entries = ENTRIES;
  if (values.only !== undefined) {
    const ids = values.only.split(",").filter(Boolean);
    const unknown = ids.filter((id) => !ENTRIES.some((e) => e.id === id));
    if (unknown.length > 0 || ids.length === 0) {
      throw Object.assign(new Error(`--only: unknown benchmark ${unknown.join(", ") || "''"}`), {
        code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
      });
    }
    entries = ENTRIES.filter((e) => ids.includes(e.id));
  }
  return { ...values, entries };
}

/** Runs one entry `runs` times; returns its comparisons per run, or the reason it failed. */
function runEntry(entry, quick, raw) {
  const runs = quick ? entry.runs.quick : entry.runs.full;
  const results = [];
  for (let run = 1; run <= runs; run++) {
    console.log(
      `\n=== ${entry.id}: ${entry.command}${quick ? " -- --quick" : ""} (run ${run} of ${runs}) ===`,
    );
    const json = path.join(raw, `${entry.id}-${run}.json`);
    const args = [...entry.program, ...(quick ? ["--quick"] : []), "--json", json];
    const child = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
    if (child.status !== 0) {
      return { failed: `${entry.command} exited with ${child.status ?? child.signal}` };
    }
    results.push(entry.read(JSON.parse(fs.readFileSync(json, "utf8"))));
  }
  return { results };
}

/** The sections of an earlier run, from the JSON files it left in `raw`. */
function readRaw(raw) {
  const runFile = path.join(raw, "run.json");
  if (!fs.existsSync(runFile)) throw new Error(`--report-only: no earlier run in ${raw}`);
  const run = JSON.parse(fs.readFileSync(runFile, "utf8"));
  const sections = [];
  for (const entry of ENTRIES) {
    const failed = run.failed?.[entry.id];
    const files = fs
      .readdirSync(raw)
      .filter((file) => file.startsWith(`${entry.id}-`) && file.endsWith(".json"))
      .sort();
    if (failed) {
      sections.push({ entry, comparisons: [], runs: 0, failed });
    } else if (files.length > 0) {
      const results = files.map((file) =>
        entry.read(JSON.parse(fs.readFileSync(path.join(raw, file), "utf8"))),
      );
      sections.push({ entry, comparisons: mergeRuns(results), runs: results.length });
    }
  }
  return { run, sections };
}

async function main() {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const raw = path.join(flags.out, "raw");
  let run;
  let sections;
  if (flags["report-only"]) {
    try {
      ({ run, sections } = readRaw(raw));
    } catch (error) {
      console.error(error.message);
      return 1;
    }
  } else {
    const startedAt = new Date();
    const machine = describeMachine();
    fs.rmSync(raw, { recursive: true, force: true });
    fs.mkdirSync(raw, { recursive: true });
    sections = [];
    for (const entry of flags.entries) {
      const outcome = runEntry(entry, flags.quick, raw);
      sections.push(
        outcome.failed
          ? { entry, comparisons: [], runs: 0, failed: outcome.failed }
          : { entry, comparisons: mergeRuns(outcome.results), runs: outcome.results.length },
      );
    }
    run = {
      machine,
      quick: flags.quick,
      command: `npm run bench${flags.quick ? " -- --quick" : ""}`,
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      failed: Object.fromEntries(
        sections.filter((s) => s.failed).map((s) => [s.entry.id, s.failed]),
      ),
    };
    fs.writeFileSync(path.join(raw, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
  }
  const heads = await writeReport(flags.out, {
    ...run,
    startedAt: new Date(run.startedAt),
    sections,
  });
  console.log(
    `\n=== report: ${path.relative(process.cwd(), path.join(flags.out, "README.md"))} ===`,
  );
  for (const h of heads) console.log(`  ${h.label}: ${h.ratio.toFixed(2)}x`);
  const failed = sections.filter((s) => s.failed);
  for (const s of failed) console.error(`not measured: ${s.entry.id}: ${s.failed}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
