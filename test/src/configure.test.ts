// Tests of configure() and config(): the defaults, each option read back and its effect
// where it can be observed, enabling and disabling, and the memory limit. Configuration is
// process-wide, so every test restores what it found.

import { expect } from "chai";
import {
  DEFAULT_CONFIG,
  LgallocError,
  allocate,
  config,
  configure,
  flushThreadCache,
  stats,
  trim,
  tryAllocate,
  type Config,
} from "@lgalloc/core";
import {
  MiB,
  classIndex,
  expectAllocatorWorks,
  expectError,
  isNative,
  restoreConfigAfterEach,
  sleep,
  waitFor,
} from "./support";

const DEFAULTS: Config = {
  enabled: true,
  eagerReturn: false,
  growthDampener: 0,
  localBufferBytes: 33554432,
  background: { intervalMs: 1000, clearBytes: 33554432 },
  maxAreaBytes: 0,
  memoryLimitBytes: 0,
};

/** Returns pooled regions to the kernel, so that a size class nobody holds has no areas. */
function emptyPools(): void {
  flushThreadCache();
  trim();
}

describe("config()", () => {
  it("has the documented defaults", () => {
    expect(config()).to.deep.equal(DEFAULTS);
    expect(DEFAULT_CONFIG).to.deep.equal(DEFAULTS);
  });

  it("returns a fresh object each time", () => {
    const a = config();
    const b = config();
    expect(a).to.not.equal(b);
    (a as { enabled: boolean }).enabled = false;
    expect(config().enabled).to.equal(true);
  });
});

describe("configure()", () => {
  restoreConfigAfterEach();

  it("returns the whole new configuration, equal to config()", () => {
    const returned = configure({ growthDampener: 2 });
    expect(returned).to.deep.equal({ ...DEFAULTS, growthDampener: 2 });
    expect(returned).to.deep.equal(config());
  });

  it("changes nothing when given no fields", () => {
    expect(configure({})).to.deep.equal(DEFAULTS);
  });

  const values: [keyof Config, Config[keyof Config]][] = [
    ["enabled", false],
    ["eagerReturn", true],
    ["growthDampener", 3],
    ["localBufferBytes", 8 * MiB],
    ["localBufferBytes", 0],
    ["background", { intervalMs: 250, clearBytes: 4 * MiB }],
    ["background", { intervalMs: 0.5, clearBytes: 0 }],
    ["background", false],
    ["maxAreaBytes", 64 * MiB],
    ["memoryLimitBytes", 2 ** 40],
  ];
  for (const [key, value] of values) {
    it(`sets ${key} to ${JSON.stringify(value)} and leaves the other fields alone`, () => {
      const returned = configure({ [key]: value });
      expect(returned[key]).to.deep.equal(value);
      expect(config()).to.deep.equal({ ...DEFAULTS, [key]: value });
    });
  }

  it("applies several fields at once", () => {
    const update = { eagerReturn: true, growthDampener: 1, maxAreaBytes: 32 * MiB };
    expect(configure(update)).to.deep.equal({ ...DEFAULTS, ...update });
  });

  it("restores the defaults when given DEFAULT_CONFIG", () => {
    configure({ enabled: false, background: false, memoryLimitBytes: 4 * MiB });
    expect(configure(DEFAULT_CONFIG)).to.deep.equal(DEFAULTS);
  });

  it("changes nothing when one field is invalid", () => {
    const before = config();
    expectError(() => configure({ growthDampener: 5, localBufferBytes: -1 }), {
      type: RangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["localBufferBytes"],
    });
    expectError(() => configure({ enabled: false, background: { intervalMs: 10 } as never }), {
      type: TypeError,
      code: "ERR_INVALID_ARG_TYPE",
      message: ["clearBytes"],
    });
    expect(config()).to.deep.equal(before);
  });

  describe("enabled", () => {
    it("makes allocate() throw ERR_LGALLOC_DISABLED while false", () => {
      configure({ enabled: false });
      const before = stats();
      expectError(() => allocate(2 * MiB), { type: LgallocError, code: "ERR_LGALLOC_DISABLED" });
      expectError(() => tryAllocate(2 * MiB), { type: LgallocError, code: "ERR_LGALLOC_DISABLED" });
      expect(stats().totals.allocations).to.equal(before.totals.allocations);
    });

    it("still lets regions be disposed while false", () => {
      const region = allocate(2 * MiB);
      const bytes = region.view(Uint8Array);
      configure({ enabled: false });
      const before = stats().disposedRegions;
      region.dispose();
      expect(bytes.length).to.equal(0);
      expect(stats().disposedRegions).to.equal(before + 1);
    });

    it("lets allocation work again once re-enabled", () => {
      configure({ enabled: false });
      expectError(() => allocate(2 * MiB), { type: LgallocError, code: "ERR_LGALLOC_DISABLED" });
      configure({ enabled: true });
      expectAllocatorWorks();
    });
  });

  describe("memoryLimitBytes", () => {
    // 128 MiB regions: no other test holds one, so after emptyPools() the class needs a
    // new mapping for its next region.
    const SIZE = 128 * MiB;

    it("makes allocation beyond the limit throw ERR_LGALLOC_OUT_OF_MEMORY with the limit", () => {
      emptyPools();
      const before = stats();
      const limit = before.mappedBytes + MiB;
      configure({ memoryLimitBytes: limit });
      expect(stats().memoryLimitBytes).to.equal(limit);
      const error = expectError(() => allocate(SIZE), {
        type: LgallocError,
        code: "ERR_LGALLOC_OUT_OF_MEMORY",
      });
      expect(error.limit).to.equal(limit);
      expect(error.size).to.equal(SIZE);
      const after = stats();
      expect(after.mappedBytes).to.equal(before.mappedBytes);
      expect(after.liveRegions).to.equal(before.liveRegions);
    });

    it("makes tryAllocate() return undefined at the limit", () => {
      emptyPools();
      configure({ memoryLimitBytes: stats().mappedBytes + MiB });
      expect(tryAllocate(SIZE)).to.equal(undefined);
    });

    it("lets allocation work again once the limit is raised or removed", () => {
      emptyPools();
      const mapped = stats().mappedBytes;
      configure({ memoryLimitBytes: mapped + MiB });
      expect(tryAllocate(SIZE)).to.equal(undefined);
      configure({ memoryLimitBytes: mapped + 16 * SIZE });
      const raised = allocate(SIZE);
      raised.view(Uint8Array)[SIZE - 1] = 1;
      configure({ memoryLimitBytes: 0 });
      const unlimited = allocate(SIZE);
      raised.dispose();
      unlimited.dispose();
      expectAllocatorWorks();
    });
  });

  describe("eagerReturn", () => {
    it("clears a region overflowing the thread cache at once (clearEagerTotal, zeroed on reuse)", () => {
      const SIZE = 16 * MiB;
      const index = classIndex(SIZE);
      configure({ eagerReturn: true, localBufferBytes: 0 });
      const region = allocate(SIZE);
      region.view(Uint8Array).fill(0x77, 0, 4096);
      const before = stats().sizeClasses[index]!;
      region.dispose();
      const after = stats().sizeClasses[index]!;
      expect(after.clearEagerTotal).to.equal(before.clearEagerTotal + 1);
      emptyPools();
      const next = allocate(SIZE);
      try {
        expect(next.knownZero).to.equal(true);
        expect(next.view(Uint8Array, 0, 4096).every((byte) => byte === 0)).to.equal(true);
      } finally {
        next.dispose();
      }
    });
  });

  describe("localBufferBytes", () => {
    it("keeps disposed regions in the thread cache up to the limit (natively)", function () {
      if (!isNative()) this.skip();
      const index = classIndex(2 * MiB);
      flushThreadCache();
      const region = allocate(2 * MiB);
      const before = stats().sizeClasses[index]!;
      region.dispose();
      expect(stats().sizeClasses[index]!.threadRegions).to.equal(before.threadRegions + 1);
    });

    it("sends every disposed region to the global pool when 0", () => {
      const index = classIndex(2 * MiB);
      configure({ localBufferBytes: 0 });
      flushThreadCache();
      const region = allocate(2 * MiB);
      const before = stats().sizeClasses[index]!;
      region.dispose();
      const after = stats().sizeClasses[index]!;
      expect(after.threadRegions).to.equal(before.threadRegions);
      expect(after.freeRegions).to.equal(before.freeRegions + 1);
    });
  });

  describe("maxAreaBytes", () => {
    it("caps the bytes of each new area (one region per area at the region size)", () => {
      const SIZE = 32 * MiB;
      const index = classIndex(SIZE);
      emptyPools();
      configure({ maxAreaBytes: SIZE });
      const before = stats().sizeClasses[index]!;
      const regions = [allocate(SIZE), allocate(SIZE), allocate(SIZE)];
      const after = stats().sizeClasses[index]!;
      for (const region of regions) region.dispose();
      const areas = after.areas - before.areas;
      const bytes = after.areaTotalBytes - before.areaTotalBytes;
      expect(areas).to.equal(3);
      expect(bytes).to.equal(3 * SIZE);
    });

    it("still maps one whole region when the cap is smaller than a region", () => {
      configure({ maxAreaBytes: MiB });
      expectAllocatorWorks();
      const region = allocate(8 * MiB);
      expect(region.capacity).to.equal(8 * MiB);
      region.dispose();
    });
  });

  describe("background", () => {
    it("runs passes at the configured interval", async () => {
      configure({ background: { intervalMs: 5, clearBytes: 2 * MiB } });
      const start = stats().backgroundPasses;
      const ran = await waitFor(() => stats().backgroundPasses >= start + 3, 3000);
      expect(ran, "three background passes within 3 s at a 5 ms interval").to.equal(true);
    });

    it("stops the worker when false", async () => {
      configure({ background: { intervalMs: 5, clearBytes: 2 * MiB } });
      await sleep(20);
      configure({ background: false });
      await sleep(20); // a pass already under way may still finish
      const stopped = stats().backgroundPasses;
      await sleep(100);
      expect(stats().backgroundPasses).to.equal(stopped);
      expect(config().background).to.equal(false);
    });

    it("starts again after false", async () => {
      configure({ background: false });
      configure({ background: { intervalMs: 5, clearBytes: 0 } });
      const start = stats().backgroundPasses;
      expect(await waitFor(() => stats().backgroundPasses > start, 3000)).to.equal(true);
    });

    it("hands dirty pooled regions back as clean regions (natively)", async function () {
      if (!isNative()) this.skip();
      const index = classIndex(4 * MiB);
      configure({ localBufferBytes: 0, background: false });
      const regions = [allocate(4 * MiB), allocate(4 * MiB)];
      for (const region of regions) {
        region.view(Uint8Array).fill(1, 0, 4096);
        region.dispose();
      }
      expect(stats().sizeClasses[index]!.globalRegions).to.be.greaterThan(0);
      const cleanBefore = stats().sizeClasses[index]!.clearSlowTotal;
      configure({ background: { intervalMs: 2, clearBytes: 64 * MiB } });
      const cleared = await waitFor(
        () => stats().sizeClasses[index]!.clearSlowTotal > cleanBefore,
        3000,
      );
      expect(cleared).to.equal(true);
      expect(stats().sizeClasses[index]!.cleanRegions).to.be.greaterThan(0);
    });
  });
});
