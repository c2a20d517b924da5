// `npm run bench`: runs every benchmark of bench/entries.js (each side by side with its
// alternatives, repeated), then writes one report: bench-report/README.md with the machine,
// the headline ratios and, per comparison, a table of medians and ratios and an SVG chart.
//
//   npm run bench [-- --quick] [-- --only native,core,collections] [-- --out <dir>]
//
// --quick: short runs (under two minutes once the native benchmark is built). Each
// benchmark's own output goes to the console as it runs.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const { ENTRIES } = require("./entries");
const { describeMachine } = require("./machine");
const { writeReport } = require("./report");

const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run bench [-- --quick] [-- --only <id>[,<id>...]] [-- --out <dir>]
  --quick   short runs of every benchmark (under two minutes once built)
  --only    run only these benchmarks: ${ENTRIES.map((e) => e.id).join(", ")}
  --out     directory of the report (default: bench-report)
  --help    this text`;

function parseFlags(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string", default: path.join(ROOT, "bench-report") },
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
function runEntry(entry, quick, scratch) {
  const runs = quick ? entry.runs.quick : entry.runs.full;
  const results = [];
  for (let run = 1; run <= runs; run++) {
    console.log(
      `\n=== ${entry.id}: ${entry.command}${quick ? " -- --quick" : ""} (run ${run} of ${runs}) ===`,
    );
    const json = path.join(scratch, `${entry.id}-${run}.json`);
    const args = [...entry.program, ...(quick ? ["--quick"] : []), "--json", json];
    const child = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
    if (child.status !== 0) {
      return { failed: `${entry.command} exited with ${child.status ?? child.signal}` };
    }
    results.push(entry.read(JSON.parse(fs.readFileSync(json, "utf8"))));
  }
  return { results };
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
  const { mergeRuns } = require("./report");
  const startedAt = new Date();
  const machine = describeMachine();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-bench-"));
  const sections = [];
  try {
    for (const entry of flags.entries) {
      const outcome = runEntry(entry, flags.quick, scratch);
      sections.push(
        outcome.failed
          ? { entry, comparisons: [], runs: 0, failed: outcome.failed }
          : { entry, comparisons: mergeRuns(outcome.results), runs: outcome.results.length },
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const command = `npm run bench${flags.quick ? " -- --quick" : ""}`;
  const heads = await writeReport(flags.out, {
    machine,
    quick: flags.quick,
    command,
    startedAt,
    seconds,
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
