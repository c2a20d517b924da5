// Tests of the garbage-collection release: an unreachable region that was never disposed
// goes back to the pool when its buffer is collected, exactly once. The long runs happen
// in a process of their own (test/src/fixtures/gc-churn.ts).

import { expect } from "chai";
import { allocate, stats } from "@lgalloc/core";
import { lastJson, runFixture } from "./support/fixtures";
import { MiB, collectUntil, isNative } from "./support";

interface Unbounded {
  backend: string;
  liveRegions: number;
  collectedRegions: number;
  disposedRegions: number;
  mappedBytes: number;
  maxMapped: number;
  maxLive: number;
  maxRss: number;
  rss: number;
  allocations: number;
  deallocations: number;
}

interface Mixed {
  backend: string;
  count: number;
  released: boolean;
  liveRegions: number;
  disposedRegions: number;
  collectedRegions: number;
  allocationsMinusDeallocations: number;
  perClass: { regions: number; free: number; held: number }[];
  aliased: number;
  liveWhileHeld: number;
  heldMinusLive: number;
}

describe("garbage collection of regions", () => {
  it("releases a dropped region once its buffer is collected (collectedRegions)", async () => {
    const before = stats();
    (() => {
      const region = allocate(2 * MiB);
      region.view(Uint8Array)[0] = 1;
    })();
    const collected = await collectUntil(() => stats().collectedRegions > before.collectedRegions);
    expect(collected, "the dropped region was collected").to.equal(true);
    const after = stats();
    expect(after.liveRegions).to.be.at.most(before.liveRegions);
    expect(after.disposedRegions).to.equal(before.disposedRegions);
  });

  it("does not count a disposed region again when its buffer is collected", async () => {
    const before = stats();
    (() => {
      const region = allocate(2 * MiB);
      region.view(Uint8Array)[0] = 1;
      region.dispose();
    })();
    await collectUntil(() => false, 300);
    const after = stats();
    expect(after.disposedRegions).to.equal(before.disposedRegions + 1);
    expect(after.collectedRegions - before.collectedRegions).to.be.at.most(
      // Regions other tests dropped may be collected meanwhile, never this one.
      Math.max(0, before.liveRegions - after.liveRegions),
    );
  });

  it("stays bounded allocating 2000 regions of 2 MiB without disposing any", async () => {
    const result = await runFixture("gc-churn", ["unbounded"]);
    expect(result.status, result.stderr).to.equal(0);
    const figures = lastJson<Unbounded>(result.stdout);
    expect(figures.allocations).to.equal(2000);
    expect(figures.disposedRegions).to.equal(0);
    expect(figures.collectedRegions).to.be.greaterThan(1000);
    expect(figures.liveRegions).to.be.below(100);
    expect(figures.maxLive).to.be.below(500);
    expect(figures.maxRss).to.be.below(1024 * MiB);
    if (isNative()) {
      expect(figures.maxMapped).to.be.below(512 * MiB);
      expect(figures.mappedBytes).to.be.below(512 * MiB);
      expect(figures.allocations - figures.deallocations).to.equal(figures.liveRegions);
    }
  });

  it("returns each region exactly once whether disposed, collected, or both", async () => {
    const result = await runFixture("gc-churn", ["mixed"]);
    expect(result.status, result.stderr).to.equal(0);
    const figures = lastJson<Mixed>(result.stdout);
    expect(figures.released, "every region was released").to.equal(true);
    expect(figures.liveRegions).to.equal(0);
    expect(figures.disposedRegions + figures.collectedRegions).to.equal(figures.count);
    expect(figures.disposedRegions).to.equal(figures.count / 2 + figures.count / 10);
    expect(figures.aliased, "regions handed out twice").to.equal(0);
    expect(figures.liveWhileHeld).to.equal(figures.count);
    if (isNative()) {
      expect(figures.allocationsMinusDeallocations).to.equal(figures.liveRegions);
      expect(figures.heldMinusLive).to.equal(0);
      figures.perClass.forEach((entry, index) => {
        expect(entry.held, `class ${index} held`).to.equal(0);
        expect(entry.free, `class ${index}: free regions equal the regions of its areas`).to.equal(
          entry.regions,
        );
      });
    }
  });
});
