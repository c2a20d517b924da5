const fc = require("fast-check");
const { KINDS } = require("/work/main/test/dist/support/large-vec");
const { operations, apply, check } = require("/work/main/test/dist/support/large-vec-model");
const { LargeVec } = require("@lgalloc/collections");
const k = KINDS[8];
const opts = { maxSmall: 300, maxBig: Math.ceil(3 * 2**20 / k.bytes), bigWeight: 3, minSteps: 5, maxSteps: 20 };
let maxLen = 0, pooled = 0, steps = 0, reallocs = 0, runs = 0; const opsCount = {};
fc.assert(fc.property(operations(k, opts), (ops) => {
  runs++;
  const vec = new LargeVec(k.Ctor); const model = [];
  let cap = vec.capacity;
  ops.forEach((op, s) => { opsCount[op.op] = (opsCount[op.op] || 0) + 1; apply(k, vec, model, op); check(k, vec, model, s); steps++; maxLen = Math.max(maxLen, vec.length); if (vec.storage === "pooled") pooled++; if (vec.capacity !== cap) { reallocs++; cap = vec.capacity; } });
  vec.dispose();
}), { numRuns: 12 });
console.log({ runs, steps, maxLen, pooled, reallocs, opsCount });
