// Tests of `using` and `await using` declarations of regions (TypeScript downlevels them
// for Node 20): the region is disposed when its block ends, however it ends.

import { expect } from "chai";
import { allocate, releaseToken, stats, type Region } from "@lgalloc/core";
import { MiB } from "./support";

describe("using declarations of a Region", () => {
  it("disposes the region at the end of the block", () => {
    const before = stats().disposedRegions;
    let seen: Region | undefined;
    let bytes: Uint8Array | undefined;
    {
      using region = allocate(2 * MiB);
      seen = region;
      bytes = region.view(Uint8Array);
      bytes[0] = 1;
      expect(region.disposed).to.equal(false);
    }
    expect(seen.disposed).to.equal(true);
    expect(bytes.length).to.equal(0);
    expect(stats().disposedRegions).to.equal(before + 1);
  });

  it("disposes the region when the block throws", () => {
    let seen: Region | undefined;
    expect(() => {
      using region = allocate(2 * MiB);
      seen = region;
      throw new Error("boom");
    }).to.throw("boom");
    expect(seen?.disposed).to.equal(true);
  });

  it("disposes the region when the block returns early", () => {
    let seen: Region | undefined;
    const read = (): number => {
      using region = allocate(2 * MiB);
      seen = region;
      region.view(Uint8Array)[0] = 42;
      return region.view(Uint8Array)[0]!;
    };
    expect(read()).to.equal(42);
    expect(seen?.disposed).to.equal(true);
  });

  it("disposes several regions, each once", () => {
    const before = stats().disposedRegions;
    const seen: Region[] = [];
    {
      using a = allocate(2 * MiB);
      using b = allocate(4 * MiB);
      seen.push(a, b);
      b.dispose(); // disposing early is fine; the end of the block is then a no-op
    }
    expect(seen.map((region) => region.disposed)).to.deep.equal([true, true]);
    expect(stats().disposedRegions).to.equal(before + 2);
  });

  it("tolerates a region transferred inside the block", () => {
    let token: ReturnType<Region["transfer"]> | undefined;
    {
      using region = allocate(2 * MiB);
      token = region.transfer();
    }
    expect(token.id).to.match(/^[0-9a-f]{32}$/);
    // Still pending: the end of the block did not release the transferred region.
    expect(releaseToken(token)).to.equal(true);
  });
});

describe("await using declarations of a Region", () => {
  it("disposes the region at the end of the async block", async () => {
    let seen: Region | undefined;
    {
      await using region = allocate(2 * MiB);
      seen = region;
      await new Promise((resolve) => setImmediate(resolve));
      expect(region.disposed).to.equal(false);
    }
    expect(seen.disposed).to.equal(true);
  });

  it("disposes the region when the async block rejects", async () => {
    let seen: Region | undefined;
    const failing = async (): Promise<void> => {
      await using region = allocate(2 * MiB);
      seen = region;
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error("async boom");
    };
    let caught: unknown;
    try {
      await failing();
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.equal("async boom");
    expect(seen?.disposed).to.equal(true);
  });
});
