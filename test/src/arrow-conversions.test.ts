// Conversions of single collections and of whole tables to the other Arrow libraries:
// toArrowVectorTakingOver takes a LargeVec's or ColumnBuffer's storage over without a
// copy (the collection is disposed) and releaseArrowVector gives it back; toFlechetteTable
// (its own entry point) views a pooled table's buffers and empties on dispose.

import { expect } from "chai";
import { LgallocError, stats } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { pooledTableFromArrays, releaseArrowVector, toArrowVectorTakingOver } from "@lgalloc/arrow";
import { toFlechetteTable } from "@lgalloc/arrow/flechette";

interface FlechetteTable {
  numRows: number;
  getChild(name: string): {
    at(i: number): unknown;
    length: number;
    data: { values: ArrayBufferView }[];
  };
}

describe("toArrowVectorTakingOver()", () => {
  it("takes a pooled LargeVec's region over without a copy; the vector is disposed", () => {
    const vec = LargeVec.from(
      Float64Array,
      new Float64Array(500_000).map((_, i) => i * 2),
    );
    const live = stats().liveRegions;
    const vector = toArrowVectorTakingOver(vec);
    expect(vec.disposed).to.equal(true);
    expect(() => vec.length)
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    expect(stats().liveRegions).to.equal(live);
    expect(vector.length).to.equal(500_000);
    expect(vector.get(499_999)).to.equal(999_998);
    expect(String(vector.type)).to.equal("Float64");
    releaseArrowVector(vector);
    expect(stats().liveRegions).to.equal(live - 1);
    expect(vector.length).to.equal(0);
    expect(() => vector.set(0, 1))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    releaseArrowVector(vector);
  });

  it("takes a ColumnBuffer over with its nulls and offsets; the column is disposed", () => {
    const column = new ColumnBuffer("utf8");
    column.appendMany(["a", null, "ccc"]);
    const vector = toArrowVectorTakingOver(column);
    expect(column.disposed).to.equal(true);
    expect(vector.toJSON()).to.deep.equal(["a", null, "ccc"]);
    expect(vector.nullCount).to.equal(1);
    const stamps = new ColumnBuffer("timestamp", { unit: "us" });
    stamps.append(new Date(3));
    const stampVector = toArrowVectorTakingOver(stamps);
    expect(String(stampVector.type)).to.equal("Timestamp<MICROSECOND>");
    expect(stampVector.get(0)).to.equal(3);
  });

  it("refuses anything else", () => {
    expect(() => toArrowVectorTakingOver(new Float64Array(1) as never))
      .to.throw(TypeError, '"collection"')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
  });
});

describe("toFlechetteTable()", () => {
  it("views a pooled table's buffers in flechette, dictionaries and nulls included", () => {
    const table = pooledTableFromArrays(
      { x: new Float64Array([1, 2, 3]), s: ["a", null, "c"], d: ["p", "q", "p"] },
      { types: { d: "dictionary" }, batchRows: 2 },
    );
    const fl = toFlechetteTable(table) as FlechetteTable;
    expect(fl.numRows).to.equal(3);
    expect([0, 1, 2].map((i) => fl.getChild("s").at(i))).to.deep.equal(["a", null, "c"]);
    expect([0, 1, 2].map((i) => fl.getChild("d").at(i))).to.deep.equal(["p", "q", "p"]);
    const pooled = table.toArrowVector("x").data[0]!.values;
    expect(fl.getChild("x").data[0]!.values.buffer).to.equal(pooled.buffer);
    table.dispose();
    expect(fl.getChild("x").length).to.equal(0);
    expect(fl.getChild("x").data[0]!.values.byteLength).to.equal(0);
  });
});
