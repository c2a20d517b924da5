// Pooled regions in a few lines: allocate, write through a typed view, release, and see
// the pool reuse the memory instead of asking the kernel for fresh pages.
"use strict";

const { allocate, stats } = require("@lgalloc/core");

const MiB = 2 ** 20;

// 3 MiB rounds up to the 4 MiB size class.
const region = allocate(3 * MiB);
console.log(`allocated ${region}`);

const values = region.view(Float64Array);
for (let i = 0; i < values.length; i += 512) values[i] = i;
console.log(`wrote ${values.length / 512} values; values[1024] = ${values[1024]}`);

region.dispose();
console.log(`after dispose the view is empty: length ${values.length}`);

// Allocate and release in a loop: after the first refill every region comes from the pool.
for (let round = 0; round < 1000; round++) {
  const r = allocate(4 * MiB);
  r.view(Uint8Array)[0] = round & 0xff;
  r.dispose();
}
const classStats = stats().sizeClasses[1];
console.log(
  `4 MiB class: ${classStats.allocations} allocations served by ${classStats.refill} area refill(s), ` +
    `${classStats.areas} area(s) of ${classStats.areaTotalBytes / MiB} MiB`,
);
if (classStats.refill > 2) throw new Error("expected the pool to reuse regions");

// Grow a region like realloc: the data stays, its pages change places with the new
// region's (no copy on the native backend), and the old region is disposed.
const small = allocate(4 * MiB);
small.view(Float64Array)[0] = 1.5;
const before = stats();
const large = small.reallocate(64 * MiB);
const after = stats();
console.log(
  `reallocated to ${large.capacity / MiB} MiB: first value ${large.view(Float64Array)[0]}, ` +
    `${(after.movedBytes - before.movedBytes) / MiB} MiB moved by remapping, ` +
    `${(after.copiedBytes - before.copiedBytes) / MiB} MiB copied; old region disposed: ${small.disposed}`,
);
if (large.view(Float64Array)[0] !== 1.5 || !small.disposed) throw new Error("reallocate lost data");
large.dispose();
