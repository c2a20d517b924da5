// A LargeVec (or ColumnBuffer) whose storage other code moved away: a transferring
// structuredClone of `vec.view().buffer` (or of a column's `values().buffer`) detaches an
// ordinary ArrayBuffer: a vector's heap storage below 2 MiB, and on the fallback backend a
// region's buffer too. Every operation on the elements then says so with
// `ERR_LGALLOC_BUFFER_DETACHED`, naming the buffer, instead of dropping pushes and reading
// `undefined`; the vector's own facts stay readable and `dispose()` ends it. Issue 8 (the
// LargeVec counterpart of item 9, found while speeding up push).

import { expect } from "chai";
import { inspect } from "node:util";
import { LargeVec, ColumnBuffer } from "@lgalloc/collections";
import { MiB, expectAllocatorWorks, expectError } from "./support";

const DETACHED = {
  type: Error,
  code: "ERR_LGALLOC_BUFFER_DETACHED",
  message: ["vec.view().buffer", "detached", "dispose()"],
};

function moveAway(buffer: ArrayBufferLike): ArrayBuffer {
  const own = buffer as ArrayBuffer;
  return structuredClone(own, { transfer: [own] });
}

/** Pushes in a loop long enough for V8 to optimize `push` (and the loop) first. */
function pushMany(vec: LargeVec<Float64Array>, count: number): void {
  for (let i = 0; i < count; i++) vec.push(i);
}

function expectEveryElementOperationRefused(vec: LargeVec<Float64Array>): void {
  expectError(() => vec.push(2), DETACHED);
  expectError(() => vec.push(2, 3), DETACHED);
  expectError(() => vec.get(0), DETACHED);
  expectError(() => vec.set(0, 5), DETACHED);
  expectError(() => vec.pop(), DETACHED);
  expectError(() => vec.at(0), DETACHED);
  expectError(() => [...vec], DETACHED);
  expectError(() => vec.view(), DETACHED);
  expectError(() => vec.toTypedArray(), DETACHED);
  expectError(() => vec.extend([1]), DETACHED);
  expectError(() => vec.reserve(1 << 20), DETACHED);
  expectError(() => vec.transfer(), DETACHED);
  expectError(() => LargeVec.from(Float64Array, vec), DETACHED);
}

describe("a LargeVec whose storage was moved away by other code", () => {
  it("refuses push, get, set, pop and every other element operation on heap storage with ERR_LGALLOC_BUFFER_DETACHED; dispose() ends it", () => {
    const vec = new LargeVec(Float64Array);
    vec.push(1);
    const moved = moveAway(vec.view().buffer);
    expectEveryElementOperationRefused(vec);
    // Nothing was dropped or counted: the vector's facts are as before the move.
    expect(vec.length).to.equal(1);
    expect(vec.storage).to.equal("heap");
    expect(inspect(vec)).to.equal("LargeVec<Float64Array>(storage detached)");
    expect(vec.disposed).to.equal(false);
    vec.dispose();
    expect(vec.disposed).to.equal(true);
    expect(Array.from(new Float64Array(moved))[0]).to.equal(1);
  });

  it("refuses push and get once optimized code took the fast paths before the move", () => {
    const vec = LargeVec.withCapacity(Float64Array, 200_000);
    for (let round = 0; round < 3; round++) {
      vec.clear();
      pushMany(vec, 150_000);
    }
    let sum = 0;
    for (let i = 0; i < 150_000; i++) sum += vec.get(i);
    expect(sum).to.equal((149_999 * 150_000) / 2);
    const moved = moveAway(vec.view().buffer);
    expect(moved.byteLength).to.equal(200_000 * 8);
    const error = expectError(() => pushMany(vec, 10), DETACHED);
    expect(error.message).to.include("Cannot push");
    expectError(() => vec.get(149_999), DETACHED);
    expect(vec.length).to.equal(150_000);
    vec.dispose();
    expect(vec.disposed).to.equal(true);
  });

  it("refuses the elements of a pooled vector whose region buffer was moved; dispose() returns the region", () => {
    const vec = LargeVec.withCapacity(Float64Array, (4 * MiB) / 8);
    vec.push(1, 2, 3);
    expect(vec.storage).to.equal("pooled");
    const moved = moveAway(vec.view().buffer);
    expectEveryElementOperationRefused(vec);
    expect(Array.from(new Float64Array(moved, 0, 3))).to.deep.equal([1, 2, 3]);
    vec.dispose();
    expect(vec.disposed).to.equal(true);
    expectAllocatorWorks();
  });
});

describe("a ColumnBuffer whose storage was moved away by other code", () => {
  const cases: [string, () => ColumnBuffer, (column: ColumnBuffer) => ArrayBufferLike][] = [
    ["float64", () => ColumnBuffer.create("float64").append(1), (c) => c.values().buffer],
    ["int32", () => ColumnBuffer.create("int32").append(1), (c) => c.values().buffer],
    ["bool", () => ColumnBuffer.create("bool").append(true), (c) => c.values().buffer],
    ["utf8", () => ColumnBuffer.create("utf8").append("a"), (c) => c.data().buffer],
  ];
  for (const [kind, make, bufferOf] of cases) {
    it(`refuses append, get and toArray of a ${kind} column with ERR_LGALLOC_BUFFER_DETACHED; dispose() ends it`, () => {
      const column = make();
      moveAway(bufferOf(column));
      const append = kind === "utf8" ? "b" : kind === "bool" ? false : 2;
      expectError(() => (column as ColumnBuffer<"float64">).append(append as number), DETACHED);
      expectError(() => column.get(0), DETACHED);
      expectError(() => column.toArray(), DETACHED);
      expect(column.length).to.equal(1);
      column.dispose();
      expect(column.disposed).to.equal(true);
    });
  }
});
