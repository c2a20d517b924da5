// The benchmark report: merges repeated runs (the median of each case's medians), computes
// ratios and headlines, and writes bench-report/README.md with one SVG chart per comparison
// and the headline chart. Formatting of numbers lives here too.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { comparisonChart, headlineChart } = require("./charts");

function median(values) {
  const sorted = values.filter((v) => typeof v === "number").sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Comparisons of several runs of one entry, merged case by case. */
function mergeRuns(runs) {
  const merged = [];
  for (const comparison of runs[0]) {
    const same = runs.map((run) => run.find((c) => c.id === comparison.id)).filter(Boolean);
    merged.push({
      ...comparison,
      runs: same.length,
      results: comparison.results.map((result) => {
        const all = same.map((c) => c.results.find((r) => r.name === result.name)).filter(Boolean);
        return {
          name: result.name,
          median: median(all.map((r) => r.median)),
          low: median(all.map((r) => r.low)),
          high: median(all.map((r) => r.high)),
        };
      }),
    });
  }
  return merged;
}

function formatValue(value, unit) {
  if (value === undefined) return "";
  if (unit === "bytes") return `${(value / 2 ** 20).toFixed(0)} MiB`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} µs`;
  return `${value.toFixed(1)} ns`;
}

function formatRatio(ratio) {
  if (!Number.isFinite(ratio)) return "-";
  return `${ratio < 10 ? ratio.toFixed(2) : ratio < 100 ? ratio.toFixed(1) : ratio.toFixed(0)}x`;
}

/** The headline ratios of every entry that ran: `slower / faster` of one comparison. */
function headlines(sections) {
  const list = [];
  for (const { entry, comparisons } of sections) {
    for (const h of entry.headlines) {
      const comparison = comparisons.find((c) => c.id === h.comparison);
      const faster = comparison?.results.find((r) => r.name === h.faster);
      const slower = comparison?.results.find((r) => r.name === h.slower);
      if (!faster || !slower) continue;
      const memory = comparison.unit === "bytes";
      const ratio = slower.median / faster.median;
      // Within 3% is run-to-run noise on a shared machine, not a finding; below 1 the
      // expected winner lost: say so rather than "0.8x faster".
      const verdict =
        Math.abs(ratio - 1) < 0.03
          ? `the same within 3%`
          : ratio > 1
            ? `${formatRatio(ratio)} ${memory ? "less memory" : "faster"}`
            : `${formatRatio(1 / ratio)} ${memory ? "more memory" : "slower"}`;
      list.push({
        entry: entry.id,
        comparison: comparison.id,
        label: `${h.what ?? comparison.id}, vs ${h.slower}${memory ? " (peak RSS)" : ""}`,
        sentence:
          `${h.what ?? comparison.title}: **${h.faster}** ${memory ? "peaks at" : "takes"} ` +
          `${formatValue(faster.median, comparison.unit)}, ${h.slower} ` +
          `${formatValue(slower.median, comparison.unit)}: **${verdict}** ` +
          `([${comparison.id}](#${anchor(comparison.title)}))`,
        ratio: slower.median / faster.median,
      });
    }
  }
  return list;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchor(heading) {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** A Markdown table; `align` "right" right-aligns every column but the first. */
function markdownTable(rows, align = "right") {
  const [head, ...body] = rows;
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const rule = head.map((_, i) => (i === 0 || align !== "right" ? "---" : "---:"));
  return [line(head), line(rule), ...body.map(line)].join("\n");
}

function comparisonTable(comparison) {
  const base = comparison.results.find((r) => r.name === comparison.baseline);
  // p10 - p90 of the rounds where the benchmark gives them; the native one gives its
  // fastest batch instead.
  const hasHigh = comparison.results.some((r) => r.high !== undefined);
  const hasLow = comparison.results.some((r) => r.low !== undefined);
  const spread = hasHigh ? "p10 - p90" : hasLow ? "best batch" : null;
  const head = ["case", comparison.unit === "bytes" ? "peak RSS" : "median"];
  if (spread) head.push(spread);
  head.push(`vs ${comparison.baseline}`);
  const rows = [head];
  for (const r of comparison.results) {
    const row = [r.name === comparison.baseline ? `**${r.name}**` : r.name];
    row.push(formatValue(r.median, comparison.unit));
    if (spread) {
      row.push(
        r.high === undefined
          ? formatValue(r.low, comparison.unit)
          : `${formatValue(r.low, comparison.unit)} - ${formatValue(r.high, comparison.unit)}`,
      );
    }
    row.push(base ? formatRatio(r.median / base.median) : "");
    rows.push(row);
  }
  return markdownTable(rows);
}

/**
 * Writes `<outDir>/README.md`, `<outDir>/headline.svg` and `<outDir>/<entry>-<id>.svg`.
 * `sections`: `[{ entry, comparisons, runs, failed? }]`.
 */
async function writeReport(outDir, { machine, quick, command, startedAt, seconds, sections }) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of fs.readdirSync(outDir)) {
    if (file.endsWith(".svg")) fs.rmSync(path.join(outDir, file));
  }
  const rerun = "`npm run bench -- --report-only` rewrites this report from `raw/`";
  const lines = [
    "# lgalloc-node benchmark report",
    "",
    `Written by \`${command}\` on ${startedAt.toISOString()} (${quick ? "quick" : "full"} run, ${seconds.toFixed(0)} s). ` +
      "Every comparison was measured side by side with its alternatives in the same run; " +
      "figures are medians (over each benchmark's rounds, then over repeated runs). " +
      `Each run's results are in \`raw/\`; ${rerun}.`,
    "",
    "## Machine",
    "",
    markdownTable(
      [
        ["machine", ""],
        ["CPU", machine.cpu],
        ["cores", String(machine.cores)],
        ["memory", `${machine.memoryGiB} GiB`],
        ["transparent huge pages", `enabled=${machine.thpEnabled} defrag=${machine.thpDefrag}`],
        ["kernel", machine.kernel],
        ["Node", machine.node],
        ["load average at start (1 min)", machine.loadAverage.toFixed(2)],
      ],
      "left",
    ),
    "",
  ];
  const heads = headlines(sections);
  if (heads.length > 0) {
    fs.writeFileSync(path.join(outDir, "headline.svg"), await headlineChart(heads, formatRatio));
    lines.push("## Headlines", "", "![headline ratios](headline.svg)", "");
    for (const h of heads) lines.push(`- ${h.sentence}`);
    lines.push("");
  }
  for (const { entry, comparisons, runs, failed } of sections) {
    lines.push(`## ${entry.title}`, "");
    lines.push(
      `\`${entry.command}${quick ? " -- --quick" : ""}\`, ${runs} run${runs === 1 ? "" : "s"}.`,
    );
    lines.push("");
    if (failed) {
      lines.push(`Not measured: ${failed}`, "");
      continue;
    }
    for (const comparison of comparisons) {
      const file = `${entry.id}-${comparison.id}.svg`;
      fs.writeFileSync(path.join(outDir, file), await comparisonChart(comparison, formatRatio));
      lines.push(`### ${comparison.title}`, "", `![${comparison.id}](${file})`, "");
      lines.push(comparisonTable(comparison), "");
    }
  }
  fs.writeFileSync(path.join(outDir, "README.md"), `${lines.join("\n").trimEnd()}\n`);
  return heads;
}

module.exports = { formatRatio, headlines, mergeRuns, writeReport };
