// A region's facts (capacity, sizeClass, knownZero) are what reallocate and transfer trust,
// so no assignment may change them: they live in private state behind getters. Assigning
// throws in strict mode (a getter without a setter) and changes nothing. Issue 8, item 4.

import { expect } from "chai";
import { adopt, allocate, allocateUnsafe, releaseToken } from "@lgalloc/core";
import { MiB } from "./support";

function assign(target: object, key: string, value: unknown): void {
  try {
    (target as Record<string, unknown>)[key] = value;
  } catch {
    // Strict mode refuses the assignment: that is one of the acceptable outcomes.
  }
}

describe("a region's read-only facts", () => {
  it("capacity, sizeClass and knownZero do not change by assignment", () => {
    using region = allocate(2 * MiB);
    assign(region, "capacity", 0);
    assign(region, "sizeClass", 36);
    assign(region, "knownZero", false);
    expect([region.capacity, region.sizeClass, region.knownZero]).to.deep.equal([
      2 * MiB,
      21,
      true,
    ]);
  });

  it("reallocate after `capacity = 0` neither claims zero bytes nor loses the kept ones", () => {
    const dirty = allocateUnsafe(4 * MiB);
    dirty.view(Uint8Array).fill(0x5a);
    dirty.dispose();
    const region = allocate(2 * MiB);
    region.view(Uint8Array).fill(1);
    assign(region, "capacity", 0);
    using grown = region.reallocate(4 * MiB);
    const bytes = grown.view(Uint8Array);
    expect(bytes[2 * MiB - 1]).to.equal(1);
    if (grown.knownZero) expect(bytes[4 * MiB - 1]).to.equal(0);
  });

  it("transfer after `capacity = 2 ** 36` gives a token of the real byteLength", () => {
    const region = allocate(2 * MiB);
    assign(region, "capacity", 2 ** 36);
    const token = region.transfer();
    expect(token.byteLength).to.equal(2 * MiB);
    using back = adopt(token);
    expect(back.capacity).to.equal(2 * MiB);
    expect(releaseToken(token)).to.equal(false);
  });
});
