// Tests of trim() and flushThreadCache(): areas whose regions are all pooled are unmapped,
// areas holding live regions stay (with their data), and allocation works afterwards.

import { expect } from "chai";
import { allocate, flushThreadCache, stats, trim } from "@lgalloc/core";
import { MiB, classIndex, expectAllocatorWorks, isNative } from "./support";

describe("trim()", () => {
  it("unmaps the areas of disposed regions after flushThreadCache()", () => {
    const SIZE = 64 * MiB;
    const index = classIndex(SIZE);
    const regions = [allocate(SIZE), allocate(SIZE)];
    for (const region of regions) region.view(Uint8Array)[0] = 1;
    for (const region of regions) region.dispose();
    flushThreadCache();
    const before = stats();
    expect(before.sizeClasses[index]!.areas).to.be.greaterThan(0);

    const result = trim();

    expect(Object.keys(result)).to.have.members(["areasUnmapped", "bytesUnmapped"]);
    expect(result.areasUnmapped).to.be.at.least(1);
    expect(result.bytesUnmapped).to.be.at.least(2 * SIZE);
    const after = stats();
    expect(after.mappedBytes).to.equal(before.mappedBytes - result.bytesUnmapped);
    expect(after.sizeClasses[index]!.areas).to.equal(0);
    expect(after.sizeClasses[index]!.freeRegions).to.equal(0);
    expect(after.totals.trimmedAreas).to.equal(before.totals.trimmedAreas + result.areasUnmapped);
  });

  it("lets allocation work afterwards, in a trimmed class too", () => {
    const SIZE = 64 * MiB;
    allocate(SIZE).dispose();
    flushThreadCache();
    trim();
    const region = allocate(SIZE);
    const bytes = region.view(Uint8Array);
    bytes[SIZE - 1] = 0x42;
    expect(bytes[SIZE - 1]).to.equal(0x42);
    region.dispose();
    expectAllocatorWorks();
  });

  it("keeps an area that holds a live region, with its data", () => {
    const SIZE = 64 * MiB;
    const index = classIndex(SIZE);
    flushThreadCache();
    trim();
    const region = allocate(SIZE);
    const bytes = region.view(Uint8Array);
    bytes[0] = 0x5a;
    bytes[SIZE - 1] = 0xa5;
    flushThreadCache();
    trim();
    expect(stats().sizeClasses[index]!.areas).to.be.at.least(1);
    expect([bytes[0], bytes[SIZE - 1]]).to.deep.equal([0x5a, 0xa5]);
    expect(region.view(Uint8Array, SIZE - 1, 1)[0]).to.equal(0xa5);
    region.dispose();
  });

  it("returns zeros when there is nothing to unmap", () => {
    flushThreadCache();
    trim();
    expect(trim()).to.deep.equal({ areasUnmapped: 0, bytesUnmapped: 0 });
  });
});

describe("flushThreadCache()", () => {
  it("moves this thread's cached regions to the global pool (natively)", function () {
    if (!isNative()) this.skip();
    const index = classIndex(2 * MiB);
    const region = allocate(2 * MiB);
    region.dispose();
    expect(stats().sizeClasses[index]!.threadRegions).to.be.greaterThan(0);
    const before = stats().sizeClasses[index]!;
    flushThreadCache();
    const after = stats().sizeClasses[index]!;
    expect(after.threadRegions).to.equal(0);
    expect(after.freeRegions).to.equal(before.freeRegions);
  });

  it("returns undefined and leaves allocation working", () => {
    expect(flushThreadCache()).to.equal(undefined);
    expectAllocatorWorks();
  });
});
