// Two copies of @lgalloc/core in one process, as npm trees with duplicate installs have
// them: each copy detaches on dispose, tells the truth about knownZero and raises its own
// error classes (issue 7, item 2), and
// recognises the other's regions with isRegion. Each case runs in a process of its own
// (test/src/fixtures/two-copies.ts).

import { expect } from "chai";
import { CRASH_PATTERN, lastJson, runFixture } from "./support/fixtures";

interface Report {
  distinct: boolean;
  backend: string[];
  detaches: boolean[];
  wrongZeroClaims: number[];
  ownErrorClass: boolean[];
  recognises: boolean[];
}

describe("two copies of @lgalloc/core in one process", () => {
  for (const [mode, how] of [
    ["shared", "sharing one loaded addon"],
    ["fresh", "each loading the addon"],
  ] as const) {
    it(`keeps every copy correct when ${how}`, async () => {
      const result = await runFixture("two-copies", [mode]);
      expect(result.stderr).to.not.match(CRASH_PATTERN);
      expect(result.status, result.stderr).to.equal(0);
      const report = lastJson<Report>(result.stdout);
      expect(report.distinct).to.equal(true);
      expect(report.backend[0]).to.equal(report.backend[1]);
      expect(report.detaches).to.deep.equal([true, true]);
      expect(report.wrongZeroClaims).to.deep.equal([0, 0]);
      expect(report.ownErrorClass).to.deep.equal([true, true]);
      expect(report.recognises).to.deep.equal([true, true]);
    });
  }
});
