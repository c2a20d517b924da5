// User code that runs inside our calls (a getter, an iterator, a comparator, a callback)
// and disposes or changes the very collection it was called for. After every such call
// the collection is checked again: a disposed vector stays disposed and owns nothing, a
// column's length agrees with its buffers, and the error is `ERR_LGALLOC_DISPOSED`.
// Issue 8, item 2.

import { expect } from "chai";
import { stats } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { MiB, expectError } from "./support";

const DISPOSED = { type: Error, code: "ERR_LGALLOC_DISPOSED" } as const;

/** A Float64Array subclass whose length getter runs `effect` once. */
function withLengthGetter(values: number[], effect: () => void): Float64Array {
  let ran = false;
  class Sneaky extends Float64Array {
    override get length(): number {
      if (!ran) {
        ran = true;
        effect();
      }
      return super.length;
    }
  }
  return new Sneaky(values);
}

/** An iterable yielding `values`, running `effect` before yielding the one at `at`. */
function* iterateWith<T>(values: T[], at: number, effect: () => void): Generator<T> {
  for (let i = 0; i < values.length; i++) {
    if (i === at) effect();
    yield values[i]!;
  }
}

describe("re-entrant user code", () => {
  describe("LargeVec", () => {
    it("a length getter that would dispose the vector during extend() cannot revive it", () => {
      const vec = LargeVec.withCapacity(Float64Array, 0);
      let ran = false;
      const source = withLengthGetter([1, 2, 3], () => {
        ran = true;
        vec.dispose();
      });
      try {
        vec.extend(source);
      } catch {
        // Either outcome is fine, as long as it is a consistent one (below).
      }
      if (vec.disposed) {
        expectError(() => vec.get(0), DISPOSED);
        expectError(() => vec.push(1), DISPOSED);
        expectError(() => vec.set(0, 1), DISPOSED);
        expectError(() => vec.pop(), DISPOSED);
      } else {
        // The internal length was read, so the getter never ran.
        expect(ran).to.equal(false);
        expect(Array.from(vec)).to.deep.equal([1, 2, 3]);
        vec.dispose();
      }
    });

    it("a vector disposed by an iterator during extend() allocates and keeps no region", () => {
      // Allocations only: a region of an earlier test may be collected meanwhile.
      const before = stats().totals.allocations;
      const vec = LargeVec.withCapacity(Float64Array, 0);
      const big = Array.from({ length: MiB }, (_, i) => i);
      expectError(() => vec.extend(iterateWith(big, MiB - 1, () => vec.dispose())), DISPOSED);
      expect(vec.disposed).to.equal(true);
      expect(stats().totals.allocations).to.equal(before);
    });

    it("a vector disposed by a valueOf during push() stays disposed", () => {
      const vec = LargeVec.from(Float64Array, [1]);
      const value = { valueOf: () => (vec.dispose(), 2) };
      expectError(() => vec.push(value as unknown as number), DISPOSED);
      expect(vec.disposed).to.equal(true);
    });

    it("a comparator that pushes makes sort() throw and loses no element", () => {
      using vec = LargeVec.from(Float64Array, [3, 1, 2]);
      let pushed = false;
      expectError(
        () =>
          vec.sort((a, b) => {
            if (!pushed) {
              pushed = true;
              // Grows past the capacity: the storage moves.
              for (let i = 0; i < 100; i++) vec.push(9);
            }
            return a - b;
          }),
        { type: Error, code: "ERR_LGALLOC_CONCURRENT_MODIFICATION" },
      );
      expect(vec.length).to.equal(103);
      expect(Array.from(vec.view(0, 3))).to.deep.equal([3, 1, 2]);
    });

    it("a comparator that disposes makes sort() throw ERR_LGALLOC_DISPOSED", () => {
      const vec = LargeVec.from(Float64Array, [3, 1, 2]);
      expectError(() => vec.sort((a, b) => (vec.dispose(), a - b)), DISPOSED);
      expect(vec.disposed).to.equal(true);
    });

    it("a callback that disposes makes forEach(), map() and reduce() throw ERR_LGALLOC_DISPOSED", () => {
      for (const call of [
        (vec: LargeVec<Float64Array>) => vec.forEach(() => vec.dispose()),
        (vec: LargeVec<Float64Array>) => vec.map((x) => (vec.dispose(), x)),
        (vec: LargeVec<Float64Array>) => vec.reduce((a, x) => (vec.dispose(), a + x), 0),
        (vec: LargeVec<Float64Array>) => vec.filter(() => (vec.dispose(), true)),
      ]) {
        const vec = LargeVec.from(Float64Array, [1, 2, 3]);
        expectError(() => call(vec), DISPOSED);
      }
    });

    it("a callback that truncates the vector stops the visit at the new length", () => {
      using vec = LargeVec.from(Float64Array, [1, 2, 3, 4]);
      const seen: number[] = [];
      vec.forEach((x) => {
        seen.push(x);
        vec.truncate(2);
      });
      expect(seen).to.deep.equal([1, 2]);
    });
  });

  describe("ColumnBuffer", () => {
    it("an append inside a typed array's length getter leaves length and values() agreeing", () => {
      using column = ColumnBuffer.create("float64");
      column.append(1);
      column.appendMany(withLengthGetter([2, 3], () => column.append(9)));
      expect(column.length).to.equal(column.values().length);
    });

    it("disposing a column inside its appendMany() iterator throws ERR_LGALLOC_DISPOSED", () => {
      for (const [kind, values] of [
        ["float64", [1, 2, 3]],
        ["int64", [1n, 2n, 3n]],
        ["utf8", ["a", "b", "c"]],
        ["bool", [true, false, false]],
        ["bool", [true, null, false]],
      ] as const) {
        const column = ColumnBuffer.create(kind);
        expectError(
          () =>
            column.appendMany(
              iterateWith(values as readonly unknown[] as never[], 1, () => column.dispose()),
            ),
          DISPOSED,
        );
        expect(column.disposed, kind).to.equal(true);
      }
    });

    it("an iterator that appends to its own column keeps length and buffers agreeing", () => {
      using column = ColumnBuffer.create("int32");
      column.appendMany(iterateWith([1, 2, 3], 1, () => column.append(7)));
      expect(column.length).to.equal(column.values().length);
      expect(Array.from(column.values())).to.deep.equal([1, 7, 2, 3]);
    });
  });
});
