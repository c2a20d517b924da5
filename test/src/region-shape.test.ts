// How a Region is built: no `Object.defineProperty` per instance, and one hidden class for
// all of them, which is what keeps allocate+dispose cheap (issue 13: the two defineProperty
// calls per region cost about 230 ns of 0.6 µs). The brand and the clone refusal still do
// their jobs (cloning.test.ts, receivers.test.ts, two-copies.test.ts).

import { expect } from "chai";
import { adopt, allocate, allocateUnsafe, isRegion } from "@lgalloc/core";
import { MiB, expectError } from "./support";
import { CRASH_PATTERN, lastJson, runFixture } from "./support/fixtures";

describe("Region construction", () => {
  it("defines no property at run time in allocate, allocateUnsafe, adopt or reallocate", () => {
    const define = Object.defineProperty;
    const reflectDefine = Reflect.defineProperty;
    let calls = 0;
    Object.defineProperty = function (...args: Parameters<typeof define>) {
      calls++;
      return define(...args);
    } as typeof define;
    Reflect.defineProperty = (...args: Parameters<typeof reflectDefine>) => {
      calls++;
      return reflectDefine(...args);
    };
    const made = [];
    try {
      made.push(allocate(2 * MiB), allocateUnsafe(2 * MiB));
      made.push(adopt(allocate(2 * MiB).transfer()));
      made.push(allocate(2 * MiB).reallocate(4 * MiB));
    } finally {
      Object.defineProperty = define;
      Reflect.defineProperty = reflectDefine;
      for (const region of made) region.dispose();
    }
    expect(calls).to.equal(0);
  });

  it("gives every region, however made, one hidden class", async () => {
    const result = await runFixture("region-shape");
    expect(result.stderr).to.not.match(CRASH_PATTERN);
    expect(result.status, result.stderr).to.equal(0);
    expect(lastJson(result.stdout)).to.deep.equal({
      fast: true,
      sameMap: [true, true, true, true],
    });
  });

  it("is not recognised in a copy made by spreading or Object.assign, whose clone still throws", () => {
    using region = allocate(2 * MiB);
    for (const copy of [{ ...region }, Object.assign({}, region)]) {
      expect(isRegion(copy)).to.equal(false);
      expectError(() => structuredClone(copy), {
        type: TypeError,
        code: "ERR_LGALLOC_NOT_CLONEABLE",
      });
    }
  });
});
