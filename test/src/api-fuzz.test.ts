// A bounded run of the model-based fuzzer over the public API (support/api-fuzzer.ts):
// fresh seeds every run, each printed on failure so that `npm run fuzz -- --seed N`
// replays it. Long runs: `npm run fuzz -- --seconds N`.

import { expect } from "chai";
import { runFuzz } from "./support/api-fuzzer";

describe("the public API under a model-based fuzzer", () => {
  it("keeps every object equal to its model through random hostile call sequences", function () {
    this.timeout(120_000);
    const deadline = Date.now() + 15_000;
    const first = (Date.now() ^ (process.pid << 8)) >>> 0;
    let seeds = 0;
    for (let seed = first; Date.now() < deadline; seed = (seed + 1) >>> 0) {
      const failure = runFuzz({ seed, steps: 200 });
      seeds++;
      expect(
        failure,
        failure ? `replay: npm run fuzz -- --seed ${failure.seed}\n${failure.message}` : "",
      ).to.be.null;
    }
    expect(seeds).to.be.above(0);
  });
});
