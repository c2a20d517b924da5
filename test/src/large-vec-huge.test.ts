// Tests of a LargeVec longer than one typed array can be (2^32 elements on Node 20): a
// Uint8 vector of 2^32 + 1000 elements lives in an 8 GiB region (sparse: only the pages
// written take memory), covered by two typed-array chunks. Element access, push/pop, fill,
// extend and indexOf/includes across the chunk boundary; view() of a range longer than
// 2^32 elements, toTypedArray() and sort() refuse with ERR_OUT_OF_RANGE. Native backend
// only: the fallback would need an 8 GiB ArrayBuffer, which may be refused.
//
// Iteration and reverse() across chunks are checked by the model run with 1024-element
// chunks (large-vec-model.test.ts): iterating 2^32 elements one by one takes minutes.

import { expect } from "chai";
import { OutOfRangeError, stats, trim } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";
import { expectError, isNative } from "./support";

const LIMIT = 2 ** 32;
const LENGTH = LIMIT + 1000;

describe("LargeVec beyond 2^32 elements (native backend)", function () {
  let vec: LargeVec<Uint8Array> | undefined;

  before(function () {
    if (!isNative()) this.skip();
    vec = new LargeVec(Uint8Array);
    vec.resize(LENGTH);
  });

  after(() => {
    vec?.dispose();
    // Give the 8 GiB area back to the kernel rather than keep it pooled for the next tests.
    if (isNative()) trim();
  });

  function huge(): LargeVec<Uint8Array> {
    if (vec === undefined) throw new Error("no vector");
    return vec;
  }

  it("holds 2^32 + 1000 zeroed elements in an 8 GiB region", () => {
    const v = huge();
    expect([v.length, v.capacity, v.storage, v.byteLength]).to.deep.equal([
      LENGTH,
      2 ** 33,
      "pooled",
      LENGTH,
    ]);
    expect(stats().liveBytes).to.be.at.least(2 ** 33);
    for (const i of [0, LIMIT - 1, LIMIT, LENGTH - 1]) expect(v.get(i)).to.equal(0);
  });

  it("gets and sets elements on both sides of the chunk boundary", () => {
    const v = huge();
    const indices = [LIMIT - 2, LIMIT - 1, LIMIT, LIMIT + 1, LENGTH - 1];
    indices.forEach((i, n) => v.set(i, 10 + n));
    expect(indices.map((i) => v.get(i))).to.deep.equal([10, 11, 12, 13, 14]);
    expect(v.at(-1)).to.equal(14);
    expect(v.at(-1001)).to.equal(11);
    v.set(LIMIT, 300); // wraps like Uint8Array
    expect(v.get(LIMIT)).to.equal(44);
    expectError(() => v.get(LENGTH), {
      type: OutOfRangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["4294968296"],
    });
    expectError(() => v.set(LENGTH, 1), { type: OutOfRangeError, code: "ERR_OUT_OF_RANGE" });
    expect(v.get(LIMIT + 2)).to.equal(0);
  });

  it("pushes and pops past 2^32", () => {
    const v = huge();
    expect(v.push(7)).to.equal(LENGTH + 1);
    expect(v.push(8, 9)).to.equal(LENGTH + 3);
    expect([v.get(LENGTH), v.get(LENGTH + 2)]).to.deep.equal([7, 9]);
    expect([v.pop(), v.pop(), v.pop()]).to.deep.equal([9, 8, 7]);
    expect(v.length).to.equal(LENGTH);
  });

  it("fills, finds and extends across the boundary", () => {
    const v = huge();
    v.fill(77, LIMIT - 3, LIMIT + 3);
    expect([LIMIT - 4, LIMIT - 3, LIMIT, LIMIT + 2, LIMIT + 3].map((i) => v.get(i))).to.deep.equal([
      0, 77, 77, 77, 0,
    ]);
    expect(v.indexOf(77, LIMIT - 100)).to.equal(LIMIT - 3);
    expect(v.indexOf(77, LIMIT + 1)).to.equal(LIMIT + 1);
    expect(v.indexOf(77, -500)).to.equal(-1);
    expect(v.includes(77, LIMIT)).to.equal(true);
    expect(v.includes(14, -1)).to.equal(true);
    expect(v.includes(99, LIMIT - 100)).to.equal(false);
    v.fill(0, LIMIT - 3, LIMIT + 3);

    v.truncate(LIMIT - 2);
    expect(v.extend(new Uint8Array([1, 2, 3, 4, 5]))).to.equal(LIMIT + 3);
    expect(v.extend([6, 7])).to.equal(LIMIT + 5);
    expect(
      [LIMIT - 2, LIMIT - 1, LIMIT, LIMIT + 1, LIMIT + 2, LIMIT + 3, LIMIT + 4].map((i) =>
        v.get(i),
      ),
    ).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    v.resize(LENGTH);
    expect(v.get(LIMIT + 5)).to.equal(0);
    expect(v.get(LENGTH - 1)).to.equal(0);
  });

  it("finds a value past 2^32 scanning from the start", function () {
    this.timeout(60_000);
    const v = huge();
    v.set(LIMIT + 10, 200);
    expect(v.indexOf(200)).to.equal(LIMIT + 10);
    expect(v.includes(200)).to.equal(true);
    v.set(LIMIT + 10, 0);
  });

  it("views ranges that cross the boundary, but none longer than 2^32 elements", () => {
    const v = huge();
    v.set(LIMIT - 2, 0)
      .set(LIMIT - 1, 5)
      .set(LIMIT, 6)
      .set(LIMIT + 1, 0);
    const across = v.view(LIMIT - 2, LIMIT + 2);
    expect([...across]).to.deep.equal([0, 5, 6, 0]);
    across[0] = 9;
    expect(v.get(LIMIT - 2)).to.equal(9);
    expect(v.view(5, 5 + LIMIT).length).to.equal(LIMIT);
    expectError(() => v.view(), {
      type: OutOfRangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ['"end"', "2^32"],
    });
    expectError(() => v.view(0, LIMIT + 1), { type: OutOfRangeError, code: "ERR_OUT_OF_RANGE" });
    expectError(() => v.toTypedArray(), {
      type: OutOfRangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["2^32"],
    });
    expectError(() => v.sort(), {
      type: OutOfRangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["2^32"],
    });
    expect(v.length).to.equal(LENGTH);
  });

  it("shows itself without reading gigabytes", () => {
    expect(String(huge())).to.match(
      /^LargeVec<Uint8Array>\(length=4294968296, capacity=8589934592, storage=pooled\) \[0, /,
    );
  });
});
