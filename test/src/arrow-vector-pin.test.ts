// toArrowVectorPinned: a ColumnBuffer viewed by an apache-arrow Vector without a copy while
// the column stays alive and readable. The column is frozen while pinned (every change
// throws ERR_LGALLOC_BUSY, so no append can grow a buffer under the Vector), the pin goes
// with releaseArrowVector (the Vector then reads empty) or when the Vector is collected,
// and a dispose meanwhile frees the memory only once the pin goes.

import { expect } from "chai";
import { LgallocError, stats } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { releaseArrowVector, toArrowVectorPinned } from "@lgalloc/arrow";

function expectBusy(change: () => unknown): void {
  expect(change).to.throw(LgallocError).with.property("code", "ERR_LGALLOC_BUSY");
}

/** Lets FinalizationRegistry callbacks run (they run once control returns to the loop). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    globalThis.gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("toArrowVectorPinned()", () => {
  it("views the column without a copy; the column stays readable", () => {
    const column = new ColumnBuffer("utf8");
    column.appendMany(["a", null, "ccc"]);
    const vector = toArrowVectorPinned(column);
    expect(vector.toJSON()).to.deep.equal(["a", null, "ccc"]);
    expect(vector.nullCount).to.equal(1);
    expect(column.disposed).to.equal(false);
    expect(column.pinned).to.equal(true);
    expect(column.toArray()).to.deep.equal(["a", null, "ccc"]);
    // The very bytes of the column: no copy.
    expect(vector.data[0]!.values.buffer).to.equal(column.data().buffer);
    releaseArrowVector(vector);
    expect(column.pinned).to.equal(false);
    column.dispose();
  });

  it("refuses every change while pinned, and allows them again once released", () => {
    const column = new ColumnBuffer("float64");
    column.appendMany(new Float64Array([1, 2, 3]));
    const vector = toArrowVectorPinned(column);
    expectBusy(() => column.append(4));
    expectBusy(() => column.append(null));
    expectBusy(() => column.appendMany([4, 5]));
    expectBusy(() => column.appendMany(new Float64Array(1000)));
    expectBusy(() => column.appendNull(2));
    expectBusy(() => column.truncate(1));
    expectBusy(() => column.seal());
    expectBusy(() => column.transfer());
    expect(column.length).to.equal(3);
    expect(vector.toArray()).to.deep.equal(new Float64Array([1, 2, 3]));
    releaseArrowVector(vector);
    // The Vector reads empty from now on: the column may now grow and move its buffers.
    expect(vector.length).to.equal(0);
    expect(() => vector.set(0, 1))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    column.appendMany(new Float64Array(500_000));
    expect(column.length).to.equal(500_003);
    releaseArrowVector(vector); // a second release does nothing
    column.dispose();
  });

  it("refuses to pin a column from inside its appendMany's iterator (a half-done append)", () => {
    const column = new ColumnBuffer("int32");
    let refused: unknown;
    function* values() {
      yield 1;
      try {
        toArrowVectorPinned(column);
      } catch (error) {
        refused = error;
      }
      yield 2;
    }
    column.appendMany(values());
    expect(refused).to.be.instanceOf(LgallocError).with.property("code", "ERR_LGALLOC_BUSY");
    expect(column.pinned).to.equal(false);
    expect(column.toArray()).to.deep.equal([1, 2]);
    column.dispose();
  });

  it("counts pins: the column stays frozen until every Vector is released", () => {
    const column = new ColumnBuffer("int32");
    column.append(7);
    const first = toArrowVectorPinned(column);
    const second = toArrowVectorPinned(column);
    releaseArrowVector(first);
    expectBusy(() => column.append(8));
    expect(second.get(0)).to.equal(7);
    releaseArrowVector(second);
    column.append(8);
    expect(column.toArray()).to.deep.equal([7, 8]);
    column.dispose();
  });

  it("keeps a disposed column's region for the Vector until the pin goes", () => {
    const column = new ColumnBuffer("float64");
    column.appendMany(new Float64Array(500_000).map((_, i) => i)); // 4 MB: a pooled region
    const live = stats().liveRegions;
    const vector = toArrowVectorPinned(column);
    column.dispose();
    expect(column.disposed).to.equal(true);
    expect(() => column.length)
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    expect(stats().liveRegions).to.equal(live);
    expect(vector.get(499_999)).to.equal(499_999);
    releaseArrowVector(vector);
    expect(stats().liveRegions).to.equal(live - 1);
    expect(vector.length).to.equal(0);
  });

  it("unpins the column when the Vector is garbage collected", async () => {
    const column = new ColumnBuffer("int32");
    column.append(1);
    (() => {
      const vector = toArrowVectorPinned(column);
      expect(vector.get(0)).to.equal(1);
    })();
    expect(column.pinned).to.equal(true);
    await collect();
    expect(column.pinned).to.equal(false);
    column.append(2);
    expect(column.toArray()).to.deep.equal([1, 2]);
    column.dispose();
  });

  it("refuses a LargeVec (it has no frozen state) and anything else, pinning nothing", () => {
    const vec = LargeVec.from(Float64Array, [1]);
    expect(() => toArrowVectorPinned(vec as never))
      .to.throw(TypeError, "toArrowVectorTakingOver")
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    expect(vec.disposed).to.equal(false);
    expect(() => toArrowVectorPinned({} as never))
      .to.throw(TypeError, '"column"')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    const column = new ColumnBuffer("int8");
    column.dispose();
    expect(() => toArrowVectorPinned(column))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
  });
});
