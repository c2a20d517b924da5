// Arguments are checked before anything is allocated: a count that can never fit gives an
// argument error naming it, not `ERR_LGALLOC_OUT_OF_MEMORY` from trying first, and nothing
// is allocated. Issue 8, item 8.

import { expect } from "chai";
import { OutOfRangeError } from "@lgalloc/core";
import { ColumnBuffer, type ColumnKind } from "@lgalloc/collections";
import { expectArgError, stableCounters } from "./support";

describe("arguments checked before allocating", () => {
  for (const [kind, count] of [
    ["int8", 2 ** 37],
    ["float64", 2 ** 34],
    ["bool", 2 ** 40],
    ["utf8", 2 ** 35],
    ["largeBinary", 2 ** 34],
  ] as [ColumnKind, number][]) {
    it(`ColumnBuffer.create("${kind}").appendNull(${count}) throws ERR_OUT_OF_RANGE and allocates nothing`, () => {
      using column = ColumnBuffer.create(kind);
      const before = stableCounters();
      expectArgError(
        () => column.appendNull(count),
        OutOfRangeError,
        "ERR_OUT_OF_RANGE",
        "count",
        count,
      );
      expect(stableCounters()).to.deep.equal(before);
      expect(column.length).to.equal(0);
      column.appendNull(3);
      expect(column.nullCount).to.equal(3);
    });
  }
});
