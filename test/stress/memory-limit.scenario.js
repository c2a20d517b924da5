// The memory limit reached from several workers at once: each allocates regions of 16 to
// 128 MiB, keeps a few, disposes some and drops others without disposing (so the
// collect-and-retry path runs), until the deadline. The pools must never map more than the
// limit, nobody may deadlock, and every failure must be ERR_LGALLOC_OUT_OF_MEMORY.
"use strict";

const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const core = require("@lgalloc/core");
const support = require("./support");

const MiB = 2 ** 20;
const LIMIT = 1024 * MiB;

if (isMainThread) {
  support.run(async () => {
    const { seconds, short } = support.options();
    const count = short ? 3 : 6;
    core.configure({ memoryLimitBytes: LIMIT });
    let maxMapped = 0;
    const sampler = setInterval(() => {
      maxMapped = Math.max(maxMapped, core.stats().mappedBytes);
    }, 2);
    const deadline = Date.now() + seconds * 1000;
    const runs = Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(__filename, { workerData: { deadline } });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    );
    // A deadlock shows as workers that never answer.
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve("timeout"), seconds * 1000 + 30_000);
    });
    const outcome = await Promise.race([Promise.all(runs), timeout]);
    clearTimeout(timer); // else the process would wait for it after the workers are done
    clearInterval(sampler);
    if (outcome === "timeout") {
      support.report({
        operations: 0,
        unexpected: 1,
        notes: ["workers did not finish: deadlock?"],
      });
      process.exit(1);
    }
    const notes = outcome.flatMap((r) => r.notes);
    // The fallback counts a dropped region as mapped until its finalizer runs on the event
    // loop, while its limit check collects garbage and counts what buffers really hold
    // (fallback-backend.ts): there the peak RSS bound below is the check that holds.
    const native = core.backendKind() === "native";
    const overLimit = native && (outcome.some((r) => r.maxMapped > LIMIT) || maxMapped > LIMIT);
    if (overLimit)
      notes.push(
        `mapped ${Math.max(maxMapped, ...outcome.map((r) => r.maxMapped))} bytes, over the limit ${LIMIT}`,
      );
    support.report({
      operations: outcome.reduce((sum, r) => sum + r.operations, 0),
      expected: outcome.reduce((sum, r) => sum + r.expected, 0),
      unexpected: outcome.reduce((sum, r) => sum + r.unexpected, 0),
      lost: overLimit ? 1 : 0,
      notes,
      rssBound: LIMIT * (core.backendKind() === "native" ? 1 : count) + 1024 * MiB,
    });
  });
} else {
  // The fallback's configuration is per thread: each worker sets the limit for itself.
  if (core.backendKind() === "fallback") core.configure({ memoryLimitBytes: LIMIT });
  const held = [];
  let operations = 0;
  let expected = 0;
  let unexpected = 0;
  let maxMapped = 0;
  const notes = [];
  const loop = () => {
    // One allocation per turn: a refused one may wait for collections (the retry path).
    {
      const size = (16 << Math.floor(Math.random() * 4)) * MiB;
      try {
        const region =
          Math.random() < 0.5 ? core.tryAllocateUnsafe(size) : core.allocateUnsafe(size);
        operations++;
        if (region === undefined) {
          expected++;
        } else {
          region.view(Uint8Array)[0] = 1;
          held.push(region);
        }
      } catch (error) {
        if (error.code === "ERR_LGALLOC_OUT_OF_MEMORY") expected++;
        else {
          unexpected++;
          notes.push(`${error.code}: ${error.message}`);
        }
      }
      while (held.length > 3) {
        const region = held.shift();
        // Half are disposed, half dropped for the collector to find.
        if (Math.random() < 0.5) region.dispose();
      }
      maxMapped = Math.max(maxMapped, core.stats().mappedBytes);
    }
    if (Date.now() < workerData.deadline) setImmediate(loop);
    else {
      for (const region of held) region.dispose();
      core.flushThreadCache();
      parentPort.postMessage({ operations, expected, unexpected, maxMapped, notes });
    }
  };
  setImmediate(loop);
}
