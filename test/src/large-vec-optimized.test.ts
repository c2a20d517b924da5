// Optimized code of LargeVec and ColumnBuffer under garbage collection (issue 8, push speed). V8 keeps the
// maps (hidden classes) of a class's instances only weakly; when no vector was alive during
// a full collection, the collection freed them, and every optimized function that relied on
// them was thrown away ("reason: weak objects") and compiled again for the next vector: a
// program that makes one large vector at a time ran its push loop ~1.4x as long
// (packages/collections/src/map-anchors.ts).

import { spawnSync } from "node:child_process";

import { expect } from "chai";

import { fixturePath } from "./support/fixtures";

describe("LargeVec and ColumnBuffer optimized code across garbage collections", () => {
  it("is not deoptimized because their maps died while no vector or column was alive", function () {
    this.timeout(60_000);
    const result = spawnSync(
      process.execPath,
      ["--expose-gc", "--trace-opt", "--trace-deopt", fixturePath("large-vec-optimized")],
      { encoding: "utf8", maxBuffer: 1 << 26, timeout: 55_000 },
    );
    expect(result.status, result.stderr).to.equal(0);
    // The loops were optimized at all, or the check below would prove nothing.
    expect(result.stdout).to.match(/completed optimizing .*pushGrowing/);
    const weak = result.stdout
      .split("\n")
      .filter((line) => line.includes("reason: weak objects"))
      .filter((line) =>
        /<SharedFunctionInfo (pushGrowing|pushWithCapacity|appendColumns|push|append|appendNull)>/.test(
          line,
        ),
      );
    expect(weak, weak.join("\n")).to.deep.equal([]);
  });
});
