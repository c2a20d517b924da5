// Tests of registerMetrics() against a real prom-client registry (values follow stats()
// at each scrape, names and labels are the documented ones, bad options are refused
// without registering anything), of prom-client staying unloaded until it is used, and of
// formatStats()'s table.

import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { Registry } from "prom-client";
import {
  allocate,
  formatStats,
  registerMetrics,
  stats,
  type RegisteredMetrics,
} from "@lgalloc/core";
import { MiB, expectArgError } from "./support";

/** The value of metric `name` whose labels include `labels`, from one scrape. */
async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = metric?.values.find((v) =>
    Object.entries(labels).every(([key, value]) => v.labels[key] === value),
  );
  return sample?.value;
}

describe("registerMetrics()", () => {
  let registry: Registry;
  let registered: RegisteredMetrics | undefined;

  beforeEach(() => {
    registry = new Registry();
  });
  afterEach(() => {
    registered?.unregister();
    registered = undefined;
  });

  it("adds gauges and _total counters with conventional names", () => {
    registered = registerMetrics({ registry });
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(names).to.include.members([
      "lgalloc_mapped_bytes",
      "lgalloc_regions",
      "lgalloc_live_regions",
      "lgalloc_allocations_total",
      "lgalloc_deallocations_total",
      "lgalloc_released_regions_total",
    ]);
    expect(names).to.deep.equal([...registered.names]);
    for (const metric of registry.getMetricsAsArray()) {
      const type = (metric as unknown as { type: string }).type;
      expect(metric.name.endsWith("_total"), metric.name).to.equal(type === "counter");
    }
    expect(names).not.to.include("lgalloc_huge_page_bytes");
  });

  it("reports the figures of stats() at the time of each scrape", async () => {
    registered = registerMetrics({ registry });
    const before = await valueOf(registry, "lgalloc_allocations_total", { size_class: "8MiB" });
    const region = allocate(5 * MiB);
    try {
      const now = stats();
      expect(await valueOf(registry, "lgalloc_mapped_bytes")).to.equal(now.mappedBytes);
      expect(await valueOf(registry, "lgalloc_live_regions")).to.equal(now.liveRegions);
      expect(await valueOf(registry, "lgalloc_allocations_total", { size_class: "8MiB" })).to.equal(
        (before ?? 0) + 1,
      );
      const eight = now.sizeClasses[2]!;
      expect(
        await valueOf(registry, "lgalloc_regions", { state: "in_use", size_class: "8MiB" }),
      ).to.equal(eight.allocations - eight.deallocations);
      expect(
        await valueOf(registry, "lgalloc_regions", { state: "clean", size_class: "8MiB" }),
      ).to.equal(eight.cleanRegions);
    } finally {
      region.dispose();
    }
    const disposed = await valueOf(registry, "lgalloc_released_regions_total", { by: "dispose" });
    expect(disposed).to.equal(stats().disposedRegions);
  });

  it("labels only size classes that were used", async () => {
    registered = registerMetrics({ registry });
    allocate(2 * MiB).dispose();
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === "lgalloc_areas")!;
    const used = stats()
      .sizeClasses.filter((e) => e.areas > 0 || e.allocations > 0 || e.refill > 0 || e.slowPath > 0)
      .map((entry) =>
        entry.regionBytes >= 1024 * MiB
          ? `${entry.regionBytes / (1024 * MiB)}GiB`
          : `${entry.regionBytes / MiB}MiB`,
      );
    expect(metric.values.map((v) => v.labels.size_class)).to.deep.equal(used);
    expect(used).to.include("2MiB");
  });

  it("exports lgalloc_huge_page_bytes only with hugePages: true", async () => {
    registered = registerMetrics({ registry, hugePages: true });
    const value = await valueOf(registry, "lgalloc_huge_page_bytes");
    expect(value).to.be.a("number").and.to.be.at.least(0);
  });

  it("prints Prometheus text exposition that names every metric", async () => {
    registered = registerMetrics({ registry });
    const text = await registry.metrics();
    for (const name of registered.names) expect(text).to.include(`# TYPE ${name} `);
    expect(text).to.match(/^lgalloc_mapped_bytes \d+$/m);
  });

  it("refuses a second registration in the same registry and keeps the first", async () => {
    registered = registerMetrics({ registry });
    expect(() => registerMetrics({ registry })).to.throw(/already been registered/);
    expect(registry.getMetricsAsArray()).to.have.length(registered.names.length);
    expect(await valueOf(registry, "lgalloc_mapped_bytes")).to.equal(stats().mappedBytes);
  });

  it("removes its metrics with unregister()", () => {
    registered = registerMetrics({ registry });
    registered.unregister();
    registered = undefined;
    expect(registry.getMetricsAsArray()).to.have.length(0);
  });

  it("refuses bad options and registers nothing", () => {
    const typeError = (fn: () => unknown, name: string, value: unknown) =>
      expectArgError(fn, TypeError, "ERR_INVALID_ARG_TYPE", name, value);
    typeError(() => registerMetrics(null as never), "options", null);
    typeError(() => registerMetrics({ registry: {} as never }), "options.registry", {});
    typeError(
      () => registerMetrics({ registry, hugePages: "yes" as never }),
      "options.hugePages",
      "yes",
    );
    expectArgError(
      () => registerMetrics({ registry, prefix: "x" } as never),
      TypeError,
      "ERR_INVALID_ARG_VALUE",
      "options.prefix",
      "x",
    );
    expect(registry.getMetricsAsArray()).to.have.length(0);
  });
});

describe("@lgalloc/core and prom-client", () => {
  function runNode(source: string): { status: number | null; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, ["-e", source], { encoding: "utf8" });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  it("does not load prom-client when the package loads or allocates", () => {
    const run = runNode(`
      const core = require("@lgalloc/core");
      core.allocate(2 ** 21).dispose();
      core.formatStats();
      const loaded = Object.keys(require.cache).filter((p) => p.includes("prom-client"));
      console.log(JSON.stringify(loaded));
    `);
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal([]);
  });

  it("names the missing peer dependency when prom-client is not installed", () => {
    // Makes require("prom-client") fail as it does where it was never installed.
    const run = runNode(`
      const Module = require("node:module");
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === "prom-client") {
          throw Object.assign(new Error("Cannot find module 'prom-client'"), { code: "MODULE_NOT_FOUND" });
        }
        return resolve.call(this, request, ...rest);
      };
      try {
        require("@lgalloc/core").registerMetrics();
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, message: error.message }));
      }
    `);
    expect(run.status, run.stderr).to.equal(0);
    const error = JSON.parse(run.stdout) as { code: string; message: string };
    expect(error.code).to.equal("MODULE_NOT_FOUND");
    expect(error.message).to.include("npm install prom-client");
  });
});

describe("formatStats()", () => {
  it("prints a header and one row per size class in use, then the totals", () => {
    const region = allocate(3 * MiB);
    try {
      const snapshot = stats();
      const lines = formatStats(snapshot).split("\n");
      expect(lines[0]).to.match(new RegExp(`^lgalloc \\(${snapshot.backend}\\): `));
      expect(lines[0]).to.include(`JS holds ${snapshot.liveRegions} region`);
      const header = lines.findIndex((line) => line.startsWith("class "));
      expect(header).to.be.greaterThan(0);
      const used = snapshot.sizeClasses.filter(
        (e) => e.areas > 0 || e.allocations > 0 || e.refill > 0 || e.slowPath > 0,
      );
      const rows = lines.slice(header + 1);
      expect(rows).to.have.length(used.length + 1);
      const four = rows.find((row) => row.startsWith("4 MiB "))!;
      const cells = four.split(/\s{2,}/);
      const entry = snapshot.sizeClasses[1]!;
      expect(cells[1]).to.equal(String(entry.areas));
      expect(cells[3]).to.equal(String(entry.allocations - entry.deallocations));
      expect(cells[7]).to.equal(String(entry.allocations));
      expect(rows.at(-1)).to.match(/^total /);
      expect(rows.at(-1)!.split(/\s{2,}/)[7]).to.equal(String(snapshot.totals.allocations));
    } finally {
      region.dispose();
    }
  });

  it("reads stats() itself when given no snapshot", () => {
    expect(formatStats()).to.match(/^lgalloc \((native|fallback)\): \S+ \S+ mapped/);
  });

  it("shows huge page bytes when the snapshot has them", () => {
    expect(formatStats(stats({ hugePages: true }))).to.match(/\nhuge pages: \d/);
  });

  it("refuses what is not a Stats object", () => {
    expectArgError(
      () => formatStats({} as never),
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      "snapshot",
      {},
    );
    expectArgError(
      () => formatStats(42 as never),
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      "snapshot",
      42,
    );
  });
});
