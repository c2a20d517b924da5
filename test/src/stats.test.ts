// Tests of stats(): its shape, totals as sums of the size classes, the counters moving
// with allocate/dispose, and the optional huge-page figure.

import * as fs from "node:fs";
import { expect } from "chai";
import { allocate, backendKind, stats, type SizeClassStats } from "@lgalloc/core";
import { MiB, classIndex, isNative } from "./support";

const CLASS_FIELDS: (keyof SizeClassStats)[] = [
  "regionBytes",
  "areas",
  "areaTotalBytes",
  "freeRegions",
  "cleanRegions",
  "globalRegions",
  "threadRegions",
  "allocations",
  "slowPath",
  "refill",
  "deallocations",
  "clearEagerTotal",
  "clearSlowTotal",
  "trimmedAreas",
  "madviseFailures",
];

const TOP_FIELDS = [
  "backend",
  "sizeClasses",
  "totals",
  "mappedBytes",
  "memoryLimitBytes",
  "mmapFailures",
  "backgroundPasses",
  "lastOsErrno",
  "hugePageAdviceFailed",
  "movedBytes",
  "copiedBytes",
  "liveRegions",
  "liveBytes",
  "disposedRegions",
  "collectedRegions",
  "transferredRegions",
  "adoptedRegions",
  "pendingTransfers",
  "pendingTransferBytes",
  "releasedTokens",
  "hugePageBytes",
];

/** Sum of AnonHugePages over the whole process, from smaps_rollup; undefined if unreadable. */
function processHugePageBytes(): number | undefined {
  try {
    const text = fs.readFileSync("/proc/self/smaps_rollup", "utf8");
    const match = /^AnonHugePages:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

describe("stats()", () => {
  it("has every documented field", () => {
    const s = stats();
    expect(Object.keys(s)).to.have.members(TOP_FIELDS);
    expect(s.backend).to.equal(backendKind());
    expect(s.hugePageAdviceFailed).to.be.a("boolean");
    for (const key of TOP_FIELDS) {
      if (
        ["backend", "sizeClasses", "totals", "hugePageAdviceFailed", "hugePageBytes"].includes(key)
      )
        continue;
      const value = (s as unknown as Record<string, unknown>)[key];
      expect(value, key).to.be.a("number");
      expect(
        Number.isSafeInteger(value) && (value as number) >= 0,
        `${key} = ${String(value)}`,
      ).to.equal(true);
    }
  });

  it("has 16 size classes from 2 MiB to 64 GiB with every field", () => {
    const { sizeClasses } = stats();
    expect(sizeClasses).to.have.length(16);
    sizeClasses.forEach((entry, i) => {
      expect(Object.keys(entry)).to.have.members(CLASS_FIELDS);
      expect(entry.regionBytes).to.equal(2 ** (21 + i));
      for (const key of CLASS_FIELDS) expect(entry[key], key).to.be.a("number");
      expect(entry.freeRegions).to.equal(
        entry.cleanRegions + entry.globalRegions + entry.threadRegions,
      );
    });
  });

  it("has totals that are the sums of the size classes (regionBytes 0)", () => {
    const regions = [allocate(2 * MiB), allocate(4 * MiB)];
    regions[0]!.dispose();
    const s = stats();
    regions[1]!.dispose();
    expect(s.totals.regionBytes).to.equal(0);
    for (const key of CLASS_FIELDS) {
      if (key === "regionBytes") continue;
      const sum = s.sizeClasses.reduce((total, entry) => total + entry[key], 0);
      expect(s.totals[key], key).to.equal(sum);
    }
  });

  it("counts an allocation and a disposal in the region's class and the totals", () => {
    const index = classIndex(4 * MiB);
    const before = stats();
    const region = allocate(4 * MiB);
    const held = stats();
    expect(held.sizeClasses[index]!.allocations).to.equal(
      before.sizeClasses[index]!.allocations + 1,
    );
    expect(held.totals.allocations).to.equal(before.totals.allocations + 1);
    expect(held.liveRegions).to.equal(before.liveRegions + 1);
    expect(held.liveBytes).to.equal(before.liveBytes + 4 * MiB);
    expect(held.mappedBytes).to.be.at.least(held.liveBytes);
    region.dispose();
    const after = stats();
    expect(after.sizeClasses[index]!.deallocations).to.equal(
      before.sizeClasses[index]!.deallocations + 1,
    );
    expect(after.totals.deallocations).to.equal(before.totals.deallocations + 1);
    expect(after.disposedRegions).to.equal(before.disposedRegions + 1);
    expect(after.liveRegions).to.equal(before.liveRegions);
    expect(after.liveBytes).to.equal(before.liveBytes);
  });

  it("counts mapped bytes as the sum of the areas", () => {
    const region = allocate(2 * MiB);
    const s = stats();
    region.dispose();
    expect(s.mappedBytes).to.equal(s.totals.areaTotalBytes);
    expect(s.totals.areaTotalBytes).to.be.at.least(2 * MiB);
  });

  it("leaves hugePageBytes undefined unless asked", () => {
    expect(stats().hugePageBytes).to.equal(undefined);
    expect(stats({}).hugePageBytes).to.equal(undefined);
    expect(stats({ hugePages: false }).hugePageBytes).to.equal(undefined);
  });

  it("gives hugePageBytes as a number with { hugePages: true }", () => {
    const region = allocate(2 * MiB);
    try {
      region.view(Uint8Array).fill(1);
      const bytes = stats({ hugePages: true }).hugePageBytes;
      expect(bytes).to.be.a("number");
      expect(bytes! >= 0 && Number.isSafeInteger(bytes)).to.equal(true);
      if (!isNative()) expect(bytes).to.equal(0);
    } finally {
      region.dispose();
    }
  });

  it("counts huge pages natively once the kernel backs a touched region with them", function () {
    if (!isNative()) this.skip();
    const before = processHugePageBytes();
    if (before === undefined) this.skip();
    // A fresh 256 MiB region (a class no other test uses), every page touched.
    const regions = [allocate(256 * MiB)];
    try {
      for (const region of regions) region.view(Uint8Array).fill(0xaa);
      const grew = processHugePageBytes()! - before!;
      // Only meaningful when the kernel granted huge pages at all (THP in madvise mode
      // here); otherwise there is nothing to count.
      if (grew <= 0) this.skip();
      expect(stats({ hugePages: true }).hugePageBytes).to.be.greaterThan(0);
    } finally {
      for (const region of regions) region.dispose();
    }
  });
});
