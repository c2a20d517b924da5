// Allocation under a memory limit while JS drops regions without disposing them: the
// native backend forces a collection and retries before it gives up, as Java does for
// direct buffers (issue 8, "Garbage collection under a memory limit"). In processes of
// their own (test/src/fixtures/gc-under-limit.ts).

import { expect } from "chai";
import { lastJson, runFixture } from "./support/fixtures";
import { isNative } from "./support";

interface Report {
  iterations: number;
  error?: { code?: string; message: string };
  held: number;
}

describe("allocation under a memory limit with uncollected garbage", () => {
  it("runs 400 iterations of dropped 64 MiB regions under a 2 GiB limit (natively)", async function () {
    if (!isNative()) this.skip();
    this.timeout(120000);
    const result = await runFixture("gc-under-limit", ["drop"], {}, 110000);
    expect(result.status, result.stderr).to.equal(0);
    const report = lastJson<Report>(result.stdout);
    expect(report.error, JSON.stringify(report)).to.equal(undefined);
    expect(report.iterations).to.equal(400);
  });

  it("fails at the limit when every region is held, saying what is live and in transit (natively)", async function () {
    if (!isNative()) this.skip();
    this.timeout(120000);
    const result = await runFixture("gc-under-limit", ["hold"], {}, 110000);
    expect(result.status, result.stderr).to.equal(0);
    const report = lastJson<Report>(result.stdout);
    expect(report.iterations).to.equal(32);
    expect(report.error?.code).to.equal("ERR_LGALLOC_OUT_OF_MEMORY");
    expect(report.error?.message).to.match(/would exceed the memory limit of 2147483648 bytes/);
    expect(report.error?.message).to.match(/live: 2147483648 bytes/);
    expect(report.error?.message).to.match(/waiting for collection: 0 bytes/);
    expect(report.error?.message).to.match(/in transit: 0 bytes/);
  });
});
