// mmap refused: with the address-space limit (RLIMIT_AS, set on this very process with
// prlimit), allocating a region whose area does not fit under the limit must fail with
// ERR_LGALLOC_OUT_OF_MEMORY carrying errno ENOMEM, every held region must keep its data,
// and allocation must work again once memory is released (trimmed) under the same limit,
// and once the limit is raised; and a refusal by the kernel must force no full collection
// (V8 needs memory to collect too; only lgalloc's own limit is worth one: the bug of
// f81641d, which this check finds without waiting for V8 to run out). Native backend only:
// the fallback's memory comes from V8.
//
// The refusals come from the real kernel, but never leave V8 short of address space: the
// refused areas are larger than the room left under the limit, and the room itself (at
// least 512 MiB at every moment) is never handed to lgalloc. An earlier version filled the
// room with 64 MiB areas until mmap failed; V8 then sometimes could not map a page of its
// own and aborted the process inside an API call (SIGABRT), which no code of ours can catch.
"use strict";

const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const { PerformanceObserver, constants } = require("node:perf_hooks");
const core = require("@lgalloc/core");
const support = require("./support");

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const ENOMEM = 12;

function vmSizeBytes() {
  const match = /^VmSize:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return Number(match[1]) * 1024;
}

function setAddressSpaceLimit(bytes) {
  const value = bytes === Infinity ? "unlimited" : String(bytes);
  execFileSync("prlimit", [`--pid=${process.pid}`, `--as=${value}:unlimited`]);
}

/** Writes the owner pattern at the start of every 64 MiB of `region` (one huge page each). */
function stampSparse(region, generation) {
  const words = new Uint32Array(region.view(Uint8Array).buffer);
  for (let i = 0; i < words.length; i += (64 * MiB) / 4) {
    words[i] = 7;
    words[i + 1] = generation;
  }
}

function sparseMismatches(region, generation) {
  const words = new Uint32Array(region.view(Uint8Array).buffer);
  let wrong = 0;
  for (let i = 0; i < words.length; i += (64 * MiB) / 4) {
    if (words[i] !== 7 || words[i + 1] !== generation) wrong++;
  }
  return wrong;
}

support.run(async () => {
  const { short } = support.options();
  if (core.backendKind() !== "native") {
    support.report({ operations: 0, notes: [], skipped: true });
    return;
  }
  // Areas of one region each, so every allocation past the pooled ones needs a new mmap.
  core.configure({ maxAreaBytes: 64 * MiB });
  const rounds = short ? 2 : 8;
  let operations = 0;
  let faults = 0;
  let expected = 0;
  let unexpected = 0;
  let lost = 0;
  const notes = [];
  const held = [];
  let generation = 0;
  const allocateStamped = (bytes) => {
    const region = core.allocateUnsafe(bytes);
    generation++;
    stampSparse(region, generation);
    held.push({ region, generation });
    operations++;
    return held[held.length - 1];
  };
  const verifyHeld = (when) => {
    for (const { region, generation } of held) {
      if (sparseMismatches(region, generation) > 0) {
        lost++;
        notes.push(`a held region lost its data ${when}`);
      }
    }
  };
  // Full collections, with their start times: a refusal by the kernel must force none (V8
  // needs memory to collect as well; only lgalloc's own limit is worth one).
  const majorCollections = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        majorCollections.push(entry.startTime);
      }
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const refusals = [];
  const expectRefused = (bytes, when) => {
    faults++;
    let refused;
    const started = performance.now();
    try {
      allocateStamped(bytes);
    } catch (error) {
      refused = error;
    }
    refusals.push([started, performance.now()]);
    if (refused === undefined) {
      unexpected++;
      notes.push(`${bytes / MiB} MiB was not refused ${when}`);
    } else if (refused.code !== "ERR_LGALLOC_OUT_OF_MEMORY" || refused.errno !== ENOMEM) {
      unexpected++;
      notes.push(`refused ${when} with ${refused.code} errno ${refused.errno}: ${refused.message}`);
    } else {
      expected++;
    }
  };
  const expectAllocates = (bytes, when) => {
    try {
      return allocateStamped(bytes);
    } catch (error) {
      unexpected++;
      notes.push(`${bytes / MiB} MiB failed ${when}: ${error.code} ${error.message}`);
      return undefined;
    }
  };

  for (let i = 0; i < 4; i++) allocateStamped(64 * MiB);
  for (let round = 0; round < rounds; round++) {
    // A 1 GiB region held, and room for 1.5 GiB more under the limit: a 2 GiB area cannot
    // be mapped, while 1.5 GiB stay free for V8 and Node.
    const big = expectAllocates(GiB, "before the limit");
    if (big === undefined) break;
    setAddressSpaceLimit(vmSizeBytes() + 1536 * MiB);
    expectRefused(2 * GiB, "under RLIMIT_AS");
    verifyHeld("after mmap was refused");
    // Smaller regions still fit under the limit, and released ones are reused.
    const small = expectAllocates(64 * MiB, "under the limit");
    if (small !== undefined) {
      held.splice(held.indexOf(small), 1);
      small.region.dispose();
      expectAllocates(64 * MiB, "under the limit, reusing a released region");
    }
    // Releasing the 1 GiB region and trimming its area makes room for the 2 GiB area under
    // the same limit (0.5 GiB still free for V8).
    held.splice(held.indexOf(big), 1);
    if (sparseMismatches(big.region, big.generation) > 0) lost++;
    big.region.dispose();
    core.flushThreadCache();
    const trimmed = core.trim();
    if (trimmed.bytesUnmapped < GiB) {
      unexpected++;
      notes.push(`trim unmapped ${trimmed.bytesUnmapped} bytes, not the 1 GiB area`);
    }
    const large = expectAllocates(2 * GiB, "after releasing 1 GiB under the limit");
    setAddressSpaceLimit(Infinity);
    // With the limit gone, another 2 GiB maps.
    const more = expectAllocates(2 * GiB, "after the limit was raised");
    verifyHeld(`at the end of round ${round}`);
    for (const entry of [large, more]) {
      if (entry === undefined) continue;
      held.splice(held.indexOf(entry), 1);
      entry.region.dispose();
    }
    core.flushThreadCache();
    core.trim();
  }
  verifyHeld("at the end");
  // GC entries arrive asynchronously.
  await support.sleep(50);
  observer.disconnect();
  const forced = majorCollections.filter((at) =>
    refusals.some(([from, to]) => at >= from && at <= to),
  ).length;
  if (forced > 0) {
    unexpected++;
    notes.push(`${forced} full collections during allocations the kernel refused`);
  }
  for (const { region } of held) region.dispose();
  core.flushThreadCache();
  const stats = core.stats();
  if (stats.totals.allocations !== stats.totals.deallocations) {
    lost++;
    notes.push(`allocations ${stats.totals.allocations} != ${stats.totals.deallocations}`);
  }
  // Sparse stamps touch one huge page per 64 MiB.
  support.report({ operations, faults, expected, unexpected, lost, notes, rssBound: 1 * GiB });
});
