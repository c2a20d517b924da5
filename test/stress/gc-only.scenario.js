// Release by garbage collection only: a long async loop that never disposes, allocating
// 64 MiB vectors (and, every tenth round, a pooled Arrow table), must stay under a stated
// RSS bound, because collecting their buffers returns the regions to the pool.
"use strict";

const { LargeVec } = require("@lgalloc/collections");
const { pooledTableFromArrays } = require("@lgalloc/arrow");
const core = require("@lgalloc/core");
const support = require("./support");

const ELEMENTS = 8 * 2 ** 20; // 64 MiB of doubles

support.run(async () => {
  const { short } = support.options();
  const rounds = short ? 150 : 1000;
  const before = core.stats();
  let operations = 0;
  let lost = 0;
  const notes = [];
  let kept; // only the latest vector is reachable, to check it while the others go
  for (let round = 0; round < rounds; round++) {
    const vec = new LargeVec(Float64Array, ELEMENTS);
    vec.set(0, round);
    vec.set(ELEMENTS - 1, round);
    if (kept !== undefined && (kept.get(0) !== round - 1 || kept.get(ELEMENTS - 1) !== round - 1)) {
      lost++;
      notes.push(`round ${round}: the previous vector lost its values`);
    }
    kept = vec;
    operations++;
    if (round % 10 === 0) {
      const price = new Float64Array(2 ** 20).fill(round);
      pooledTableFromArrays({ price });
      operations++;
    }
    // Let the collector's finalizers run, as any program that awaits does.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const after = core.stats();
  const collected = after.collectedRegions - before.collectedRegions;
  if (collected < rounds / 2) notes.push(`only ${collected} of ${rounds} regions were collected`);
  support.report({ operations, lost, notes, rssBound: 3 * 2 ** 30 });
});
