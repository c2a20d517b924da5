// `using` scopes: a Region, a LargeVec and a ColumnBuffer are Disposable, so a `using`
// declaration gives them back at the end of the block, also when it throws or returns
// early. Node 20 cannot parse `using` itself: this file is TypeScript, compiled by
// `npm run build` (target es2022 with lib esnext.disposable, which turns `using` into a
// try/finally that calls [Symbol.dispose]()) into examples/dist/using-scopes.js.

import { allocate, stats } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";

const MiB = 2 ** 20;

function sumOfSquares(n: number): number {
  // Released when the function returns, whichever way it returns.
  using squares = LargeVec.withCapacity(Float64Array, n);
  for (let i = 0; i < n; i++) squares.push(i * i);
  let sum = 0;
  for (const value of squares) sum += value;
  return sum;
}

console.log(`sum of squares below 1000: ${sumOfSquares(1000)}`);

const before = stats().liveRegions;
{
  using scratch = allocate(16 * MiB);
  scratch.view(Uint8Array).fill(1);
  console.log(`inside the block: ${stats().liveRegions - before} region held`);
} // scratch.dispose() runs here
console.log(`after the block: ${stats().liveRegions - before} regions held`);

// An exception does not leak the region: `using` disposes it before the catch runs.
let escaped: Uint8Array | undefined;
try {
  using region = allocate(4 * MiB);
  escaped = region.view(Uint8Array);
  throw new Error("something failed mid-way");
} catch (error) {
  console.log(`caught "${(error as Error).message}"; the view has length ${escaped?.length}`);
}
