// Block coverage of the packages' compiled JavaScript (packages/*/dist) while a function
// runs, from V8's precise coverage through the inspector: what `npm run fuzz -- --coverage`
// prints, the JS counterpart of libFuzzer's edge count. A byte of a script counts as covered
// when the innermost block range around it ran at least once; the figure is covered bytes
// of all bytes inside functions, and functions that ran of all functions.
"use strict";

const inspector = require("node:inspector");
const path = require("node:path");

const DIST = new RegExp(`${path.sep}packages${path.sep}[^${path.sep}]+${path.sep}dist${path.sep}`);

function post(session, method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** Covered and total bytes, and functions, of one script's V8 block coverage. */
function scriptFigures(functions) {
  // Ranges nest: paint outer ranges first, inner ones over them.
  const ranges = functions.flatMap((f) => f.ranges);
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const end = Math.max(0, ...ranges.map((r) => r.endOffset));
  const counts = new Int32Array(end).fill(-1);
  for (const r of ranges) counts.fill(r.count > 0 ? 1 : 0, r.startOffset, r.endOffset);
  let covered = 0;
  let total = 0;
  for (const c of counts) {
    if (c < 0) continue;
    total++;
    covered += c;
  }
  const named = functions.filter((f) => f.functionName !== "" || f.ranges[0].startOffset > 0);
  return {
    covered,
    total,
    functions: named.length,
    functionsRun: named.filter((f) => f.ranges[0].count > 0).length,
  };
}

/** Runs `body` (sync or async) under precise coverage; returns its result and the figures. */
async function withCoverage(body) {
  const session = new inspector.Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  const result = await body();
  const { result: scripts } = await post(session, "Profiler.takePreciseCoverage");
  await post(session, "Profiler.stopPreciseCoverage");
  session.disconnect();
  const totals = { scripts: 0, covered: 0, total: 0, functions: 0, functionsRun: 0 };
  for (const script of scripts) {
    if (!DIST.test(script.url) || !script.url.endsWith(".js")) continue;
    const figures = scriptFigures(script.functions);
    totals.scripts++;
    totals.covered += figures.covered;
    totals.total += figures.total;
    totals.functions += figures.functions;
    totals.functionsRun += figures.functionsRun;
  }
  return { result, coverage: totals };
}

/** One line for people. */
function formatCoverage({ scripts, covered, total, functions, functionsRun }) {
  const percent = (part, whole) => (whole === 0 ? "0.0" : ((100 * part) / whole).toFixed(1));
  return (
    `coverage of packages/*/dist (${scripts} files): ${percent(covered, total)}% of code bytes ` +
    `in blocks that ran, ${functionsRun} of ${functions} functions (${percent(functionsRun, functions)}%)`
  );
}

module.exports = { withCoverage, formatCoverage };
