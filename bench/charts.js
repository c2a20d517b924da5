// SVG charts of the benchmark report, rendered in Node by vega + vega-lite (`toSVG` with
// the "none" renderer: no browser, no canvas). One horizontal bar chart per comparison
// (median per case, the baseline highlighted, each bar labelled with its ratio to the
// baseline), and one chart of the headline ratios.
"use strict";

const vega = require("vega");
const vegaLite = require("vega-lite");

const BAR = "#4c78a8";
const BASELINE = "#f58518";

/** Renders a vega-lite spec to an SVG string. */
async function toSvg(spec) {
  const { spec: compiled } = vegaLite.compile(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The x channels for bars of `values`: a log scale when they differ by more than 30x, so
 * that the short ones stay visible. Log-scale bars start at an explicit power of ten
 * (`x2`): left to itself vega-lite starts bars at 0, which a log scale cannot place, and
 * draws nothing.
 */
function barAxis(values, field, title) {
  const positive = values.filter((v) => v > 0);
  const low = Math.min(...positive);
  const high = Math.max(...positive);
  if (high / low <= 30) {
    const scale = { type: "linear", zero: true };
    return { x: { field, type: "quantitative", scale, title }, log: false };
  }
  // Below the smallest value, so that even the shortest bar has a length.
  const domain = [10 ** Math.floor(Math.log10(low / 2)), 10 ** Math.ceil(Math.log10(high))];
  return {
    x: {
      field,
      type: "quantitative",
      stack: null,
      scale: { type: "log", domain },
      title: `${title} (log scale)`,
    },
    x2: { datum: domain[0] },
    log: true,
  };
}

/** A long chart title in lines of at most `width` characters (vega truncates one line). */
function wrap(text, width = 70) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The unit to draw values in: MiB for bytes; ns, µs or ms as the largest time needs. */
function drawingUnit(unit, largest) {
  if (unit === "bytes") return { divisor: 2 ** 20, title: "peak RSS, MiB" };
  if (largest >= 1e6) return { divisor: 1e6, title: "median time, ms" };
  if (largest >= 1e3) return { divisor: 1e3, title: "median time, µs" };
  return { divisor: 1, title: "median time, ns" };
}

/**
 * A chart of one comparison: a bar per case, the baseline in orange, each bar labelled
 * with its ratio to the baseline (`formatRatio(ratio)`, e.g. "1.00x").
 */
function comparisonChart(comparison, formatRatio) {
  const base = comparison.results.find((r) => r.name === comparison.baseline);
  const drawn = drawingUnit(comparison.unit, Math.max(...comparison.results.map((r) => r.median)));
  const values = comparison.results.map((r) => ({
    case: r.name,
    value: r.median / drawn.divisor,
    label: base ? formatRatio(r.median / base.median) : "",
    baseline: r.name === comparison.baseline,
  }));
  const unitTitle = drawn.title;
  const { x, x2 } = barAxis(
    values.map((v) => v.value),
    "value",
    unitTitle,
  );
  const y = { field: "case", type: "nominal", sort: null, title: null, axis: { labelLimit: 0 } };
  return toSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: wrap(comparison.title),
      subtitle: base ? `labels: ratio to ${comparison.baseline} (orange)` : "",
      fontSize: 13,
    },
    width: 460,
    height: { step: 24 },
    padding: 8,
    background: "white",
    data: { values },
    layer: [
      {
        mark: { type: "bar", height: { band: 0.8 } },
        encoding: {
          y,
          x,
          ...(x2 ? { x2 } : {}),
          color: {
            field: "baseline",
            type: "nominal",
            scale: { domain: [false, true], range: [BAR, BASELINE] },
            legend: null,
          },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11 },
        encoding: { y, x, text: { field: "label" } },
      },
    ],
  });
}

/** The headline ratios as bars: how many times faster (or smaller) lgalloc's case is. */
function headlineChart(headlines, formatRatio) {
  const values = headlines.map((h) => ({
    what: h.label,
    ratio: h.ratio,
    label: formatRatio(h.ratio),
  }));
  const { x, x2 } = barAxis(
    values.map((v) => v.ratio),
    "ratio",
    "times faster (or less memory) than the alternative",
  );
  const y = { field: "what", type: "nominal", sort: null, title: null, axis: { labelLimit: 0 } };
  return toSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: "lgalloc against the alternatives, measured side by side (medians)",
      fontSize: 13,
    },
    width: 360,
    height: { step: 24 },
    padding: 8,
    background: "white",
    data: { values },
    layer: [
      {
        mark: { type: "bar", color: BAR, height: { band: 0.8 } },
        encoding: { y, x, ...(x2 ? { x2 } : {}) },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11 },
        encoding: { y, x, text: { field: "label" } },
      },
    ],
  });
}

module.exports = { comparisonChart, headlineChart };
