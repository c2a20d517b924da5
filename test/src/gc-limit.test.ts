// The memory limit and regions that JS dropped without disposing: like Java's direct
// buffers (`Bits.reserveMemory`), reaching the limit first collects garbage, so a loop
// that drops its regions runs as long as one of `new Uint8Array(...)` would; and when the
// limit is really reached, the error says how many bytes are live, waiting for
// collection, and in transit, in the same words on both backends (the fallback's way is
// documented in docs/core-api.md; the native one forces a collection in the addon).

import { expect } from "chai";
import { allocate, configure, type Region } from "@lgalloc/core";
import { MiB, expectError, isNative, restoreConfigAfterEach } from "./support";
import { lastJson, runFixture } from "./support/fixtures";

describe("garbage collection under a memory limit", () => {
  restoreConfigAfterEach();

  it("a synchronous loop dropping 64 MiB regions runs 400 iterations under a 2 GiB limit", async function () {
    this.timeout(120_000);
    const result = await runFixture("gc-limit", [], {}, 110_000, { exposeGc: false });
    expect(result.status, result.stderr).to.equal(0);
    expect(lastJson(result.stdout)).to.deep.equal({
      backend: isNative() ? "native" : "fallback",
      iterations: 400,
      error: null,
    });
  });

  it("the error at the limit says how many bytes are live, waiting for collection and in transit", function () {
    configure({ memoryLimitBytes: 64 * MiB });
    const held: Region[] = [];
    try {
      for (let i = 0; i < 6; i++) held.push(allocate(8 * MiB));
      const token = allocate(8 * MiB).transfer();
      const error = expectError(() => allocate(32 * MiB), {
        type: Error,
        code: "ERR_LGALLOC_OUT_OF_MEMORY",
        message: ["memory limit of 67108864 bytes"],
      });
      // Other tests of this process may have left regions and tokens behind: at least ours.
      const figures =
        /live: (\d+) bytes, waiting for collection: (\d+) bytes, in transit: (\d+) bytes/.exec(
          error.message,
        );
      expect(figures, error.message).to.not.equal(null);
      const [live, waiting, inTransit] = figures!.slice(1).map(Number) as [number, number, number];
      expect(live).to.be.at.least(48 * MiB);
      expect(waiting).to.be.at.least(0);
      expect(inTransit).to.be.at.least(8 * MiB);
      expect(error.limit).to.equal(64 * MiB);
      expect(error.size).to.equal(32 * MiB);
      expect("errno" in error).to.equal(false);
      void token;
    } finally {
      for (const region of held) region.dispose();
    }
  });
});
