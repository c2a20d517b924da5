// ColumnBuffer#pin: freezing a column's buffers for a holder that views them. While a pin
// is held, reads and views work and every change throws ERR_LGALLOC_BUSY; a dispose then
// makes the column unusable at once and frees its memory when the last pin goes.

import { expect } from "chai";
import { LgallocError, stats } from "@lgalloc/core";
import { ColumnBuffer } from "@lgalloc/collections";

describe("ColumnBuffer#pin()", () => {
  it("keeps views valid and refuses changes until released", () => {
    const column = new ColumnBuffer("utf8");
    column.appendMany(["x", null, "yz"]);
    const pin = column.pin();
    const data = column.data();
    const offsets = column.offsets();
    expect(column.pinned).to.equal(true);
    expect(() => column.append("more"))
      .to.throw(LgallocError, "pinned")
      .with.property("code", "ERR_LGALLOC_BUSY");
    expect(() => column.truncate(0))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_BUSY");
    expect(Array.from(offsets)).to.deep.equal([0, 1, 1, 3]);
    expect(new TextDecoder().decode(data)).to.equal("xyz");
    expect(column.get(2)).to.equal("yz");
    expect(pin.released).to.equal(false);
    pin.release();
    pin.release(); // twice: nothing more
    expect(pin.released).to.equal(true);
    expect(column.pinned).to.equal(false);
    column.append("more");
    expect(column.length).to.equal(4);
    column.dispose();
  });

  it("releases with `using` (Symbol.dispose)", () => {
    const column = new ColumnBuffer("int8");
    {
      using pin = column.pin();
      expect(pin.released).to.equal(false);
      expect(column.pinned).to.equal(true);
    }
    expect(column.pinned).to.equal(false);
    column.dispose();
  });

  it("frees a disposed column's memory only when the last pin goes", () => {
    const column = new ColumnBuffer("float64");
    column.appendMany(new Float64Array(600_000).fill(1.5)); // a pooled region
    const live = stats().liveRegions;
    const first = column.pin();
    const second = column.pin();
    const values = column.values();
    column.dispose();
    expect(column.disposed).to.equal(true);
    expect(() => column.get(0))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    first.release();
    expect(stats().liveRegions).to.equal(live);
    expect(values[599_999]).to.equal(1.5);
    second.release();
    expect(stats().liveRegions).to.equal(live - 1);
    // Detached with the region: the old view shows nothing, never freed memory.
    expect(values.length).to.equal(0);
  });

  it("refuses to pin a disposed column", () => {
    const column = new ColumnBuffer("bool");
    column.dispose();
    expect(() => column.pin())
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
  });
});
