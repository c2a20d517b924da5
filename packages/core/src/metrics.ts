// Prometheus metrics for the allocator: a set of prom-client gauges and counters whose
// values are read from `stats()` when the registry is scraped. prom-client is an optional
// peer dependency: it is required here, inside `registerMetrics`, never when
// @lgalloc/core loads, and the declarations below describe only the few members used, so
// that the package's types do not depend on prom-client's either.

import type { SizeClassStats, Stats } from "./api";
import { stats } from "./allocator";
import { InvalidArgTypeError } from "./errors";
import { sizeClassUsed } from "./format-stats";
import { validateBoolean, validateOptions } from "./validate";

/**
 * The part of a prom-client `Registry` that {@link registerMetrics} uses: the default
 * `register` of prom-client and every `new Registry()` have it.
 */
export interface MetricsRegistry {
  /** Adds a metric; prom-client throws if one of that name is registered already. */
  registerMetric(metric: never): void;
  /** Removes the metric of that name. */
  removeSingleMetric(name: string): void;
}

/** Options of {@link registerMetrics}. */
export interface MetricsOptions {
  /**
   * The registry to add the metrics to.
   * @defaultValue prom-client's default `register`
   */
  registry?: MetricsRegistry;
  /**
   * Also export `lgalloc_huge_page_bytes`, which reads and parses /proc/self/smaps on
   * every scrape (milliseconds, not microseconds).
   * @defaultValue false
   */
  hugePages?: boolean;
}

/** What {@link registerMetrics} added, and how to take it out again. */
export interface RegisteredMetrics {
  /** The names of the metrics added, e.g. `lgalloc_mapped_bytes`. */
  readonly names: readonly string[];
  /** Removes every metric in `names` from the registry. */
  unregister(): void;
}

/** One metric's labels and value in a scrape. */
interface Sample {
  labels: Record<string, string>;
  value: number;
}

interface MetricDefinition {
  name: string;
  help: string;
  type: "gauge" | "counter";
  labelNames: readonly string[];
  read: (snapshot: Stats) => Sample[];
}

/** The members of prom-client's Gauge and Counter that the collectors call. */
interface PromMetric {
  reset(): void;
  set?(labels: Record<string, string>, value: number): void;
  inc?(labels: Record<string, string>, value: number): void;
}

type PromMetricClass = new (configuration: {
  name: string;
  help: string;
  labelNames: readonly string[];
  registers: never[];
  collect(this: PromMetric): void;
}) => PromMetric;

interface PromClient {
  Gauge: PromMetricClass;
  Counter: PromMetricClass;
  register: MetricsRegistry;
}

/** `2MiB`, `64GiB`: the label of a size class. */
function sizeClassLabel(regionBytes: number): string {
  return regionBytes >= 2 ** 30 ? `${regionBytes / 2 ** 30}GiB` : `${regionBytes / 2 ** 20}MiB`;
}

/** A sample per size class that was used; the unused ones would only add noise. */
function perClass(read: (entry: SizeClassStats) => number): (snapshot: Stats) => Sample[] {
  return (snapshot) =>
    snapshot.sizeClasses.filter(sizeClassUsed).map((entry) => ({
      labels: { size_class: sizeClassLabel(entry.regionBytes) },
      value: read(entry),
    }));
}

function single(read: (snapshot: Stats) => number): (snapshot: Stats) => Sample[] {
  return (snapshot) => [{ labels: {}, value: read(snapshot) }];
}

const REGION_STATES: readonly [string, (entry: SizeClassStats) => number][] = [
  // Held by a program (allocated, not yet deallocated), on any thread.
  ["in_use", (entry) => entry.allocations - entry.deallocations],
  ["thread_cache", (entry) => entry.threadRegions],
  ["dirty", (entry) => entry.globalRegions],
  ["clean", (entry) => entry.cleanRegions],
];

function definitions(hugePages: boolean): MetricDefinition[] {
  const gauge = (
    name: string,
    help: string,
    read: (snapshot: Stats) => Sample[],
    labelNames: readonly string[] = [],
  ): MetricDefinition => ({ name, help, type: "gauge", labelNames, read });
  const counter = (
    name: string,
    help: string,
    read: (snapshot: Stats) => Sample[],
    labelNames: readonly string[] = [],
  ): MetricDefinition => ({ name, help, type: "counter", labelNames, read });
  const list: MetricDefinition[] = [
    gauge(
      "lgalloc_info",
      "Always 1; the backend serving this thread is a label",
      (snapshot) => [{ labels: { backend: snapshot.backend }, value: 1 }],
      ["backend"],
    ),
    gauge(
      "lgalloc_mapped_bytes",
      "Bytes of address space the pools have mapped",
      single((s) => s.mappedBytes),
    ),
    gauge(
      "lgalloc_memory_limit_bytes",
      "The configured limit on mapped bytes (0: no limit)",
      single((s) => s.memoryLimitBytes),
    ),
    gauge(
      "lgalloc_regions",
      "Regions per state (in_use, thread_cache, dirty, clean) and size class",
      (snapshot) =>
        REGION_STATES.flatMap(([state, read]) =>
          perClass(read)(snapshot).map((sample) => ({
            labels: { state, ...sample.labels },
            value: sample.value,
          })),
        ),
      ["state", "size_class"],
    ),
    gauge(
      "lgalloc_areas",
      "Areas (one mapping each) per size class",
      perClass((e) => e.areas),
      ["size_class"],
    ),
    gauge(
      "lgalloc_area_bytes",
      "Bytes of the areas per size class",
      perClass((e) => e.areaTotalBytes),
      ["size_class"],
    ),
    gauge(
      "lgalloc_live_regions",
      "Regions held by JavaScript on this thread",
      single((s) => s.liveRegions),
    ),
    gauge(
      "lgalloc_live_bytes",
      "Bytes of the regions held by JavaScript on this thread",
      single((s) => s.liveBytes),
    ),
    gauge(
      "lgalloc_pending_transfers",
      "Regions transferred but not yet adopted or released",
      single((s) => s.pendingTransfers),
    ),
    gauge(
      "lgalloc_pending_transfer_bytes",
      "Bytes of the regions transferred but not yet adopted or released",
      single((s) => s.pendingTransferBytes),
    ),
    counter(
      "lgalloc_allocations_total",
      "Successful allocations per size class",
      perClass((e) => e.allocations),
      ["size_class"],
    ),
    counter(
      "lgalloc_deallocations_total",
      "Regions returned per size class",
      perClass((e) => e.deallocations),
      ["size_class"],
    ),
    counter(
      "lgalloc_slow_path_total",
      "Allocations that missed the thread cache",
      perClass((e) => e.slowPath),
      ["size_class"],
    ),
    counter(
      "lgalloc_refills_total",
      "Times a size class mapped a new area",
      perClass((e) => e.refill),
      ["size_class"],
    ),
    counter(
      "lgalloc_cleared_regions_total",
      "Regions whose pages were handed back to the kernel, eagerly or by the background worker",
      (snapshot) => [
        ...perClass((e) => e.clearEagerTotal)(snapshot).map((s) => ({
          labels: { mode: "eager", ...s.labels },
          value: s.value,
        })),
        ...perClass((e) => e.clearSlowTotal)(snapshot).map((s) => ({
          labels: { mode: "background", ...s.labels },
          value: s.value,
        })),
      ],
      ["mode", "size_class"],
    ),
    counter(
      "lgalloc_trimmed_areas_total",
      "Areas unmapped by trim()",
      perClass((e) => e.trimmedAreas),
      ["size_class"],
    ),
    counter(
      "lgalloc_madvise_failures_total",
      "madvise calls that failed",
      single((s) => s.totals.madviseFailures),
    ),
    counter(
      "lgalloc_mmap_failures_total",
      "mmap calls that failed",
      single((s) => s.mmapFailures),
    ),
    counter(
      "lgalloc_background_passes_total",
      "Passes of the background worker",
      single((s) => s.backgroundPasses),
    ),
    counter(
      "lgalloc_moved_bytes_total",
      "Bytes Region#reallocate moved by remapping pages",
      single((s) => s.movedBytes),
    ),
    counter(
      "lgalloc_copied_bytes_total",
      "Bytes Region#reallocate copied",
      single((s) => s.copiedBytes),
    ),
    counter(
      "lgalloc_released_regions_total",
      "Regions JavaScript gave back, by how: dispose, garbage collection or transfer",
      (snapshot) => [
        { labels: { by: "dispose" }, value: snapshot.disposedRegions },
        { labels: { by: "gc" }, value: snapshot.collectedRegions },
        { labels: { by: "transfer" }, value: snapshot.transferredRegions },
      ],
      ["by"],
    ),
    counter(
      "lgalloc_adopted_regions_total",
      "Transferred regions adopted on this thread",
      single((s) => s.adoptedRegions),
    ),
    counter(
      "lgalloc_released_tokens_total",
      "Transfer tokens released without adoption",
      single((s) => s.releasedTokens),
    ),
  ];
  if (hugePages) {
    list.push(
      gauge(
        "lgalloc_huge_page_bytes",
        "Bytes of the pools backed by transparent huge pages (AnonHugePages)",
        (snapshot) => [{ labels: {}, value: snapshot.hugePageBytes ?? 0 }],
      ),
    );
  }
  return list;
}

function loadPromClient(): PromClient {
  try {
    return require("prom-client") as PromClient;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "MODULE_NOT_FOUND") throw error;
    throw Object.assign(
      new Error(
        "registerMetrics() needs prom-client, an optional peer dependency of @lgalloc/core: " +
          "npm install prom-client",
        { cause: error },
      ),
      { code: "MODULE_NOT_FOUND" },
    );
  }
}

function isRegistry(value: unknown): value is MetricsRegistry {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as MetricsRegistry).registerMetric === "function" &&
    typeof (value as MetricsRegistry).removeSingleMetric === "function"
  );
}

/**
 * Adds the allocator's metrics to a prom-client registry. Their values are read from
 * {@link stats} when the registry is scraped, once per scrape; nothing runs in between.
 * Gauges: `lgalloc_mapped_bytes`, `lgalloc_regions{state, size_class}` (states `in_use`,
 * `thread_cache`, `dirty`, `clean`), `lgalloc_areas`, `lgalloc_area_bytes`,
 * `lgalloc_live_regions`, ...; counters end in `_total`, e.g.
 * `lgalloc_allocations_total{size_class}`, `lgalloc_released_regions_total{by}`. Size classes
 * are labelled `2MiB` ... `64GiB`, and only those that have been used appear.
 *
 * @param options - the registry and whether to read huge page figures.
 * @returns the names added and a function that removes them.
 * @throws `ERR_INVALID_ARG_TYPE` for options that are not an object, a registry without
 *   `registerMetric`, or a `hugePages` that is not a boolean; `ERR_INVALID_ARG_VALUE` for an
 *   unknown option; an error with code `MODULE_NOT_FOUND` when prom-client is not installed;
 *   prom-client's own error when a metric of the same name is registered already (then
 *   nothing was added).
 */
export function registerMetrics(options: MetricsOptions = {}): RegisteredMetrics {
  const given = validateOptions(options, "options", ["registry", "hugePages"]);
  const hugePages =
    given.hugePages === undefined ? false : validateBoolean(given.hugePages, "options.hugePages");
  if (given.registry !== undefined && !isRegistry(given.registry)) {
    throw new InvalidArgTypeError(
      "options.registry",
      "a prom-client Registry (with registerMetric and removeSingleMetric)",
      given.registry,
    );
  }
  const client = loadPromClient();
  const registry = (given.registry as MetricsRegistry | undefined) ?? client.register;

  // One stats() call serves every metric of a scrape: prom-client calls each metric's
  // collect in one synchronous pass, so the snapshot is dropped at the next microtask.
  let snapshot: Stats | undefined;
  const current = (): Stats => {
    if (snapshot === undefined) {
      snapshot = stats({ hugePages });
      queueMicrotask(() => (snapshot = undefined));
    }
    return snapshot;
  };

  const list = definitions(hugePages);
  const metrics = list.map((definition) => {
    const Metric = definition.type === "gauge" ? client.Gauge : client.Counter;
    return new Metric({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labelNames,
      registers: [],
      collect(this: PromMetric) {
        // Counters have no set(): reset, then increment from zero to the current total.
        this.reset();
        for (const sample of definition.read(current())) {
          if (this.set) this.set(sample.labels, sample.value);
          else this.inc?.(sample.labels, sample.value);
        }
      },
    });
  });

  const names = list.map((definition) => definition.name);
  const added: string[] = [];
  try {
    metrics.forEach((metric, i) => {
      registry.registerMetric(metric as never);
      added.push(names[i]!);
    });
  } catch (error) {
    for (const name of added) registry.removeSingleMetric(name);
    throw error;
  }
  return Object.freeze({
    names: Object.freeze(names),
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  });
}
