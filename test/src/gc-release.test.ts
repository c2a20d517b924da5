// Regions released by the garbage collector go where this thread can reach them (issue 7,
// item 3), and a process cannot corrupt its heap by moving the addon's metadata array
// (item 4). Each in a process of its own.

import { expect } from "chai";
import { CRASH_PATTERN, lastJson, runFixture } from "./support/fixtures";
import { isNative } from "./support";

describe("regions released by garbage collection", () => {
  it("end in the global pool, where flushThreadCache() and trim() reach them (natively)", async function () {
    if (!isNative()) this.skip();
    const result = await runFixture("gc-release");
    expect(result.status, result.stderr).to.equal(0);
    const report = lastJson<{
      collected: number;
      threadRegionsAfterFlush: number;
      trimmed: { areasUnmapped: number };
    }>(result.stdout);
    expect(report.collected).to.equal(64);
    expect(report.threadRegionsAfterFlush).to.equal(0);
    expect(report.trimmed.areasUnmapped).to.be.greaterThan(0);
  });
});

describe("the addon's metadata array", () => {
  it("stays the addon's when plain JS transfers its buffer away (natively)", async function () {
    if (!isNative()) this.skip();
    const result = await runFixture("out-array-transfer");
    expect(result.stderr).to.not.match(CRASH_PATTERN);
    expect(result.signal, result.stderr).to.equal(null);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.contain("done");
  });
});
