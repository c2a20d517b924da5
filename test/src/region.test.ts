// Tests of a Region's own properties: capacity, sizeClass, knownZero, disposed, prefetch()
// on a live region, and how it prints (never its bytes).

import { inspect } from "node:util";
import { expect } from "chai";
import { LgallocError, allocate } from "@lgalloc/core";
import { MiB, expectError } from "./support";

describe("Region", () => {
  it("reports capacity, sizeClass, knownZero and disposed", () => {
    const region = allocate(5 * MiB);
    expect(region.capacity).to.equal(8 * MiB);
    expect(region.sizeClass).to.equal(23);
    expect(region.knownZero).to.be.a("boolean");
    expect(region.disposed).to.equal(false);
    region.dispose();
    expect(region.disposed).to.equal(true);
  });

  it("prints as Region { capacity, sizeClass, knownZero, disposed } with String() and util.inspect()", () => {
    const region = allocate(2 * MiB);
    region.view(Uint8Array).fill(0x41, 0, 64);
    const text = `Region { capacity: 2097152, sizeClass: 21, knownZero: ${region.knownZero}, disposed: false }`;
    expect(String(region)).to.equal(text);
    expect(`${region}`).to.equal(text);
    expect(inspect(region)).to.equal(text);
    expect(inspect({ region })).to.contain(text);
    expect(inspect(region, { showHidden: true, depth: 5 })).to.not.contain("41 41");
    region.dispose();
    expect(String(region)).to.contain("disposed: true");
  });
});

describe("Region#prefetch()", () => {
  it("accepts the whole region and ranges inside it, and returns undefined", () => {
    const region = allocate(4 * MiB);
    try {
      expect(region.prefetch()).to.equal(undefined);
      expect(region.prefetch(MiB)).to.equal(undefined);
      expect(region.prefetch(123, 4567)).to.equal(undefined);
      expect(region.prefetch(4 * MiB, 0)).to.equal(undefined);
    } finally {
      region.dispose();
    }
  });

  it("leaves the region's data alone", () => {
    const region = allocate(2 * MiB);
    const bytes = region.view(Uint8Array);
    bytes[100] = 7;
    region.prefetch(0, 4096);
    expect(bytes[100]).to.equal(7);
    region.dispose();
  });

  it("throws ERR_LGALLOC_OUT_OF_BOUNDS for a range past the end", () => {
    const region = allocate(2 * MiB);
    try {
      expectError(() => region.prefetch(MiB, 2 * MiB), {
        type: RangeError,
        code: "ERR_LGALLOC_OUT_OF_BOUNDS",
      });
    } finally {
      region.dispose();
    }
  });
});
