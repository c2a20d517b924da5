// `npm start`: the main demo. Generates synthetic market data (timestamp, symbol as a
// dictionary, price, size) into pooled Arrow columns, aggregates a VWAP per symbol per
// minute, writes the table to an Arrow IPC file and reads it back into pooled memory, and
// churns many large scratch vectors; each stage is timed beside the same stage done with
// apache-arrow's own builders and IPC functions or with plain typed arrays. Then the
// allocator's statistics.
//
//   npm start -- [--rows N] [--stages generate,aggregate,ipc,churn] [--help]
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const core = require("@lgalloc/core");
const stages = require("./demo/stages");
const { createProgress } = require("./demo/progress");

const STAGES = ["generate", "aggregate", "ipc", "churn"];
const USAGE = `usage: npm start -- [--rows N] [--stages ${STAGES.join(",")}] [--help]
  --rows N      rows of synthetic trades (default 2000000; tens of millions work)
  --stages L    which stages to run, comma-separated (aggregate and ipc need generate)`;

function parseFlags() {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "2000000" },
      stages: { type: "string", default: STAGES.join(",") },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > 2 ** 31 - 1) {
    throw new Error(`--rows: expected an integer from 1 to 2147483647, got ${values.rows}`);
  }
  const chosen = values.stages.split(",").filter(Boolean);
  const unknown = chosen.filter((name) => !STAGES.includes(name));
  if (unknown.length > 0) throw new Error(`--stages: unknown ${unknown.join(", ")}`);
  if (chosen.some((s) => s === "aggregate" || s === "ipc") && !chosen.includes("generate")) {
    chosen.unshift("generate");
  }
  return { rows, stages: new Set(chosen), help: values.help };
}

const seconds = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function main() {
  let flags;
  try {
    flags = parseFlags();
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const { rows } = flags;
  const progress = createProgress();
  const results = [];
  const compare = (name, ours, theirs, baseline, agree) =>
    results.push({ name, ours: ours.ms, theirs: theirs.ms, baseline, agree });
  console.log(
    `lgalloc demo: ${rows} rows of synthetic trades (timestamp, symbol, price, size), ` +
      `${core.backendKind()} backend`,
  );
  let table;
  let arrowTable;
  if (flags.stages.has("generate")) {
    let bar = progress.start("generate: pooled Arrow columns", rows);
    const ours = stages.timed(() => stages.generatePooled(rows, bar));
    bar.stop();
    bar = progress.start("generate: apache-arrow builders", rows);
    const theirs = stages.timed(() => stages.generateArrow(rows, bar));
    bar.stop();
    table = ours.value;
    arrowTable = theirs.value;
    compare(
      `generate ${rows} rows`,
      ours,
      theirs,
      "apache-arrow builders",
      table.numRows === arrowTable.numRows,
    );
  }
  if (flags.stages.has("aggregate")) {
    const bar = progress.start("aggregate: VWAP per symbol per minute", 2);
    const columns = stages.plainColumns(rows);
    const ours = stages.timed(() => stages.aggregatePooled(table, rows));
    bar.update(1);
    const theirs = stages.timed(() => stages.aggregatePlain(columns, rows));
    bar.stop();
    compare(
      "VWAP per symbol and minute",
      ours,
      theirs,
      "plain typed arrays",
      ours.value === theirs.value,
    );
  }
  if (flags.stages.has("ipc")) {
    const bar = progress.start("ipc: write and read back", 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-demo-"));
    try {
      const ours = await stages.timedAsync(() =>
        stages.ipcPooled(table, path.join(dir, "ours.arrow")),
      );
      bar.update(1);
      const theirs = stages.timed(() =>
        stages.ipcArrow(arrowTable, path.join(dir, "theirs.arrow")),
      );
      bar.stop();
      const agree = ours.value.rows === rows && ours.value.priceSum === theirs.value.priceSum;
      compare("Arrow IPC file: write, read back", ours, theirs, "tableToIPC + tableFromIPC", agree);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  table?.dispose();
  if (flags.stages.has("churn")) {
    const count = 48;
    const elements = 8 * 2 ** 20; // 64 MiB of doubles
    const bar = progress.start("churn: 48 scratch vectors of 64 MiB", 2);
    const ours = stages.timed(() => stages.churnPooled(count, elements));
    bar.update(1);
    const theirs = stages.timed(() => stages.churnPlain(count, elements));
    bar.stop();
    compare(
      "48 scratch vectors of 64 MiB",
      ours,
      theirs,
      "new Float64Array",
      ours.value === theirs.value,
    );
  }

  console.log("");
  const header = ["stage", "lgalloc", "baseline", "ratio", "baseline is"];
  const rowsOut = results.map((r) => [
    r.name,
    seconds(r.ours),
    seconds(r.theirs),
    `${(r.theirs / r.ours).toFixed(1)}x`,
    r.baseline,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rowsOut.map((row) => row[i].length)));
  for (const row of [header, ...rowsOut]) {
    console.log(
      row
        .map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
    );
  }
  const disagree = results.filter((r) => !r.agree).map((r) => r.name);
  console.log(
    disagree.length === 0
      ? "both sides computed the same results"
      : `RESULTS DIFFER: ${disagree.join(", ")}`,
  );
  if (disagree.length > 0) process.exitCode = 1;

  console.log("");
  const snapshot = core.stats({ hugePages: true });
  const { totals } = snapshot;
  const MiB = 2 ** 20;
  const limit =
    snapshot.memoryLimitBytes === 0
      ? "no memory limit"
      : `a limit of ${snapshot.memoryLimitBytes / MiB} MiB`;
  console.log(
    `allocator: ${snapshot.backend} backend, ${snapshot.mappedBytes / MiB} MiB mapped in ` +
      `${totals.areas} areas, ${limit}`,
  );
  console.log(
    `pools: ${totals.freeRegions} free regions (${totals.cleanRegions} clean, ` +
      `${totals.globalRegions} dirty in the global pool, ${totals.threadRegions} in thread ` +
      `caches), ${snapshot.liveRegions} in use`,
  );
  console.log(
    `huge pages backing the pools: ${Math.round((snapshot.hugePageBytes ?? 0) / MiB)} MiB`,
  );
  console.log(
    `regions returned by dispose: ${snapshot.disposedRegions}, by garbage collection: ` +
      `${snapshot.collectedRegions}`,
  );
  // The per-size-class table, for a person at a terminal (its length varies).
  if (process.stdout.isTTY) console.log(`\n${core.formatStats(snapshot)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
