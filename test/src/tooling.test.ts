// Tests of the repository's own checks and report tools, which CI trusts: the example
// output comparison (scripts/example-output.js), the README snippet check
// (scripts/check-readme.js), and the benchmark report's merging, headlines, charts and
// strict flags (bench/).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..");

interface ExampleOutput {
  compareOutput(expected: string, actual: string): string | null;
}
interface ReadmeCheck {
  checkReadme(file: string): { line: number; example?: string; ok: boolean; reason: string }[];
  containsLines(haystack: string[], needle: string[]): boolean;
}
interface Comparison {
  id: string;
  title: string;
  unit: string;
  baseline: string;
  results: { name: string; median: number; low?: number; high?: number }[];
}
interface BenchReport {
  mergeRuns(runs: Comparison[][]): (Comparison & { runs: number })[];
  headlines(
    sections: { entry: { id: string; headlines: object[] }; comparisons: Comparison[] }[],
  ): { ratio: number; sentence: string }[];
}
interface Charts {
  comparisonChart(comparison: Comparison, formatRatio: (ratio: number) => string): Promise<string>;
}

const load = <T>(...parts: string[]): T => require(path.join(ROOT, ...parts)) as T;

describe("scripts/example-output.js compareOutput()", () => {
  const { compareOutput } = load<ExampleOutput>("scripts", "example-output.js");

  it("accepts identical output, ignoring trailing spaces and final newlines", () => {
    expect(compareOutput("a\nb\n", "a  \nb\n\n")).to.equal(null);
  });

  it("lets {*} stand for any text within a line", () => {
    expect(compareOutput("mapped {*} MiB (x)", "mapped 32 MiB (x)")).to.equal(null);
    expect(compareOutput("mapped {*} MiB", "mapped 32 KiB")).to.match(/^line 1: expected/);
  });

  it("names the first line that differs, a missing line and an extra line", () => {
    expect(compareOutput("a\nb", "a\nc")).to.match(/^line 2: expected "b"/);
    expect(compareOutput("a\nb", "a")).to.match(/^line 2: output ended/);
    expect(compareOutput("a", "a\nb")).to.match(/^line 2: unexpected extra output "b"/);
  });

  it("treats regular expression characters in the expected text literally", () => {
    expect(compareOutput("x (1.5) [y]", "x (1.5) [y]")).to.equal(null);
    expect(compareOutput("x (1.5)", "x (105)")).to.not.equal(null);
  });
});

describe("scripts/check-readme.js", () => {
  const { checkReadme, containsLines } = load<ReadmeCheck>("scripts", "check-readme.js");
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-readme-"));
    fs.writeFileSync(path.join(dir, "example.js"), "function f() {\n  const a = 1;\n  g(a);\n}\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function check(markdown: string) {
    const file = path.join(dir, "README.md");
    fs.writeFileSync(file, markdown);
    return checkReadme(file);
  }

  it("accepts a block that is a dedented part of its example", () => {
    const example = path.join(dir, "example.js");
    const results = check(
      `<!-- example: ${example} -->\n\n\`\`\`js\nconst a = 1;\ng(a);\n\`\`\`\n`,
    );
    expect(results).to.deep.equal([{ line: 3, example, ok: true, reason: "" }]);
  });

  it("fails a block that the example does not contain", () => {
    const example = path.join(dir, "example.js");
    const [result] = check(`<!-- example: ${example} -->\n\`\`\`ts\nconst a = 2;\n\`\`\`\n`);
    expect(result!.ok).to.equal(false);
    expect(result!.reason).to.include("is not a part of");
  });

  it("fails a js block without a marker and one whose example is missing", () => {
    const results = check(
      "```js\nx();\n```\n\n<!-- example: nowhere/missing.js -->\n```js\nx();\n```\n",
    );
    expect(results.map((r) => r.ok)).to.deep.equal([false, false]);
    expect(results[0]!.reason).to.include("no <!-- example");
    expect(results[1]!.reason).to.include("does not exist");
  });

  it("does not check shell or text blocks", () => {
    expect(check("```sh\nnpm install\n```\n\n```text\nanything\n```\n")).to.deep.equal([]);
  });

  it("matches whole consecutive lines only", () => {
    expect(containsLines(["a", "  b", "  c"], ["b", "c"])).to.equal(true);
    expect(containsLines(["a", "b", "x", "c"], ["b", "c"])).to.equal(false);
    expect(containsLines(["ab"], ["b"])).to.equal(false);
  });

  it("passes for the repository README", () => {
    const results = checkReadme(path.join(ROOT, "README.md"));
    expect(results.length).to.be.greaterThan(5);
    expect(results.filter((r) => !r.ok)).to.deep.equal([]);
  });
});

describe("bench/report.js", () => {
  const { mergeRuns, headlines } = load<BenchReport>("bench", "report.js");
  const run = (region: number, fresh: number): Comparison[] => [
    {
      id: "cycle",
      title: "cycle",
      unit: "ns",
      baseline: "region",
      results: [
        { name: "region", median: region, low: region - 1, high: region + 1 },
        { name: "fresh", median: fresh },
      ],
    },
  ];

  it("merges repeated runs into the median of each case's medians", () => {
    const [merged] = mergeRuns([run(10, 900), run(30, 700), run(20, 1000)]);
    expect(merged!.runs).to.equal(3);
    expect(merged!.results.map((r) => r.median)).to.deep.equal([20, 900]);
    expect(merged!.results[0]!.low).to.equal(19);
  });

  it("computes a headline as the slower case's median over the faster one's", () => {
    const entry = {
      id: "core",
      headlines: [{ comparison: "cycle", faster: "region", slower: "fresh" }],
    };
    const [headline] = headlines([{ entry, comparisons: run(10, 900) }]);
    expect(headline!.ratio).to.equal(90);
    expect(headline!.sentence).to.include("**90.0x faster**");
  });

  it("says slower when the expected winner lost", () => {
    const entry = {
      id: "core",
      headlines: [{ comparison: "cycle", faster: "fresh", slower: "region" }],
    };
    const [headline] = headlines([{ entry, comparisons: run(10, 20) }]);
    expect(headline!.ratio).to.equal(0.5);
    expect(headline!.sentence).to.include("**2.00x slower**");
  });

  it("leaves out a headline whose cases did not run", () => {
    const entry = {
      id: "core",
      headlines: [{ comparison: "cycle", faster: "region", slower: "gone" }],
    };
    expect(headlines([{ entry, comparisons: run(10, 900) }])).to.deep.equal([]);
  });
});

describe("bench/charts.js comparisonChart()", () => {
  it("renders an SVG with one bar per case, also on a log scale", async function () {
    this.timeout(30_000);
    const { comparisonChart } = load<Charts>("bench", "charts.js");
    const svg = await comparisonChart(
      {
        id: "x",
        title: "a comparison whose cases differ by over 30 times",
        unit: "ns",
        baseline: "fast",
        results: [
          { name: "fast", median: 2000 },
          { name: "slow", median: 400_000 },
        ],
      },
      (ratio) => `${ratio.toFixed(1)}x`,
    );
    expect(svg).to.match(/^<svg /);
    expect(svg).to.include("log scale");
    // vega draws bars as paths `M<x>,<y>h<width>...` in the "mark-rect" group; with bars
    // starting at 0, which a log scale cannot place, every width was 0.
    const bars = /<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg);
    expect(bars, "bar group").to.not.equal(null);
    const widths = [...bars![1]!.matchAll(/ d="M[-\d.]+,[-\d.]+h([-\d.]+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(widths).to.have.length(2);
    for (const width of widths) expect(width).to.be.greaterThan(0);
    expect(svg).to.include(">200.0x<");
    expect(svg).to.include("ratio to fast (orange)");
  });
});

describe("npm run bench (bench/run.js) flags", () => {
  function runBench(args: string[]) {
    return spawnSync(process.execPath, [path.join(ROOT, "bench", "run.js"), ...args], {
      encoding: "utf8",
    });
  }

  it("refuses an unknown flag with its usage and exit code 2", () => {
    const result = runBench(["--quik"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include("Unknown option '--quik'");
    expect(result.stderr).to.include("usage: npm run bench");
  });

  it("refuses an unknown benchmark in --only", () => {
    const result = runBench(["--only", "native,nope"]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include("unknown benchmark nope");
  });

  it("refuses --report-only when there is no earlier run to report", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-bench-"));
    try {
      const result = runBench(["--report-only", "--out", empty]);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include("no earlier run");
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("prints its usage with --help", () => {
    const result = runBench(["--help"]);
    expect(result.status).to.equal(0);
    expect(result.stdout).to.include("--quick");
  });
});
