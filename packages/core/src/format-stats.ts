// `formatStats`: the allocator's figures as a short table for people (logs, a REPL, the
// end of a benchmark); `stats()` stays the form for programs and `registerMetrics` the
// one for monitoring systems.

import type { SizeClassStats, Stats } from "./api";
import { stats } from "./allocator";
import { InvalidArgTypeError } from "./errors";

/** 3 significant figures in the largest binary unit that keeps the number >= 1. */
function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toPrecision(3);
  return `${shown} ${units[unit]}`;
}

/**
 * A size class that has been used: it has areas, or allocations were attempted (a failed
 * one still counts a refill). Only those appear in the table and the metrics.
 */
export function sizeClassUsed(entry: SizeClassStats): boolean {
  return entry.areas > 0 || entry.allocations > 0 || entry.refill > 0 || entry.slowPath > 0;
}

function isStats(value: unknown): value is Stats {
  const candidate = value as Partial<Stats> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    Array.isArray(candidate.sizeClasses) &&
    typeof candidate.totals === "object" &&
    typeof candidate.mappedBytes === "number"
  );
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join("  ")
      .trimEnd(),
  );
}

function classRow(label: string, entry: SizeClassStats): string[] {
  return [
    label,
    String(entry.areas),
    formatBytes(entry.areaTotalBytes),
    String(entry.allocations - entry.deallocations),
    String(entry.threadRegions),
    String(entry.globalRegions),
    String(entry.cleanRegions),
    String(entry.allocations),
    String(entry.refill),
  ];
}

/**
 * A short human summary of the allocator: a header line (backend, mapped bytes, limit,
 * what JS holds), then one row per size class in use and a total row: areas, their bytes,
 * regions in use, regions free in thread caches, in the dirty and the clean pool,
 * allocations and area refills. Never the memory's contents.
 *
 * ```text
 * lgalloc (native): 32 MiB mapped, no limit; JS holds 1 region (16 MiB); released by dispose 0, by GC 0, transferred 0
 * class   areas  mapped  in use  thread  dirty  clean  allocations  refills
 * 16 MiB      1  32 MiB       1       0      0      1            1        1
 * total       1  32 MiB       1       0      0      1            1        1
 * ```
 *
 * @param snapshot - figures from {@link stats}; read now when omitted.
 * @returns the table, lines separated by `\n`, without a final newline.
 * @throws `ERR_INVALID_ARG_TYPE` when `snapshot` is given and is not a `Stats` object.
 */
export function formatStats(snapshot?: Stats): string {
  if (snapshot !== undefined && !isStats(snapshot)) {
    throw new InvalidArgTypeError("snapshot", "a Stats object from stats()", snapshot);
  }
  const figures = snapshot ?? stats();
  const limit =
    figures.memoryLimitBytes === 0 ? "no limit" : `limit ${formatBytes(figures.memoryLimitBytes)}`;
  const regions = figures.liveRegions === 1 ? "region" : "regions";
  const lines = [
    `lgalloc (${figures.backend}): ${formatBytes(figures.mappedBytes)} mapped, ${limit}; ` +
      `JS holds ${figures.liveRegions} ${regions} (${formatBytes(figures.liveBytes)}); ` +
      `released by dispose ${figures.disposedRegions}, by GC ${figures.collectedRegions}, ` +
      `transferred ${figures.transferredRegions}`,
  ];
  if (figures.hugePageBytes !== undefined) {
    lines.push(`huge pages: ${formatBytes(figures.hugePageBytes)} of the pools`);
  }
  const used = figures.sizeClasses.filter(sizeClassUsed);
  if (used.length === 0) {
    lines.push("no size class in use");
    return lines.join("\n");
  }
  const rows = [
    ["class", "areas", "mapped", "in use", "thread", "dirty", "clean", "allocations", "refills"],
    ...used.map((entry) => classRow(formatBytes(entry.regionBytes), entry)),
    classRow("total", figures.totals),
  ];
  lines.push(...table(rows));
  return lines.join("\n");
}
