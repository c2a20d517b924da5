// The typed-array surface of LargeVec: `set(source, offset)` beside `set(index, value)`,
// `subarray` (a view), `slice` (a copy into a new vector), and the callback methods
// `forEach`, `map`, `filter`, `reduce`, `every`, `some`, `find`, `findIndex`, plus `join`.
// Each is checked against what the same call does on a Float64Array / BigInt64Array.
// Issue 8, "LargeVec#set(i, v) clashes with TypedArray#set(array, offset)".

import { expect } from "chai";
import { InvalidArgTypeError, OutOfRangeError } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";
import { expectArgError, expectError } from "./support";

const VALUES = [5, -1, 3.5, 0, 8, 2];

describe("LargeVec's typed-array methods", () => {
  it("set(source, offset) copies an Array, a typed array or a vector like TypedArray#set", () => {
    using vec = LargeVec.from(Float64Array, [0, 0, 0, 0]);
    const plain = new Float64Array(4);
    vec.set([1, 2], 0);
    plain.set([1, 2], 0);
    vec.set(new Int32Array([7]), 3);
    plain.set(new Int32Array([7]), 3);
    using other = LargeVec.from(Float64Array, [9]);
    vec.set(other, 2);
    plain.set([9], 2);
    expect(Array.from(vec)).to.deep.equal(Array.from(plain));
    vec.set([4]);
    expect(vec.get(0)).to.equal(4);
  });

  it("set(source, offset) refuses a source that does not fit, and changes nothing", () => {
    using vec = LargeVec.from(Float64Array, [1, 2, 3]);
    expectArgError(() => vec.set([1, 2], 2), OutOfRangeError, "ERR_OUT_OF_RANGE", "offset", 2);
    expectArgError(() => vec.set([1], 4), OutOfRangeError, "ERR_OUT_OF_RANGE", "offset", 4);
    expect(() => vec.set([1n] as never, 0)).to.throw(TypeError);
    expect(Array.from(vec)).to.deep.equal([1, 2, 3]);
  });

  it("set(source) copies an overlapping view of its own storage correctly", () => {
    using vec = LargeVec.from(Float64Array, [1, 2, 3, 4]);
    vec.set(vec.view(0, 3), 1);
    expect(Array.from(vec)).to.deep.equal([1, 1, 2, 3]);
  });

  it("subarray() is a view with relative positions, slice() a copy in a new vector", () => {
    using vec = LargeVec.from(Float64Array, VALUES);
    const plain = Float64Array.from(VALUES);
    for (const [start, end] of [
      [undefined, undefined],
      [1, 3],
      [-2, undefined],
      [4, 2],
      [-100, 100],
    ] as const) {
      expect(Array.from(vec.subarray(start, end))).to.deep.equal(
        Array.from(plain.subarray(start, end)),
      );
      using copy = vec.slice(start, end);
      expect(Array.from(copy)).to.deep.equal(Array.from(plain.slice(start, end)));
    }
    const view = vec.subarray(1, 2);
    view[0] = 42;
    expect(vec.get(1)).to.equal(42);
    using copy = vec.slice(1, 2);
    copy.set(0, 7);
    expect(vec.get(1)).to.equal(42);
  });

  it("forEach, map, filter, reduce, every, some, find, findIndex and join agree with Float64Array", () => {
    using vec = LargeVec.from(Float64Array, VALUES);
    const plain = Float64Array.from(VALUES);
    const seen: [number, number][] = [];
    vec.forEach((value, index, self) => {
      expect(self).to.equal(vec);
      seen.push([value, index]);
    });
    expect(seen).to.deep.equal(VALUES.map((value, index) => [value, index]));
    using doubled = vec.map((x) => x * 2);
    expect(Array.from(doubled)).to.deep.equal(Array.from(plain.map((x) => x * 2)));
    using positive = vec.filter((x) => x > 0);
    expect(Array.from(positive)).to.deep.equal(Array.from(plain.filter((x) => x > 0)));
    expect(vec.reduce((a, x) => a + x)).to.equal(plain.reduce((a, x) => a + x));
    expect(vec.reduce((a, x) => a + String(x), "")).to.equal(
      plain.reduce((a, x) => a + String(x), ""),
    );
    expect(vec.every((x) => x > -2)).to.equal(true);
    expect(vec.every((x) => x > 0)).to.equal(false);
    expect(vec.some((x) => x === 8)).to.equal(true);
    expect(vec.some((x) => x === 9)).to.equal(false);
    expect(vec.find((x) => x > 4 && x < 6)).to.equal(5);
    expect(vec.find((x) => x > 100)).to.equal(undefined);
    expect(vec.findIndex((x) => x === 0)).to.equal(plain.findIndex((x) => x === 0));
    expect(vec.findIndex((x) => x > 100)).to.equal(-1);
    expect(vec.join()).to.equal(plain.join());
    expect(vec.join(" | ")).to.equal(plain.join(" | "));
  });

  it("works on bigint kinds", () => {
    using vec = LargeVec.from(BigInt64Array, [1n, 2n, 3n]);
    using squared = vec.map((x) => x * x);
    expect(Array.from(squared)).to.deep.equal([1n, 4n, 9n]);
    expect(vec.reduce((a, x) => a + x)).to.equal(6n);
    expect(vec.join("-")).to.equal("1-2-3");
  });

  it("reduce() of an empty vector without an initial value throws ERR_INVALID_ARG_VALUE", () => {
    using vec = LargeVec.withCapacity(Float64Array, 4);
    expectError(() => vec.reduce((a, x) => a + x), {
      type: TypeError,
      code: "ERR_INVALID_ARG_VALUE",
    });
    expect(vec.reduce((a, x) => a + x, 10)).to.equal(10);
  });

  it("refuses a callback that is not a function, and a separator that is not a string", () => {
    using vec = LargeVec.from(Float64Array, [1]);
    for (const call of [
      () => vec.forEach(1 as never),
      () => vec.map(null as never),
      () => vec.filter({} as never),
      () => vec.find("x" as never),
    ]) {
      expectError(call, { type: InvalidArgTypeError, code: "ERR_INVALID_ARG_TYPE" });
    }
    expectError(() => vec.join(1 as never), {
      type: InvalidArgTypeError,
      code: "ERR_INVALID_ARG_TYPE",
    });
  });

  it("a throwing map() or filter() callback leaves no vector behind", () => {
    using vec = LargeVec.from(Float64Array, [1, 2, 3]);
    expect(() =>
      vec.map(() => {
        throw new Error("boom");
      }),
    ).to.throw("boom");
    expect(Array.from(vec)).to.deep.equal([1, 2, 3]);
  });
});
