// A ColumnBuffer is iterable (values as `get` returns them, and nulls) and has
// `toArray()`. Issue 8, "make ColumnBuffer iterable, with toArray()".

import { expect } from "chai";
import { ColumnBuffer } from "@lgalloc/collections";
import { expectError } from "./support";

describe("ColumnBuffer iteration", () => {
  it("iterates its slots in order, nulls included, and toArray() gives the same", () => {
    using column = ColumnBuffer.create("utf8").appendMany(["a", null, "ccc"]);
    expect([...column]).to.deep.equal(["a", null, "ccc"]);
    expect(column.toArray()).to.deep.equal(["a", null, "ccc"]);
    using bools = ColumnBuffer.create("bool").appendMany([true, null, false]);
    expect(Array.from(bools)).to.deep.equal([true, null, false]);
    using big = ColumnBuffer.create("int64").appendMany([1n, 2]);
    expect(big.toArray()).to.deep.equal([1n, 2n]);
  });

  it("an iteration whose loop disposes the column throws ERR_LGALLOC_DISPOSED at the next step", () => {
    const column = ColumnBuffer.create("int8").appendMany([1, 2, 3]);
    expectError(
      () => {
        for (const value of column) if (value === 1) column.dispose();
      },
      { type: Error, code: "ERR_LGALLOC_DISPOSED" },
    );
  });
});
