// The workload of madvise-faults.scenario.js, run in a child process with the syscall fault
// shim preloaded (test/stress/shim/syscall-faults.c): the main thread and two worker threads
// allocate regions of several size classes, check that `allocate` zeroed them, stamp an
// owner-and-generation pattern on every page, verify it before every dispose, switch eager
// return on and off and trim, while the background worker clears dirty regions every few
// milliseconds. Whatever the kernel refuses, no region may come back twice (another owner's
// stamp), dirty (a page not zero after `allocate`) or changed (a long-held region's stamp).
//
//   node madvise-faults.child.js <seconds> <recover: 0|1>
//
// The main thread prints one JSON line at the end: what the threads saw and stats().
"use strict";

const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const core = require("@lgalloc/core");
const support = require("./support");

const MiB = 2 ** 20;
const SIZES = [2 * MiB, 4 * MiB, 8 * MiB];
const HELD_AT_MOST = 24;

/** First word of every page of `view` that is not zero (a region `allocate` did not zero). */
function dirtyPages(view) {
  const words = new Uint32Array(view.buffer, view.byteOffset, view.byteLength >>> 2);
  let dirty = 0;
  for (let i = 0; i < words.length; i += 1024) {
    if (words[i] !== 0 || words[i + 1] !== 0 || words[i + 1023] !== 0) dirty++;
  }
  return dirty;
}

/** The churn one thread runs until `deadline`; `owner` is unique to the thread. */
function churn({ owner, deadline, main }) {
  let generation = 0;
  let operations = 0;
  let lost = 0;
  let notZero = 0;
  const notes = [];
  const held = [];
  // Kept for the whole run: their data must survive every refused madvise and every trim.
  const kept = [];
  for (let i = 0; i < 3; i++) {
    const region = core.allocateUnsafe(SIZES[i]);
    support.stamp(region.view(Uint8Array), owner, 0xffff0000 + i);
    kept.push({ region, generation: 0xffff0000 + i });
  }
  const verifyAndDispose = (entry) => {
    const wrong = support.mismatches(entry.region.view(Uint8Array), owner, entry.generation);
    if (wrong > 0) {
      lost += wrong;
      notes.push(`thread ${owner}: ${wrong} pages of a held region changed owner`);
    }
    entry.region.dispose();
    operations++;
  };
  let step = 0;
  while (Date.now() < deadline) {
    step++;
    if (held.length < HELD_AT_MOST && (held.length === 0 || Math.random() < 0.55)) {
      const size = SIZES[Math.floor(Math.random() * SIZES.length)];
      const zeroed = Math.random() < 0.5;
      const region = zeroed ? core.allocate(size) : core.allocateUnsafe(size);
      const view = region.view(Uint8Array);
      if (zeroed) {
        const dirty = dirtyPages(view);
        if (dirty > 0) {
          notZero += dirty;
          notes.push(`thread ${owner}: allocate() returned ${dirty} pages not zero`);
        }
      }
      generation++;
      support.stamp(view, owner, generation);
      held.push({ region, generation });
      operations++;
    } else {
      const index = Math.floor(Math.random() * held.length);
      verifyAndDispose(held[index]);
      held[index] = held[held.length - 1];
      held.pop();
    }
    // Only the main thread reconfigures; every thread trims and flushes now and then.
    if (main && step % 97 === 0) core.configure({ eagerReturn: !core.config().eagerReturn });
    if (step % 151 === 0) core.trim();
    if (step % 61 === 0) core.flushThreadCache();
  }
  for (const entry of held) verifyAndDispose(entry);
  for (const entry of kept) verifyAndDispose(entry);
  core.flushThreadCache();
  return { operations, lost, notZero, notes: notes.slice(0, 5) };
}

if (isMainThread) {
  const seconds = Number(process.argv[2]);
  const recover = process.argv[3] === "1";
  const deadline = Date.now() + seconds * 1000;
  core.configure({
    background: { intervalMs: 2, clearBytes: 16 * MiB },
    localBufferBytes: 8 * MiB,
    // From the start, so that eager MADV_DONTNEED meets the refusals too.
    eagerReturn: true,
  });
  const workers = [1, 2].map(
    (id) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: { owner: 100 + id, deadline } });
        worker.once("message", resolve);
        worker.once("error", reject);
      }),
  );
  const mine = churn({ owner: 1, deadline, main: true });
  Promise.all(workers).then(async (theirs) => {
    const threads = [mine, ...theirs];
    core.configure({ eagerReturn: false });
    // With the faults over (recover), the background worker must clean every dirty region.
    let cleanedAll;
    if (recover) {
      const until = Date.now() + 10_000;
      while (core.stats().totals.globalRegions > 0 && Date.now() < until) await support.sleep(5);
      cleanedAll = core.stats().totals.globalRegions === 0;
    }
    core.configure({ background: false });
    const before = core.stats();
    // Allocation still works, and hands out every size class in use.
    let allocatesAfter = true;
    for (const size of SIZES) {
      try {
        const region = core.allocate(size);
        if (dirtyPages(region.view(Uint8Array)) > 0) allocatesAfter = false;
        region.dispose();
      } catch {
        allocatesAfter = false;
      }
    }
    core.flushThreadCache();
    console.log(
      JSON.stringify({
        operations: threads.reduce((sum, t) => sum + t.operations, 0),
        lost: threads.reduce((sum, t) => sum + t.lost, 0),
        notZero: threads.reduce((sum, t) => sum + t.notZero, 0),
        notes: threads.flatMap((t) => t.notes),
        cleanedAll,
        allocatesAfter,
        before,
        stats: core.stats(),
        peakRss: support.peakRssBytes(),
      }),
    );
  });
} else {
  parentPort.postMessage(churn({ ...workerData, main: false }));
}
