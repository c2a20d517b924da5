// Quick start for @lgalloc/core: allocate a large region, use it as a typed array, give it
// back, and see that the next allocation of that size reuses the same memory from the pool
// instead of asking the kernel for fresh pages.
"use strict";

const { allocate, stats } = require("@lgalloc/core");

const MiB = 2 ** 20;

// At least 3 MiB: the capacity is the size class above, 4 MiB.
const region = allocate(3 * MiB);
console.log(`capacity ${region.capacity / MiB} MiB, size class 2^${region.sizeClass}`);

// A zero-copy Float64Array over the region's memory.
const values = region.view(Float64Array);
if (!region.knownZero) values.fill(0); // fresh memory is known to be zero: no need to clear
values[0] = 42;
console.log(`values.length ${values.length}, values[0] ${values[0]}`);

// dispose() returns the region to the pool and detaches its buffer, so no view can reach
// memory that someone else gets next.
region.dispose();
console.log(`after dispose: values.length ${values.length}, values[0] ${values[0]}`);

// The next region of that class comes from the pool: no new area is mapped.
const refillsBefore = stats().sizeClasses[1].refill;
allocate(4 * MiB).dispose();
console.log(
  `new areas mapped for the second region: ${stats().sizeClasses[1].refill - refillsBefore}`,
);
