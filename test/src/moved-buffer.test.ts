// A region whose buffer other code moved away: `structuredClone(region.buffer, { transfer:
// [region.buffer] })` detaches an ordinary ArrayBuffer (the fallback backend's), so the
// region's memory now belongs to the clone. Every operation that needs the memory says so
// with `ERR_LGALLOC_BUFFER_DETACHED` naming the buffer, and `dispose()` succeeds and ends
// the region. (The native backend's external buffers are copied by such a clone, not
// moved, so there the region keeps its memory.) Issue 8, item 9.

import { expect } from "chai";
import { allocate, stats } from "@lgalloc/core";
import { MiB, expectAllocatorWorks, expectError, isNative } from "./support";

const DETACHED = {
  type: Error,
  code: "ERR_LGALLOC_BUFFER_DETACHED",
  message: ["region.buffer", "detached"],
};

describe("a region whose buffer was moved away by other code", () => {
  it("view(), buffer, transfer(), reallocate() and prefetch() say the buffer was detached; dispose() ends it", () => {
    const before = stats();
    const region = allocate(2 * MiB);
    const moved = structuredClone(region.buffer, { transfer: [region.buffer] });
    expect(moved.byteLength).to.equal(2 * MiB);
    expectError(() => region.view(Uint8Array), DETACHED);
    expectError(() => region.buffer, DETACHED);
    expectError(() => region.transfer(), DETACHED);
    expectError(() => region.reallocate(4 * MiB), DETACHED);
    expectError(() => region.prefetch(), DETACHED);
    expect(region.disposed).to.equal(false);
    region.dispose();
    expect(region.disposed).to.equal(true);
    // The moved memory is the clone's: the pool did not take it back.
    expect(new Uint8Array(moved).length).to.equal(2 * MiB);
    if (!isNative()) {
      const after = stats();
      expect(after.liveRegions).to.equal(before.liveRegions);
      expect(after.disposedRegions).to.equal(before.disposedRegions + 1);
    }
    expectAllocatorWorks();
  });
});
