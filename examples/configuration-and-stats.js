// Configuration and statistics (@lgalloc/core): read the configuration, change a few
// options, cap the memory the pools may map, and read what the allocator did. The
// allocator is on by default; configure() changes only the fields it is given.
"use strict";

const { allocate, config, configure, formatStats, stats, tryAllocate } = require("@lgalloc/core");

const MiB = 2 ** 20;

console.log(`defaults: ${JSON.stringify(config())}`);

// Keep less in each thread's cache, and run the background worker more often.
configure({ localBufferBytes: 8 * MiB, background: { intervalMs: 100, clearBytes: 16 * MiB } });
console.log(`localBufferBytes now ${config().localBufferBytes / MiB} MiB`);

// A memory limit: beyond it allocation fails with ERR_LGALLOC_OUT_OF_MEMORY (tryAllocate
// returns undefined instead) rather than waking the kernel's OOM killer.
const held = allocate(16 * MiB);
configure({ memoryLimitBytes: stats().mappedBytes });
try {
  allocate(1024 * MiB);
} catch (error) {
  console.log(`over the limit: ${error.code}`);
}
console.log(`tryAllocate over the limit: ${tryAllocate(1024 * MiB)}`);
configure({ memoryLimitBytes: 0 }); // 0: no limit

// Statistics: per size class and in total, and what JS holds.
const s = stats();
const sixteen = s.sizeClasses[3];
console.log(`16 MiB class: ${sixteen.allocations - sixteen.deallocations} region in use`);
console.log(`JS holds ${s.liveRegions} region(s), ${s.liveBytes / MiB} MiB`);
held.dispose();

// formatStats() prints the same figures as a short table.
console.log(formatStats());
