// Property-based tests of LargeVec against a plain-array model (support/large-vec-model.ts):
// for each of the 11 element kinds, thousands of random sequences of push, pushMany, pop,
// set, resize, truncate, extend, clear, shrinkToFit, reserve, fill, reverse, sort and
// operations that must fail; a few hundred of them with sizes past 2 MiB, so that vectors
// move between heap and pooled storage and reallocate several times. The same property then
// runs in a process of its own with 1024-element chunks, so that every multi-chunk path
// (storage longer than one typed array) is checked without 4 GiB vectors.

import { expect } from "chai";
import fc from "fast-check";
import { MiB } from "./support";
import { lastJson, runFixture } from "./support/fixtures";
import { KINDS } from "./support/large-vec";
import { property } from "./support/large-vec-model";

/** Short sequences of small vectors: most runs. */
const SMALL_RUNS = 2000;
/** Sequences with sizes beyond 2 MiB. */
const BIG_RUNS = 40;

describe("LargeVec against a model (fast-check)", () => {
  for (const k of KINDS) {
    it(`${k.name}: ${SMALL_RUNS + BIG_RUNS} random operation sequences agree with a plain array`, () => {
      fc.assert(
        property(k, { maxSmall: 300, maxBig: 300, bigWeight: 0, minSteps: 1, maxSteps: 30 }),
        {
          numRuns: SMALL_RUNS,
        },
      );
      fc.assert(
        property(k, {
          maxSmall: 300,
          maxBig: Math.ceil((3 * MiB) / k.bytes),
          bigWeight: 8,
          minSteps: 5,
          maxSteps: 20,
        }),
        { numRuns: BIG_RUNS },
      );
    });
  }

  it("agrees with 1024-element chunks as well (in a process of its own)", async () => {
    const result = await runFixture(
      "large-vec-model-chunked",
      [],
      { LGALLOC_LARGEVEC_CHUNK_ELEMENTS: "1024" },
      120_000,
    );
    expect(result.status, result.stderr + result.stdout).to.equal(0);
    const report = lastJson<{ kinds: number; runs: number; failures: string[] }>(result.stdout);
    expect(report.failures).to.deep.equal([]);
    expect(report.kinds).to.equal(11);
    expect(report.runs).to.be.greaterThan(1000);
  });
});
