// LargeVec#push under V8's optimizing compiler (issue 8, push speed; figures in
// packages/collections/bench, section 2b). Each case runs in a process of its own
// (test/src/fixtures/large-vec-optimizer.ts), as V8's state is process-wide.

import { expect } from "chai";

import { lastJson, runFixture } from "./support/fixtures";

describe("LargeVec#push under V8's optimizer", () => {
  it("is inlined into a pushing loop without its slow path, also after another vector grew", async function () {
    this.timeout(60_000);
    const result = await runFixture("large-vec-optimizer", ["inlining"], {}, 55_000);
    expect(result.status, result.stderr).to.equal(0);
    const inlined = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("Inlining ") && line.includes("fillWithRoom"));
    // The trace shows the loop inlining push: the check below looks at a real trace.
    expect(inlined.some((line) => /SharedFunctionInfo push>/.test(line))).to.equal(true);
    const slow = inlined.filter((line) => !/SharedFunctionInfo (push|get|dispose)>/.test(line));
    expect(slow, "functions inlined into the loop besides push").to.deep.equal([]);
  });

  it("keeps an optimized pushing loop optimized after every vector was collected", async function () {
    this.timeout(60_000);
    const result = await runFixture("large-vec-optimizer", ["survives-gc"], {}, 55_000);
    expect(result.status, result.stderr).to.equal(0);
    const state = lastJson<{ before: boolean; afterGc: boolean; afterPush: boolean }>(
      result.stdout,
    );
    expect(state).to.deep.equal({ before: true, afterGc: true, afterPush: true });
  });
});
