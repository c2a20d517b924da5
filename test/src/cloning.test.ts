// structuredClone, postMessage and JSON.stringify of a Region, LargeVec or ColumnBuffer:
// cloning would make an empty object (their state is private) and lose the memory, so it
// throws `ERR_LGALLOC_NOT_CLONEABLE`, pointing at transfer(); JSON gives something useful.
// Issue 8, "structuredClone(vec) ... silently give {}".

import { MessageChannel } from "node:worker_threads";

import { expect } from "chai";
import { allocate } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { MiB, expectError } from "./support";

/** The error, whose message names what to do instead (`transfer()` where there is one). */
function notCloneable(instead: string) {
  return { type: TypeError, code: "ERR_LGALLOC_NOT_CLONEABLE", message: [instead] };
}

describe("cloning and JSON", () => {
  const makers: [string, () => Disposable, string][] = [
    ["Region", () => allocate(2 * MiB), "region.transfer()"],
    ["LargeVec", () => LargeVec.from(Float64Array, [1, 2]), "vec.transfer()"],
    // A column has no transfer() (yet): the message points at its buffers and values.
    ["ColumnBuffer", () => ColumnBuffer.create("int32").append(1), "column.toArray()"],
  ];

  for (const [name, make, instead] of makers) {
    const NOT_CLONEABLE = notCloneable(instead);
    it(`structuredClone(${name}) and postMessage(${name}) throw ERR_LGALLOC_NOT_CLONEABLE`, () => {
      using value = make();
      expectError(() => structuredClone(value), NOT_CLONEABLE);
      expectError(() => structuredClone({ nested: [value] }), NOT_CLONEABLE);
      const { port1, port2 } = new MessageChannel();
      try {
        expectError(() => port1.postMessage(value), NOT_CLONEABLE);
      } finally {
        port1.close();
        port2.close();
      }
    });
  }

  it("JSON.stringify of a Region gives its facts", () => {
    using region = allocate(2 * MiB);
    expect(JSON.parse(JSON.stringify(region))).to.deep.equal({
      capacity: 2 * MiB,
      sizeClass: 21,
      knownZero: true,
      disposed: false,
    });
  });

  it("JSON.stringify of a LargeVec gives its elements; of a ColumnBuffer its values and nulls", () => {
    using vec = LargeVec.from(Float64Array, [1, 2.5]);
    expect(JSON.stringify(vec)).to.equal("[1,2.5]");
    using column = ColumnBuffer.create("utf8").append("a").append(null);
    expect(JSON.stringify(column)).to.equal('["a",null]');
  });
});
