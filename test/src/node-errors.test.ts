// Errors as Node makes them: argument errors are TypeError / RangeError with a `code`; the
// stack header and `toString()` show the code (`RangeError [ERR_OUT_OF_RANGE]: ...`) while
// `name` stays the class's; optional details (`errno`, `syscall`, `size`, `limit`) are
// absent, not own properties holding `undefined`. Issue 8, "Errors as Node makes them".

import { expect } from "chai";
import { LgallocError, allocate, configure } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";
import { MiB, restoreConfigAfterEach } from "./support";

function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a throw");
}

describe("errors as Node makes them", () => {
  restoreConfigAfterEach();

  for (const [label, call, type, code] of [
    ["allocate(1)", () => allocate(1), RangeError, "ERR_LGALLOC_INVALID_SIZE"],
    ["allocate(-1)", () => allocate(-1), RangeError, "ERR_OUT_OF_RANGE"],
    ["allocate('1')", () => allocate("1" as never), TypeError, "ERR_INVALID_ARG_TYPE"],
    [
      "LargeVec#get(5)",
      () => LargeVec.from(Float64Array, [1]).get(5),
      RangeError,
      "ERR_OUT_OF_RANGE",
    ],
    [
      "Region.prototype.dispose.call({})",
      () => allocate(2 * MiB).dispose.call({}),
      TypeError,
      "ERR_INVALID_THIS",
    ],
  ] as const) {
    it(`${label} throws ${type.name} ${code}, with the code in the stack header and toString()`, () => {
      const error = thrown(call);
      expect(error).to.be.an.instanceof(type);
      expect(error.code).to.equal(code);
      expect(error.name).to.equal(type.name);
      expect(error.stack!.split("\n")[0]).to.equal(`${type.name} [${code}]: ${error.message}`);
      expect(String(error)).to.equal(`${type.name} [${code}]: ${error.message}`);
      expect(Object.keys(error)).to.not.include("name");
    });
  }

  it("LgallocError shows its code the same way, and has no details that do not apply", () => {
    using region = allocate(2 * MiB);
    region.dispose();
    const error = thrown(() => region.view(Uint8Array));
    expect(error).to.be.an.instanceof(LgallocError);
    expect(error.stack!.split("\n")[0]).to.equal(
      `LgallocError [ERR_LGALLOC_DISPOSED]: ${error.message}`,
    );
    for (const detail of ["errno", "syscall", "size", "limit"]) {
      expect(detail in error, detail).to.equal(false);
    }
  });

  it("an out-of-memory error has size and limit, and no errno or syscall", () => {
    configure({ memoryLimitBytes: 2 * MiB });
    const error = thrown(() => allocate(64 * MiB));
    expect(error.code).to.equal("ERR_LGALLOC_OUT_OF_MEMORY");
    expect(error.size).to.equal(64 * MiB);
    expect(error.limit).to.equal(2 * MiB);
    expect("errno" in error).to.equal(false);
    expect("syscall" in error).to.equal(false);
  });

  it("an invalid-size error has size and nothing else", () => {
    const error = thrown(() => allocate(1));
    expect(error.size).to.equal(1);
    expect(Object.keys(error).sort()).to.deep.equal(["code", "size"]);
  });
});
