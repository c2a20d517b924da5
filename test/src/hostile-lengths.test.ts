// Typed arrays that lie about their length (an own `length` property, a subclass getter,
// a `byteLength` that claims more): the collections must trust only the internal length
// (TypedArray.prototype's getters), so a lie can neither grow a vector past what it copies
// (exposing the pool's earlier bytes) nor store more bytes than the value holds. Issue 8,
// item 1.

import { expect } from "chai";
import { allocateUnsafe } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { MiB } from "./support";

/** Leaves 0xAB in the pool's most recently released 8 MiB region, as an earlier owner would. */
function dirtyThePool(): void {
  const region = allocateUnsafe(8 * MiB);
  region.view(Uint8Array).fill(0xab);
  region.dispose();
}

function lyingLength<T extends Float64Array | Uint8Array | Int32Array>(
  array: T,
  claimed: number,
): T {
  Object.defineProperty(array, "length", { value: claimed });
  return array;
}

class LongFloat64Array extends Float64Array {
  override get length(): number {
    return 1 << 20;
  }
}

describe("typed arrays with a lying length", () => {
  it("LargeVec#extend copies the internal length of a typed array with an own length property", () => {
    dirtyThePool();
    using vec = LargeVec.withCapacity(Float64Array, 0);
    expect(vec.extend(lyingLength(new Float64Array([1]), 1 << 20))).to.equal(1);
    expect(vec.length).to.equal(1);
    expect(vec.toTypedArray()).to.deep.equal(new Float64Array([1]));
  });

  it("LargeVec#extend copies the internal length of a subclass with a length getter", () => {
    dirtyThePool();
    using vec = LargeVec.withCapacity(Float64Array, 0);
    vec.extend(new LongFloat64Array([1, 2]));
    expect(vec.length).to.equal(2);
    expect([vec.get(0), vec.get(1)]).to.deep.equal([1, 2]);
  });

  it("LargeVec.from takes the internal length, and reserves no more than it", () => {
    dirtyThePool();
    using vec = LargeVec.from(Float64Array, lyingLength(new Float64Array([7]), 1 << 20));
    expect(vec.length).to.equal(1);
    expect(vec.capacity).to.be.below(1 << 20);
    using fromSubclass = LargeVec.from(Float64Array, new LongFloat64Array([3]));
    expect(fromSubclass.length).to.equal(1);
    expect(fromSubclass.get(0)).to.equal(3);
  });

  it("LargeVec#set(source, offset) writes the internal length only", () => {
    using vec = LargeVec.from(Float64Array, [0, 0, 0]);
    vec.set(lyingLength(new Float64Array([5]), 1 << 20), 2);
    expect(Array.from(vec)).to.deep.equal([0, 0, 5]);
  });

  it("ColumnBuffer#appendMany of a numeric typed array appends its internal length", () => {
    dirtyThePool();
    using column = ColumnBuffer.create("float64");
    column.appendMany(lyingLength(new Float64Array([1.5]), 1 << 20));
    expect(column.length).to.equal(1);
    expect(column.values().length).to.equal(1);
    expect(column.get(0)).to.equal(1.5);
    column.appendMany(new LongFloat64Array([2.5]));
    expect(column.length).to.equal(2);
    expect(Array.from(column.values())).to.deep.equal([1.5, 2.5]);
  });

  it("ColumnBuffer#append of binary stores the bytes the view holds, not its claimed length", () => {
    using column = ColumnBuffer.create("binary");
    const bytes = lyingLength(new Uint8Array([1, 2, 3, 4]), 3 * MiB);
    Object.defineProperty(bytes, "byteLength", { value: 3 * MiB });
    column.append(bytes);
    expect(column.byteLength).to.be.below(1024);
    expect(Array.from(column.get(0)!)).to.deep.equal([1, 2, 3, 4]);
    expect(column.data()!.length).to.equal(4);
  });

  it("ColumnBuffer#append of binary takes a DataView's own bytes", () => {
    using column = ColumnBuffer.create("binary");
    const view = new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2);
    Object.defineProperty(view, "byteLength", { value: MiB });
    column.append(view);
    expect(Array.from(column.get(0)!)).to.deep.equal([8, 7]);
  });
});
