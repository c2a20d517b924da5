// Region buffers and V8's full collections (native/binding/region_accounting.h): held
// regions no longer start a collection every 64 MB, dropped ones are still collected, and
// V8's count of external memory stays right for everything else. Each case in a process of
// its own (test/src/fixtures/region-accounting.ts).

import { expect } from "chai";
import { lastJson, runFixture } from "./support/fixtures";
import { isNative } from "./support";

const MiB = 2 ** 20;

async function report<T>(mode: string): Promise<T> {
  const result = await runFixture("region-accounting", [mode], {}, 110000);
  expect(result.status, result.stderr).to.equal(0);
  return lastJson<T>(result.stdout);
}

describe("region buffers and V8's full collections (natively)", function () {
  this.timeout(120000);
  beforeEach(function () {
    if (!isNative()) this.skip();
  });

  it("holds 128 MiB of regions beside a 200 MB heap without a full collection, and asks for one past 1 GiB of growth", async () => {
    const r = await report<{ heapBytes: number; first: number; second: number }>("live");
    expect(r.heapBytes).to.be.above(128 * MiB);
    // V8's own rule started one at 64 MB of growth.
    expect(r.first, JSON.stringify(r)).to.equal(0);
    expect(r.second, JSON.stringify(r)).to.be.at.least(1);
  });

  it("still collects regions dropped without dispose(), with no memory limit", async () => {
    const r = await report<{ peakMapped: number; collected: number }>("drop");
    // 600 dropped 32 MiB regions are 19 GiB; collected and reused, the pool stays small.
    expect(r.peakMapped, JSON.stringify(r)).to.be.at.most(4096 * MiB);
    expect(r.collected).to.be.at.least(500);
  });

  it("leaves V8's count of external memory where it was, whatever happens to regions up to 32 MiB", async () => {
    const r = await report<Record<string, number>>("balance");
    const drift = (key: string) => Math.abs(r[key]! - r.start!);
    // Node's own buffers move it a little; a region kept in or given back twice moves it by
    // 64 MiB or more.
    for (const key of ["whileHeld", "afterDispose", "afterTransfer", "afterCollection"]) {
      expect(drift(key), `${key}: ${JSON.stringify(r)}`).to.be.below(8 * MiB);
    }
    expect(r.collected, JSON.stringify(r)).to.be.at.least(16);
    // Larger ones V8 counts, as it counts any buffer (it would start a collection as each
    // is made anyway).
    expect(r.whileLargeHeld! - r.start!, JSON.stringify(r)).to.be.within(56 * MiB, 72 * MiB);
    expect(drift("afterLarge"), JSON.stringify(r)).to.be.below(8 * MiB);
  });
});
