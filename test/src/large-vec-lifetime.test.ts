// Tests of a LargeVec's lifetime beyond dispose(): vectors that are never disposed give
// their regions back through garbage collection (in a process of their own: unbounded
// garbage must not pile up in mocha's), and vectors move to a worker thread and back
// without losing data.

import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { expect } from "chai";
import { LgallocError, stats } from "@lgalloc/core";
import { LargeVec, type LargeVecToken } from "@lgalloc/collections";
import { MiB, collectUntil, expectError, isNative } from "./support";
import { fixturePath, lastJson, runFixture } from "./support/fixtures";
import { hasVecPattern, writeVecPattern } from "./support/large-vec";

interface GcFigures {
  backend: string;
  count: number;
  liveRegions: number;
  collectedRegions: number;
  disposedRegions: number;
  allocations: number;
  mappedBytes: number;
  maxMapped: number;
  maxLive: number;
  maxRss: number;
  maxRssProcess: number;
}

interface Reply {
  received: boolean;
  length: number;
  storage: string;
  elementType: string;
  token: LargeVecToken;
}

describe("LargeVec lifetime", () => {
  describe("garbage collection", () => {
    it("returns the regions of forgotten vectors through collection, memory bounded", async () => {
      const result = await runFixture("large-vec-gc", [], {}, 120_000);
      expect(result.status, result.stderr).to.equal(0);
      const figures = lastJson<GcFigures>(result.stdout);
      // 600 vectors in pooled regions; every third grew by push from the heap through a
      // 2 MiB region (disposed by the growth, at once) into a 4 MiB one.
      const grown = figures.count / 3;
      expect(figures.allocations).to.equal(figures.count + grown);
      expect(figures.disposedRegions, "only growth disposes").to.equal(grown);
      expect(figures.collectedRegions).to.be.at.least(figures.count - 10);
      expect(figures.liveRegions).to.be.at.most(10);
      expect(figures.maxLive).to.be.below(300);
      expect(figures.maxRssProcess, "peak RSS").to.be.below(512 * MiB);
      if (isNative()) expect(figures.maxMapped).to.be.below(512 * MiB);
    });

    it("collects a dropped vector's region in this process too (collectedRegions)", async () => {
      const before = stats().collectedRegions;
      (() => {
        const vec = new LargeVec(Uint8Array, 2 * MiB);
        vec.set(0, 1);
      })();
      const collected = await collectUntil(() => stats().collectedRegions > before);
      expect(collected).to.equal(true);
    });
  });

  describe("worker threads", () => {
    let worker: Worker | undefined;
    let exited: Promise<unknown> | undefined;

    before(() => {
      worker = new Worker(fixturePath("large-vec-worker"));
      exited = once(worker, "exit");
    });

    after(async () => {
      worker?.postMessage({ done: true });
      await exited;
    });

    async function roundTrip(token: LargeVecToken, seed: number, reply: number): Promise<Reply> {
      const answer = once(worker!, "message") as Promise<[Reply]>;
      worker!.postMessage({ token, seed, reply }, [...token.transferList]);
      return (await answer)[0];
    }

    for (const [label, make] of [
      [
        "a heap Float64 vector",
        () =>
          LargeVec.from(
            Float64Array,
            Array.from({ length: 5000 }, (_, i) => i),
          ),
      ],
      ["a pooled Float64 vector", () => new LargeVec(Float64Array, (3 * MiB) / 8)],
      ["a pooled BigInt64 vector", () => new LargeVec(BigInt64Array, (2 * MiB) / 8 + 1)],
      [
        "a pooled Uint8 vector with spare capacity",
        () => LargeVec.withCapacity(Uint8Array, 8 * MiB),
      ],
      ["an empty vector", () => new LargeVec(Int16Array)],
    ] as const) {
      it(`moves ${label} to a worker and back, data intact both ways`, async () => {
        const vec = make() as LargeVec<Float64Array>;
        if (label.includes("spare")) vec.resize(3 * MiB);
        writeVecPattern(vec, 3);
        const length = vec.length;
        const storage = vec.storage;
        const elementType = vec.elementType.name;
        const view = vec.view();
        const token = vec.transfer();
        expect(vec.disposed).to.equal(true);
        expect(view.length).to.equal(0);

        const reply = await roundTrip(token, 3, 4);
        expect(reply.received, "the worker saw the main thread's pattern").to.equal(true);
        expect([reply.length, reply.storage, reply.elementType]).to.deep.equal([
          length,
          storage,
          elementType,
        ]);

        using back = LargeVec.adopt<Float64Array>(reply.token);
        expect(back.length).to.equal(length + 1);
        expect(back.storage).to.equal(storage);
        expect(hasVecPattern(back, 4), "the main thread sees the worker's pattern").to.equal(true);
        back.push(back.get(0));
        expect(back.length).to.equal(length + 2);
      });
    }

    it("refuses a token that was already adopted (by the worker)", async () => {
      const vec = new LargeVec(Float64Array, (2 * MiB) / 8);
      const token = vec.transfer();
      const reply = await roundTrip(token, 0, 1);
      LargeVec.adopt(reply.token).dispose();
      expectError(() => LargeVec.adopt(token), {
        type: LgallocError,
        code: "ERR_LGALLOC_INVALID_TOKEN",
      });
    });
  });
});
