// Constructors that are not what they seem, given to Region#view: Proxies (whose traps
// could loop forever or throw), revoked Proxies, and subclasses that redefine
// BYTES_PER_ELEMENT. Each gets `ERR_INVALID_ARG_TYPE` or a correct view, never a hang or
// an uncoded error. Issue 8, item 3.

import { expect } from "chai";
import { InvalidArgTypeError, allocate } from "@lgalloc/core";
import { MiB, expectArgError } from "./support";
import { lastJson, runFixture } from "./support/fixtures";

describe("Region#view(Ctor) with hostile constructors", () => {
  it("returns ERR_INVALID_ARG_TYPE for an endless Proxy prototype chain and a revoked Proxy", async function () {
    this.timeout(20_000);
    const result = await runFixture("proxy-constructor", [], {}, 10_000);
    expect(result.status, result.stderr).to.equal(0);
    expect(lastJson(result.stdout)).to.deep.equal([
      { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" },
      { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" },
    ]);
  });

  it("refuses a Proxy of a real typed array constructor", () => {
    using region = allocate(2 * MiB);
    const proxy = new Proxy(Float64Array, {});
    expectArgError(
      () => region.view(proxy),
      InvalidArgTypeError,
      "ERR_INVALID_ARG_TYPE",
      "Ctor",
      proxy,
    );
  });

  it("uses the intrinsic element size of a subclass that redefines BYTES_PER_ELEMENT", () => {
    using region = allocate(2 * MiB);
    class Liar extends Float64Array {
      static override get BYTES_PER_ELEMENT(): number {
        return 1;
      }
    }
    const view = region.view(Liar);
    expect(view.length).to.equal((2 * MiB) / 8);
    expect(() => region.view(Liar, 4)).to.throw(RangeError);
  });
});
