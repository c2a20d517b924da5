// ColumnBuffer#reserve and the windowed append path behind every column buffer
// (column-window.ts): room made at once for a known number of values, and slots reused
// after a rollback that read as zero (nulls) or as the new value, never as the old one.

import { expect } from "chai";
import { LgallocError, stats } from "@lgalloc/core";
import { ColumnBuffer } from "@lgalloc/collections";

describe("ColumnBuffer#reserve()", () => {
  it("makes room at once: appending the reserved values allocates no other region", () => {
    const column = new ColumnBuffer("float64");
    const before = stats().liveRegions;
    column.reserve(600_000); // 4.8 MB: one pooled region
    expect(stats().liveRegions).to.equal(before + 1);
    const values = new Float64Array(600_000).map((_, i) => i / 2);
    for (let i = 0; i < 1000; i++) column.append(values[i]!);
    column.appendMany(values.subarray(1000));
    expect(stats().liveRegions).to.equal(before + 1);
    expect(column.length).to.equal(600_000);
    expect(column.get(599_999)).to.equal(599_999 / 2);
    expect(column.values()).to.deep.equal(values);
    column.dispose();
  });

  it("reserves a utf8 column's offsets and changes nothing else", () => {
    const column = new ColumnBuffer("utf8");
    column.append("a");
    column.reserve(10);
    expect(column.length).to.equal(1);
    expect(Array.from(column.offsets())).to.deep.equal([0, 1]);
    column.appendMany(["bb", null]);
    expect(column.toArray()).to.deep.equal(["a", "bb", null]);
    column.dispose();
  });

  it("refuses a bad count, and any reserve while pinned", () => {
    const column = new ColumnBuffer("int32");
    expect(() => column.reserve("1" as never))
      .to.throw(TypeError, '"slots"')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    for (const bad of [-1, 1.5, 2 ** 60]) {
      expect(() => column.reserve(bad))
        .to.throw(RangeError, '"slots"')
        .with.property("code", "ERR_OUT_OF_RANGE");
    }
    const pin = column.pin();
    expect(() => column.reserve(1))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_BUSY");
    pin.release();
    column.dispose();
  });
});

describe("ColumnBuffer appends after a rollback", () => {
  for (const kind of ["float64", "int64", "int8", "bool"] as const) {
    it(`${kind}: a null in a truncated slot reads as zero in the values buffer`, () => {
      const column = new ColumnBuffer(kind);
      const value = kind === "bool" ? true : kind === "int64" ? 5n : 5;
      for (let i = 0; i < 20; i++) column.append(value as never);
      column.truncate(3);
      column.appendNull(17);
      expect(column.length).to.equal(20);
      const values = column.values() as unknown as ArrayLike<number | bigint> & {
        subarray(start: number, end?: number): ArrayLike<number | bigint>;
      };
      if (kind === "bool") {
        expect(values[0]).to.equal(0b111);
        expect(Array.from(values.subarray(1, 3))).to.deep.equal([0, 0]);
      } else {
        expect(Array.from(values.subarray(3)).every((v) => v == 0)).to.equal(true);
      }
      column.append(value as never);
      expect(column.get(20)).to.equal(value);
      expect(column.get(19)).to.equal(null);
      column.dispose();
    });
  }

  it("utf8: offsets after a truncate point at the new data", () => {
    const column = new ColumnBuffer("utf8");
    column.appendMany(["hello", "world", "again"]);
    column.truncate(1);
    column.appendMany(["é", null, "x".repeat(100)]);
    expect(column.toArray()).to.deep.equal(["hello", "é", null, "x".repeat(100)]);
    expect(Array.from(column.offsets())).to.deep.equal([0, 5, 7, 7, 107]);
    column.dispose();
  });
});

describe("ColumnBuffer#reserveData()", () => {
  it("makes room for a utf8 column's data at once: writing it allocates no other region", () => {
    const column = new ColumnBuffer("utf8");
    const strings = Array.from({ length: 300_000 }, (_, i) => `v${String(i).padStart(8, "0")}`);
    const bytes = strings.reduce((sum, s) => sum + s.length, 0); // 2.7 MB of ASCII
    column.reserve(strings.length);
    column.reserveData(bytes);
    const before = stats();
    column.appendMany(strings);
    const after = stats();
    expect(after.liveRegions).to.equal(before.liveRegions);
    expect(after.disposedRegions).to.equal(before.disposedRegions);
    expect(column.data().length).to.equal(bytes);
    expect(column.get(0)).to.equal(strings[0]);
    expect(column.get(299_999)).to.equal(strings[299_999]);
    column.dispose();
  });

  it("keeps the values written before it, and non-ASCII data past the reservation grows", () => {
    const column = new ColumnBuffer("utf8");
    column.appendMany(["abc", null, "déjà"]);
    column.reserveData(3_000_000);
    column.append("x".repeat(100));
    column.appendMany(Array.from({ length: 1000 }, () => "€".repeat(2000))); // 6 MB
    expect(column.length).to.equal(1004);
    expect(column.get(0)).to.equal("abc");
    expect(column.get(1)).to.equal(null);
    expect(column.get(2)).to.equal("déjà");
    expect(column.get(3)).to.equal("x".repeat(100));
    expect(column.get(1003)).to.equal("€".repeat(2000));
    column.dispose();
  });

  it("is a no-op for fixed-width kinds, and refuses bad counts, pins and disposal", () => {
    const fixed = new ColumnBuffer("float64");
    const before = stats().liveRegions;
    fixed.reserveData(10_000_000);
    expect(stats().liveRegions).to.equal(before);
    expect(fixed.length).to.equal(0);
    fixed.dispose();
    const column = new ColumnBuffer("binary");
    expect(() => column.reserveData("1" as never))
      .to.throw(TypeError, '"bytes"')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    for (const bad of [-1, 1.5, 2 ** 60, NaN]) {
      expect(() => column.reserveData(bad))
        .to.throw(RangeError, '"bytes"')
        .with.property("code", "ERR_OUT_OF_RANGE");
    }
    const pin = column.pin();
    expect(() => column.reserveData(1))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_BUSY");
    pin.release();
    column.dispose();
    expect(() => column.reserveData(1))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
  });
});
