// Region#reallocate: like realloc, a new region holding the old one's first
// min(capacities) bytes, the old one disposed. On the native backend whole 2 MiB pieces
// move by remapping pages (stats().movedBytes), on the fallback they are copied
// (copiedBytes); the contract is the same on both.

import { expect } from "chai";
import {
  LgallocError,
  allocate,
  configure,
  flushThreadCache,
  releaseToken,
  stats,
  trim,
} from "@lgalloc/core";
import {
  MiB,
  expectAllocatorWorks,
  expectError,
  hasPattern,
  isNative,
  restoreConfigAfterEach,
  writePattern,
} from "./support";

describe("Region#reallocate()", () => {
  restoreConfigAfterEach();

  it("grows: keeps every byte, detaches the old views, and the rest of the new region is zero", () => {
    const old = allocate(4 * MiB);
    const bytes = old.view(Uint8Array);
    writePattern(bytes, 11);
    const before = stats();
    const grown = old.reallocate(16 * MiB);
    try {
      expect(old.disposed).to.equal(true);
      expect(bytes.length).to.equal(0);
      expect(grown.capacity).to.equal(16 * MiB);
      expect(hasPattern(grown.view(Uint8Array, 0, 4 * MiB), 11)).to.equal(true);
      if (grown.knownZero) {
        const tail = grown.view(Uint8Array, 4 * MiB);
        expect(tail.every((byte) => byte === 0)).to.equal(true);
      }
      const after = stats();
      const handled =
        after.movedBytes - before.movedBytes + (after.copiedBytes - before.copiedBytes);
      expect(handled).to.equal(4 * MiB);
      if (isNative()) expect(after.movedBytes - before.movedBytes).to.equal(4 * MiB);
      expect(after.liveRegions).to.equal(before.liveRegions);
      expect(after.disposedRegions).to.equal(before.disposedRegions + 1);
    } finally {
      grown.dispose();
    }
  });

  it("shrinks: keeps the first bytes that fit and says nothing past them is zero", () => {
    const old = allocate(8 * MiB);
    writePattern(old.view(Uint8Array), 12);
    const expected = old.view(Uint8Array, 0, 2 * MiB).slice();
    const small = old.reallocate(2 * MiB);
    try {
      expect(small.capacity).to.equal(2 * MiB);
      expect(small.knownZero).to.equal(false);
      expect(Buffer.compare(Buffer.from(small.buffer), Buffer.from(expected))).to.equal(0);
    } finally {
      small.dispose();
    }
  });

  it("to the same size class gives a new region with the same bytes", () => {
    const old = allocate(2 * MiB);
    writePattern(old.view(Uint8Array), 13);
    const again = old.reallocate(2 * MiB);
    try {
      expect(old.disposed).to.equal(true);
      expect(again.disposed).to.equal(false);
      expect(hasPattern(again.view(Uint8Array), 13)).to.equal(true);
    } finally {
      again.dispose();
    }
  });

  it("chains: a vector-like doubling from 2 MiB to 64 MiB keeps its data at every step", () => {
    let region = allocate(2 * MiB);
    let filled = 0;
    for (let size = 2 * MiB; size <= 64 * MiB; size *= 2) {
      if (size > region.capacity) region = region.reallocate(size);
      const words = region.view(Float64Array);
      for (let i = filled; i < words.length; i++) words[i] = i * 0.5;
      filled = words.length;
    }
    try {
      const words = region.view(Float64Array);
      let wrong = -1;
      for (let i = 0; i < words.length && wrong < 0; i++) if (words[i] !== i * 0.5) wrong = i;
      expect(wrong).to.equal(-1);
    } finally {
      region.dispose();
    }
  });

  it("of a disposed or transferred region throws ERR_LGALLOC_DISPOSED", () => {
    const disposed = allocate(2 * MiB);
    disposed.dispose();
    expectError(() => disposed.reallocate(4 * MiB), {
      type: LgallocError,
      code: "ERR_LGALLOC_DISPOSED",
      message: ["reallocate"],
    });
    const moved = allocate(2 * MiB);
    const token = moved.transfer();
    expectError(() => moved.reallocate(4 * MiB), {
      type: LgallocError,
      code: "ERR_LGALLOC_DISPOSED",
      message: ["reallocate"],
    });
    expect(token.byteLength).to.equal(2 * MiB);
    expect(releaseToken(token)).to.equal(true);
    expectAllocatorWorks();
  });

  it("when the allocator is disabled throws ERR_LGALLOC_DISABLED and keeps the region", () => {
    const region = allocate(2 * MiB);
    writePattern(region.view(Uint8Array), 14);
    configure({ enabled: false });
    expectError(() => region.reallocate(4 * MiB), {
      type: LgallocError,
      code: "ERR_LGALLOC_DISABLED",
    });
    configure({ enabled: true });
    expect(region.disposed).to.equal(false);
    expect(hasPattern(region.view(Uint8Array), 14)).to.equal(true);
    const grown = region.reallocate(4 * MiB);
    expect(hasPattern(grown.view(Uint8Array, 0, 2 * MiB), 14)).to.equal(true);
    grown.dispose();
  });

  it("beyond the memory limit throws ERR_LGALLOC_OUT_OF_MEMORY and keeps the region", () => {
    const region = allocate(2 * MiB);
    writePattern(region.view(Uint8Array), 15);
    // A free 16 GiB region pooled by an earlier test would serve without a new mapping.
    flushThreadCache();
    trim();
    configure({ memoryLimitBytes: stats().mappedBytes + 2 * MiB });
    expectError(() => region.reallocate(2 ** 34), {
      type: LgallocError,
      code: "ERR_LGALLOC_OUT_OF_MEMORY",
    });
    expect(region.disposed).to.equal(false);
    expect(hasPattern(region.view(Uint8Array), 15)).to.equal(true);
    region.dispose();
  });
});
