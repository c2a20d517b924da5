// Tests of allocate(), tryAllocate() and sizeClassOf(): capacities round up to a power of
// two of at least 2 MiB, fresh regions that claim to be zero are, and every view of a
// region sees the same memory.

import { expect } from "chai";
import {
  MAX_REGION_BYTES,
  MIN_REGION_BYTES,
  allocate,
  isRegion,
  sizeClassOf,
  stats,
  tryAllocate,
} from "@lgalloc/core";
import { GiB, MiB, requireNative } from "./support";

describe("sizeClassOf()", () => {
  const cases: [number, number][] = [
    [2 * MiB, 2 * MiB],
    [2 * MiB + 1, 4 * MiB],
    [3 * MiB, 4 * MiB],
    [4 * MiB, 4 * MiB],
    [4 * MiB + 1, 8 * MiB],
    [GiB - 1, GiB],
    [GiB, GiB],
    [32 * GiB + 1, 64 * GiB],
    [64 * GiB, 64 * GiB],
  ];
  for (const [byteLength, capacity] of cases) {
    it(`rounds ${byteLength} up to ${capacity}`, () => {
      expect(sizeClassOf(byteLength)).to.equal(capacity);
    });
  }

  it("exports the smallest and largest region sizes", () => {
    expect(MIN_REGION_BYTES).to.equal(2 ** 21);
    expect(MAX_REGION_BYTES).to.equal(2 ** 36);
  });
});

describe("allocate()", () => {
  it("returns a region whose capacity is the size class of the request", () => {
    for (const byteLength of [2 * MiB, 2 * MiB + 1, 5 * MiB, 8 * MiB]) {
      const region = allocate(byteLength);
      try {
        expect(isRegion(region)).to.equal(true);
        expect(region.capacity).to.equal(sizeClassOf(byteLength));
        expect(region.sizeClass).to.equal(Math.log2(region.capacity));
        expect(region.buffer.byteLength).to.equal(region.capacity);
        expect(region.disposed).to.equal(false);
      } finally {
        region.dispose();
      }
    }
  });

  it("gives 2 MiB for exactly 2 MiB and 4 MiB for one byte more", () => {
    const small = allocate(2 * MiB);
    const larger = allocate(2 * MiB + 1);
    expect([small.capacity, small.sizeClass]).to.deep.equal([2 * MiB, 21]);
    expect([larger.capacity, larger.sizeClass]).to.deep.equal([4 * MiB, 22]);
    small.dispose();
    larger.dispose();
  });

  it("hands out regions that read zero when knownZero is true", () => {
    // Take several so that both fresh and pooled regions are likely among them.
    const regions = Array.from({ length: 6 }, () => allocate(2 * MiB));
    try {
      for (const region of regions) {
        if (!region.knownZero) continue;
        const words = region.view(Float64Array);
        for (let i = 0; i < words.length; i += 509) expect(words[i]).to.equal(0);
        expect(words[words.length - 1]).to.equal(0);
      }
    } finally {
      for (const region of regions) region.dispose();
    }
  });

  it("has a fresh region of an untouched size class report knownZero", () => {
    // 512 MiB: no other test uses this class, so the first region comes from a new area.
    const region = allocate(512 * MiB);
    try {
      expect(region.knownZero).to.equal(true);
      const bytes = region.view(Uint8Array);
      expect([bytes[0], bytes[bytes.length >>> 1], bytes[bytes.length - 1]]).to.deep.equal([
        0, 0, 0,
      ]);
    } finally {
      region.dispose();
    }
  });

  it("shows the same memory through views of different types", () => {
    const region = allocate(2 * MiB);
    try {
      const bytes = region.view(Uint8Array);
      const words = region.view(Uint32Array, 1024, 16);
      words[0] = 0x11223344;
      expect([bytes[1024], bytes[1025], bytes[1026], bytes[1027]]).to.deep.equal([
        0x44, 0x33, 0x22, 0x11,
      ]);
      bytes[region.capacity - 1] = 0x7f;
      const tail = region.view(Int8Array, region.capacity - 8);
      expect(tail[7]).to.equal(0x7f);
      const fromBuffer = new Uint8Array(region.buffer);
      expect(fromBuffer[1024]).to.equal(0x44);
    } finally {
      region.dispose();
    }
  });

  it("returns distinct memory for regions live at the same time", () => {
    const regions = Array.from({ length: 8 }, () => allocate(2 * MiB));
    try {
      regions.forEach((region, i) => region.view(Uint32Array, 0, 1).fill(i + 1));
      regions.forEach((region, i) => expect(region.view(Uint32Array, 0, 1)[0]).to.equal(i + 1));
    } finally {
      for (const region of regions) region.dispose();
    }
  });

  it("allocates a 64 GiB region natively and writes its first and last byte", function () {
    requireNative(this);
    const region = allocate(64 * GiB);
    try {
      expect(region.capacity).to.equal(64 * GiB);
      expect(region.sizeClass).to.equal(36);
      const first = region.view(Uint8Array, 0, 1);
      const last = region.view(Uint8Array, region.capacity - 1, 1);
      first[0] = 0xab;
      last[0] = 0xcd;
      expect(region.view(Uint8Array, 0, 1)[0]).to.equal(0xab);
      expect(region.view(Uint8Array, region.capacity - 1, 1)[0]).to.equal(0xcd);
    } finally {
      region.dispose();
    }
  });

  it("counts the allocation in its size class", () => {
    const before = stats().sizeClasses[1]!.allocations;
    const region = allocate(4 * MiB);
    expect(stats().sizeClasses[1]!.allocations).to.equal(before + 1);
    region.dispose();
  });
});

describe("tryAllocate()", () => {
  it("returns a region like allocate() when memory is available", () => {
    const region = tryAllocate(3 * MiB);
    expect(region).to.not.equal(undefined);
    expect(region!.capacity).to.equal(4 * MiB);
    region!.view(Uint8Array)[0] = 1;
    region!.dispose();
  });
});
