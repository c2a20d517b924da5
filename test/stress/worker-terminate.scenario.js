// Workers terminated in the middle of allocating, transferring, adopting, growing a
// vector, building an Arrow table and writing Arrow IPC. The main thread holds stamped
// regions and vectors throughout and checks them after every termination: nothing of the
// survivors may change. Afterwards nothing may stay pending once collected.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const core = require("@lgalloc/core");
const { LargeVec } = require("@lgalloc/collections");
const support = require("./support");

const MiB = 2 ** 20;
const JOBS = ["allocate", "transfer", "adopt", "grow", "arrow", "ipc"];

if (isMainThread) {
  support.run(async () => {
    const { seconds, short } = support.options();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-stress-"));
    const survivors = [];
    for (let i = 0; i < 6; i++) {
      const region = core.allocateUnsafe(4 * MiB);
      support.stamp(region.view(Uint8Array), 99, i);
      survivors.push({ region, generation: i });
    }
    const survivorVec = LargeVec.from(
      Float64Array,
      Array.from({ length: 300_000 }, (_, i) => i),
    );
    let operations = 0;
    let lost = 0;
    let unexpected = 0;
    let adoptedFromWorkers = 0;
    const notes = [];
    const deadline = Date.now() + seconds * 1000;
    let round = 0;
    try {
      while (Date.now() < deadline && (!short || round < 60)) {
        const job = JOBS[round % JOBS.length];
        const token = job === "adopt" ? stampedToken(round) : undefined;
        const worker = new Worker(__filename, {
          workerData: { job, token, file: path.join(dir, `t${round}.arrow`) },
          transferList: token?.transferList ?? [],
        });
        worker.on("message", (message) => {
          // Regions a worker sends before it dies belong to main now.
          if (message.token) {
            const region = core.adopt(message.token);
            adoptedFromWorkers++;
            region.dispose();
          }
        });
        worker.on("error", (error) => {
          unexpected++;
          notes.push(`${job}: ${error.message}`);
        });
        await new Promise((resolve) => worker.once("online", resolve));
        await support.sleep(1 + Math.random() * 30);
        await worker.terminate();
        operations++;
        round++;
        for (const { region, generation } of survivors) {
          if (support.mismatches(region.view(Uint8Array), 99, generation) > 0) {
            lost++;
            notes.push(`a survivor region changed after a ${job} worker was terminated`);
          }
        }
        if (survivorVec.get(299_999) !== 299_999 || survivorVec.get(12_345) !== 12_345) {
          lost++;
          notes.push(`the survivor vector changed after a ${job} worker was terminated`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Tokens sent to a worker that died unadopted come back once their anchors are collected.
    for (let i = 0; i < 5 && core.stats().pendingTransfers > 0; i++) {
      global.gc?.();
      await support.sleep(50);
    }
    const pending = core.stats().pendingTransfers;
    if (pending > 0) notes.push(`${pending} tokens still pending after collection`);
    for (const { region } of survivors) region.dispose();
    survivorVec.dispose();
    support.report({
      operations: operations + adoptedFromWorkers,
      faults: operations,
      unexpected,
      lost: lost + (pending > 0 ? 1 : 0),
      notes: notes.slice(0, 5),
      rssBound: 2 * 2 ** 30,
    });
  });

  function stampedToken(generation) {
    const region = core.allocateUnsafe(2 * MiB);
    support.stamp(region.view(Uint8Array), 5, generation);
    return region.transfer();
  }
} else {
  const { job, token, file } = workerData;
  const run = async () => {
    for (let i = 0; ; i++) {
      if (job === "allocate") {
        const region = core.allocateUnsafe((2 + (i % 4)) * MiB);
        region.view(Uint8Array).fill(i & 0xff);
        if (i % 3 !== 0) region.dispose();
      } else if (job === "transfer") {
        const region = core.allocateUnsafe(2 * MiB);
        const sent = region.transfer();
        parentPort.postMessage({ token: sent }, sent.transferList);
      } else if (job === "adopt") {
        if (i === 0 && token) core.adopt(token).view(Uint8Array)[0] = 1;
        const region = core.allocate(2 * MiB);
        region.dispose();
      } else if (job === "grow") {
        const vec = new LargeVec(Float64Array);
        for (let k = 0; k < 2_000_000; k++) vec.push(k);
        vec.dispose();
      } else if (job === "arrow" || job === "ipc") {
        const { PooledTableBuilder, writeIPC } = require("@lgalloc/arrow");
        const builder = new PooledTableBuilder({ price: "float64", symbol: "utf8" });
        for (let k = 0; k < 200_000; k++)
          builder.appendRow({ price: k * 0.5, symbol: `s${k % 97}` });
        const table = builder.finish();
        if (job === "ipc") await writeIPC(table, file, { format: "file" });
        table.dispose();
      }
      if (i % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  run().catch((error) => {
    throw error;
  });
}
