// Tests of Region#dispose(): detaching every view of the region's memory, idempotence,
// the ERR_LGALLOC_DISPOSED errors of a disposed region, the counters, and the reuse of the
// region's memory by the next allocation of its size class.

import { expect } from "chai";
import { LgallocError, allocate, isRegion, stats } from "@lgalloc/core";
import { MiB, classIndex, expectError } from "./support";

describe("Region#dispose()", () => {
  it("detaches every view of the buffer", () => {
    const region = allocate(2 * MiB);
    const buffer = region.buffer;
    const bytes = region.view(Uint8Array);
    const doubles = region.view(Float64Array, 8, 100);
    const bigs = region.view(BigInt64Array);
    const own = new Int16Array(region.buffer);
    const dataView = new DataView(region.buffer, 4, 64);
    const nodeBuffer = Buffer.from(region.buffer);
    bytes[0] = 1;
    expect(nodeBuffer[0]).to.equal(1);

    region.dispose();

    expect(region.disposed).to.equal(true);
    for (const view of [bytes, doubles, bigs, own, nodeBuffer]) {
      expect(view.length).to.equal(0);
      expect(view.byteLength).to.equal(0);
    }
    expect(bytes[0]).to.equal(undefined);
    bytes[0] = 9; // ignored on a detached buffer
    expect(bytes[0]).to.equal(undefined);
    expect(buffer.byteLength).to.equal(0);
    expect(dataView.buffer.byteLength).to.equal(0);
    expect(() => dataView.getUint8(0)).to.throw(TypeError);
    expect(() => new Uint8Array(buffer, 0, 1)).to.throw(TypeError);
  });

  it("is a no-op the second time", () => {
    const region = allocate(2 * MiB);
    region.dispose();
    const after = stats();
    region.dispose();
    region[Symbol.dispose]();
    const again = stats();
    expect(again.disposedRegions).to.equal(after.disposedRegions);
    expect(again.totals.deallocations).to.equal(after.totals.deallocations);
    expect(again.liveRegions).to.equal(after.liveRegions);
    expect(region.disposed).to.equal(true);
  });

  it("is what [Symbol.dispose]() does", () => {
    const region = allocate(2 * MiB);
    const bytes = region.view(Uint8Array);
    region[Symbol.dispose]();
    expect(region.disposed).to.equal(true);
    expect(bytes.length).to.equal(0);
  });

  it("keeps capacity, sizeClass, knownZero and the region brand readable", () => {
    const region = allocate(3 * MiB);
    const knownZero = region.knownZero;
    region.dispose();
    expect(region.capacity).to.equal(4 * MiB);
    expect(region.sizeClass).to.equal(22);
    expect(region.knownZero).to.equal(knownZero);
    expect(isRegion(region)).to.equal(true);
    expect(String(region)).to.equal(
      `Region { capacity: 4194304, sizeClass: 22, knownZero: ${knownZero}, disposed: true }`,
    );
  });

  describe("after dispose", () => {
    const operations: [string, (region: ReturnType<typeof allocate>) => unknown][] = [
      ["buffer", (region) => region.buffer],
      ["view()", (region) => region.view(Uint8Array)],
      ["view() with offset and length", (region) => region.view(Float64Array, 8, 1)],
      ["prefetch()", (region) => region.prefetch()],
      ["prefetch() with a range", (region) => region.prefetch(0, 4096)],
      ["transfer()", (region) => region.transfer()],
    ];
    for (const [name, operation] of operations) {
      it(`${name} throws ERR_LGALLOC_DISPOSED`, () => {
        const region = allocate(2 * MiB);
        region.dispose();
        const before = stats();
        expectError(() => operation(region), {
          type: LgallocError,
          code: "ERR_LGALLOC_DISPOSED",
          message: [/dispos/],
        });
        const after = stats();
        expect(after.transferredRegions).to.equal(before.transferredRegions);
        expect(after.pendingTransfers).to.equal(before.pendingTransfers);
      });
    }
  });

  it("moves the live and disposed counters", () => {
    const before = stats();
    const region = allocate(8 * MiB);
    const held = stats();
    expect(held.liveRegions).to.equal(before.liveRegions + 1);
    expect(held.liveBytes).to.equal(before.liveBytes + 8 * MiB);
    region.dispose();
    const after = stats();
    expect(after.liveRegions).to.equal(before.liveRegions);
    expect(after.liveBytes).to.equal(before.liveBytes);
    expect(after.disposedRegions).to.equal(before.disposedRegions + 1);
    const index = classIndex(8 * MiB);
    expect(after.sizeClasses[index]!.deallocations).to.equal(
      before.sizeClasses[index]!.deallocations + 1,
    );
    expect(after.sizeClasses[index]!.allocations).to.equal(
      before.sizeClasses[index]!.allocations + 1,
    );
  });

  it("returns the region to the pool: the next allocation of the class reuses it", () => {
    const index = classIndex(2 * MiB);
    const first = allocate(2 * MiB);
    const oldBytes = first.view(Uint8Array);
    oldBytes[0] = 0x11;
    first.dispose();
    const pooled = stats();
    expect(pooled.sizeClasses[index]!.freeRegions).to.be.greaterThan(0);

    const second = allocate(2 * MiB);
    const reused = stats();
    // Served from the pool: no new area, no refill, nothing mapped.
    expect(reused.sizeClasses[index]!.refill).to.equal(pooled.sizeClasses[index]!.refill);
    expect(reused.sizeClasses[index]!.areas).to.equal(pooled.sizeClasses[index]!.areas);
    expect(reused.mappedBytes).to.equal(pooled.mappedBytes);
    expect(reused.sizeClasses[index]!.freeRegions).to.equal(
      pooled.sizeClasses[index]!.freeRegions - 1,
    );

    expect(second.capacity).to.equal(first.capacity);
    const newBytes = second.view(Uint8Array);
    newBytes[0] = 0x22;
    newBytes[1] = 0x33;
    expect(oldBytes.length).to.equal(0);
    expect(oldBytes[0]).to.equal(undefined);
    expect([newBytes[0], newBytes[1]]).to.deep.equal([0x22, 0x33]);
    second.dispose();
  });
});
