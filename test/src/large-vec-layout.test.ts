// The object layout of LargeVec under V8 (issue 8, push speed): a vector keeps its fields
// inside the object, also in a program that builds one pooled vector at a time and collects
// garbage in between, where V8's slack tracking used to shrink the class to no in-object
// fields (every push then loaded its fields through a separate property array).

import { expect } from "chai";

import { lastJson, runFixture } from "./support/fixtures";

interface Layout {
  vectors: { selfSize: number; propertyArraySize: number }[];
  length: number;
}

describe("LargeVec object layout", () => {
  it("keeps a vector's fields inside the object after earlier vectors were collected", async function () {
    this.timeout(60_000);
    const result = await runFixture("large-vec-layout", [], {}, 55_000);
    expect(result.status, result.stderr).to.equal(0);
    const layout = lastJson<Layout>(result.stdout);
    expect(layout.length).to.equal(1);
    expect(layout.vectors).to.not.be.empty;
    for (const vector of layout.vectors) {
      expect(vector.propertyArraySize, "bytes of fields outside the object").to.equal(0);
    }
  });
});
