// Tests across worker threads: a region travels to a worker and back without copying; a
// worker terminated while holding regions gives them back (natively, where all threads
// share one pool); several workers allocate concurrently; a token whose receiver exited
// without adopting it stays pending until released.

import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { expect } from "chai";
import { adopt, allocate, releaseToken, stats, type RegionToken } from "@lgalloc/core";
import { fixturePath } from "./support/fixtures";
import { MiB, collectUntil, hasPattern, isNative, turns, writePattern } from "./support";

function startWorker(name: string, workerData?: unknown): Worker {
  return new Worker(fixturePath(name), { workerData });
}

/** Resolves with the worker's exit code, rejecting on an 'error' event. */
function exited(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", resolve);
  });
}

function freeRegions(): number {
  return stats().totals.freeRegions;
}

describe("regions and worker threads", () => {
  it("round-trips a region to a worker and back, data intact both ways", async () => {
    const region = allocate(4 * MiB);
    writePattern(region.view(Uint8Array), 11);
    const sent = region.view(Uint8Array);
    const token = region.transfer();
    expect(sent.length).to.equal(0);

    const worker = startWorker("roundtrip-worker");
    const done = exited(worker);
    worker.postMessage({ token, seed: 11, reply: 22 }, [...token.transferList]);
    const [reply] = (await once(worker, "message")) as [
      { received: boolean; capacity: number; knownZero: boolean; token: RegionToken },
    ];
    expect(reply.received, "the worker saw the main thread's pattern").to.equal(true);
    expect(reply.capacity).to.equal(4 * MiB);
    expect(reply.knownZero).to.equal(false);

    const back = adopt(reply.token);
    try {
      expect(back.capacity).to.equal(4 * MiB);
      expect(
        hasPattern(back.view(Uint8Array), 22),
        "the main thread sees the worker's pattern",
      ).to.equal(true);
    } finally {
      back.dispose();
    }
    expect(await done).to.equal(0);
    // The token the main thread sent was adopted in the worker: it is spent here too.
    expect(releaseToken(token)).to.equal(false);
  });

  it("counts a round trip in transferredRegions and adoptedRegions (natively, process-wide)", async function () {
    if (!isNative()) this.skip();
    const before = stats();
    const region = allocate(2 * MiB);
    const token = region.transfer();
    const worker = startWorker("roundtrip-worker");
    const done = exited(worker);
    worker.postMessage({ token, seed: 0, reply: 1 }, [...token.transferList]);
    const [reply] = (await once(worker, "message")) as [{ token: RegionToken }];
    adopt(reply.token).dispose();
    await done;
    const after = stats();
    expect(after.transferredRegions).to.equal(before.transferredRegions + 2);
    expect(after.adoptedRegions).to.equal(before.adoptedRegions + 2);
    expect(after.pendingTransfers).to.equal(before.pendingTransfers);
  });

  it("gets back the regions of a worker terminated while holding them (natively)", async function () {
    if (!isNative()) this.skip();
    const sizes = [2 * MiB, 2 * MiB, 4 * MiB, 8 * MiB];
    const baseline = stats();
    const worker = startWorker("hold-worker", { sizes });
    const [ready] = (await once(worker, "message")) as [{ ready: boolean; capacities: number[] }];
    expect(ready.capacities).to.deep.equal(sizes);
    const holding = stats();
    expect(holding.liveRegions).to.equal(baseline.liveRegions + sizes.length);
    expect(holding.liveBytes).to.equal(baseline.liveBytes + 16 * MiB);
    const freeWhileHeld = freeRegions();

    const code = await worker.terminate();
    expect(code).to.equal(1);
    const back = await collectUntil(() => stats().liveRegions === baseline.liveRegions, 5000);
    await turns(5);
    const after = stats();
    expect(back, "the worker's regions are no longer live").to.equal(true);
    expect(after.liveRegions).to.equal(baseline.liveRegions);
    expect(after.liveBytes).to.equal(baseline.liveBytes);
    expect(after.totals.freeRegions).to.be.at.least(freeWhileHeld + sizes.length);
    expect(after.totals.allocations - after.totals.deallocations).to.equal(
      baseline.totals.allocations - baseline.totals.deallocations,
    );
  });

  it("runs 4 workers allocating, writing, verifying and disposing concurrently without errors", async () => {
    const baseline = stats();
    const workers = Array.from({ length: 4 }, (_, id) =>
      startWorker("stress-worker", { id, ms: 1500 }),
    );
    const reports = workers.map(
      (worker) => once(worker, "message") as Promise<[{ operations: number; errors: string[] }]>,
    );
    const exits = workers.map(exited);
    // The main thread takes part too.
    const mine: number[] = [];
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      const region = allocate(2 * MiB);
      writePattern(region.view(Uint8Array), 5);
      if (!hasPattern(region.view(Uint8Array), 5)) mine.push(1);
      region.dispose();
      await turns(1);
    }
    const results = (await Promise.all(reports)).map(([report]) => report);
    expect(await Promise.all(exits)).to.deep.equal([0, 0, 0, 0]);
    expect(mine).to.deep.equal([]);
    for (const report of results) {
      expect(report.errors).to.deep.equal([]);
      expect(report.operations).to.be.at.least(64);
    }
    if (isNative()) {
      await turns(5);
      const after = stats();
      expect(after.liveRegions).to.equal(baseline.liveRegions);
      expect(after.pendingTransfers).to.equal(baseline.pendingTransfers);
      expect(after.totals.allocations - after.totals.deallocations).to.equal(
        baseline.totals.allocations - baseline.totals.deallocations,
      );
    }
  });

  it("reclaims a token whose receiver exits without adopting it, and counts it (natively)", async function () {
    if (!isNative()) this.skip();
    const region = allocate(2 * MiB);
    const token = region.transfer();
    const before = stats();
    const worker = startWorker("ignore-token-worker");
    const done = exited(worker);
    worker.postMessage(token, [...token.transferList]);
    expect((await once(worker, "message"))[0]).to.equal("received");
    expect(await done).to.equal(0);
    await turns(5);
    const after = stats();
    expect(after.pendingTransfers).to.equal(before.pendingTransfers - 1);
    expect(after.pendingTransferBytes).to.equal(before.pendingTransferBytes - 2 * MiB);
    expect(after.releasedTokens).to.equal(before.releasedTokens + 1);
    // The region is back in the pool: the token finds nothing any more.
    expect(releaseToken(token)).to.equal(false);
  });

  it("reclaims a token that is dropped without being adopted or sent (natively)", async function () {
    if (!isNative()) this.skip();
    const before = stats();
    (() => {
      allocate(2 * MiB).transfer();
    })();
    expect(stats().pendingTransfers).to.equal(before.pendingTransfers + 1);
    for (let i = 0; i < 10 && stats().pendingTransfers !== before.pendingTransfers; i++) {
      global.gc!();
      await turns(2);
    }
    expect(stats().pendingTransfers).to.equal(before.pendingTransfers);
    expect(stats().releasedTokens).to.equal(before.releasedTokens + 1);
  });
});
