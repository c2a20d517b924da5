// Tests of Region#transfer(), adopt() and releaseToken() on one thread: the token's shape,
// the round trip without copying, single use, forged tokens, and the transfer counters.
// (Between threads: workers.test.ts.)

import { expect } from "chai";
import {
  LgallocError,
  adopt,
  allocate,
  isRegion,
  releaseToken,
  stats,
  type RegionToken,
} from "@lgalloc/core";
import { MiB, expectError, hasPattern, isNative, writePattern } from "./support";

function randomId(): string {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
}

describe("Region#transfer()", () => {
  it("returns a frozen, plain token describing the region", () => {
    const region = allocate(3 * MiB);
    const token = region.transfer();
    try {
      expect(Object.isFrozen(token)).to.equal(true);
      expect(Object.getPrototypeOf(token)).to.equal(Object.prototype);
      expect(token.kind).to.equal("lgalloc.RegionToken");
      expect(token.id).to.match(/^[0-9a-f]{32}$/);
      expect(token.byteLength).to.equal(4 * MiB);
      expect(Array.isArray(token.transferList)).to.equal(true);
      // Native: the token's anchor, an empty buffer whose death reclaims an unadopted token;
      // fallback: the region's memory itself.
      expect(token.transferList).to.have.length(1);
      for (const item of token.transferList) expect(item).to.be.an.instanceof(ArrayBuffer);
      if (isNative()) expect(token.transferList[0]!.byteLength).to.equal(0);
      expect(() => {
        (token as { id: string }).id = "0".repeat(32);
      }).to.throw(TypeError);
    } finally {
      releaseToken(token);
    }
  });

  it("detaches the sender's views and marks the region disposed", () => {
    const region = allocate(2 * MiB);
    const bytes = region.view(Uint8Array);
    const nodeBuffer = Buffer.from(region.buffer);
    bytes[0] = 1;
    const token = region.transfer();
    expect(region.disposed).to.equal(true);
    expect(bytes.length).to.equal(0);
    expect(nodeBuffer.length).to.equal(0);
    expectError(() => region.buffer, { type: LgallocError, code: "ERR_LGALLOC_DISPOSED" });
    releaseToken(token);
  });

  it("gives unique ids", () => {
    const tokens = Array.from({ length: 20 }, () => allocate(2 * MiB).transfer());
    expect(new Set(tokens.map((token) => token.id)).size).to.equal(20);
    for (const token of tokens) expect(releaseToken(token)).to.equal(true);
  });

  it("counts the region as transferred and pending, no longer live", () => {
    const region = allocate(4 * MiB);
    const before = stats();
    const token = region.transfer();
    const after = stats();
    expect(after.transferredRegions).to.equal(before.transferredRegions + 1);
    expect(after.pendingTransfers).to.equal(before.pendingTransfers + 1);
    expect(after.pendingTransferBytes).to.equal(before.pendingTransferBytes + 4 * MiB);
    expect(after.liveRegions).to.equal(before.liveRegions - 1);
    expect(after.liveBytes).to.equal(before.liveBytes - 4 * MiB);
    expect(after.disposedRegions).to.equal(before.disposedRegions);
    releaseToken(token);
  });
});

describe("adopt()", () => {
  it("takes over a transferred region on the same thread with its data", () => {
    const region = allocate(8 * MiB);
    writePattern(region.view(Uint8Array), 7);
    const token = region.transfer();
    const adopted = adopt(token);
    try {
      expect(isRegion(adopted)).to.equal(true);
      expect(adopted).to.not.equal(region);
      expect(adopted.capacity).to.equal(8 * MiB);
      expect(adopted.sizeClass).to.equal(23);
      expect(adopted.knownZero).to.equal(false);
      expect(adopted.disposed).to.equal(false);
      expect(hasPattern(adopted.view(Uint8Array), 7)).to.equal(true);
    } finally {
      adopted.dispose();
    }
  });

  it("works once: a second adopt throws ERR_LGALLOC_INVALID_TOKEN", () => {
    const token = allocate(2 * MiB).transfer();
    const adopted = adopt(token);
    expectError(() => adopt(token), {
      type: LgallocError,
      code: "ERR_LGALLOC_INVALID_TOKEN",
      message: [/token/i],
    });
    expect(adopted.disposed).to.equal(false);
    adopted.dispose();
  });

  it("makes releaseToken() return false afterwards", () => {
    const token = allocate(2 * MiB).transfer();
    const adopted = adopt(token);
    expect(releaseToken(token)).to.equal(false);
    adopted.view(Uint8Array)[0] = 3;
    expect(adopted.view(Uint8Array)[0]).to.equal(3);
    adopted.dispose();
  });

  it("moves the counters: adopted, no longer pending, live again", () => {
    const token = allocate(2 * MiB).transfer();
    const before = stats();
    const adopted = adopt(token);
    const after = stats();
    expect(after.adoptedRegions).to.equal(before.adoptedRegions + 1);
    expect(after.pendingTransfers).to.equal(before.pendingTransfers - 1);
    expect(after.pendingTransferBytes).to.equal(before.pendingTransferBytes - 2 * MiB);
    expect(after.liveRegions).to.equal(before.liveRegions + 1);
    adopted.dispose();
  });

  it("accepts a structured clone of the token (sent with its transfer list)", () => {
    const region = allocate(2 * MiB);
    writePattern(region.view(Uint8Array), 99);
    const token = region.transfer();
    const copy = structuredClone(token, { transfer: [...token.transferList] }) as RegionToken;
    const adopted = adopt(copy);
    try {
      expect(hasPattern(adopted.view(Uint8Array), 99)).to.equal(true);
      expectError(() => adopt(token), { type: LgallocError, code: "ERR_LGALLOC_INVALID_TOKEN" });
    } finally {
      adopted.dispose();
    }
  });

  it("is not fooled by a forged copy with another id, and the real token still works", () => {
    const region = allocate(2 * MiB);
    const token = region.transfer();
    const forgeries: unknown[] = [
      { kind: token.kind, id: randomId(), byteLength: token.byteLength, transferList: [] },
      { kind: "lgalloc.Token", id: token.id, byteLength: token.byteLength, transferList: [] },
      {
        kind: token.kind,
        id: token.id.toUpperCase(),
        byteLength: token.byteLength,
        transferList: [],
      },
      { kind: token.kind, id: `${token.id}0`, byteLength: token.byteLength, transferList: [] },
      token.id,
    ];
    for (const forged of forgeries) {
      let result: unknown;
      expectError(
        () => {
          result = adopt(forged as RegionToken);
        },
        { type: LgallocError, code: "ERR_LGALLOC_INVALID_TOKEN" },
      );
      expect(isRegion(result)).to.equal(false);
    }
    const adopted = adopt(token);
    expect(adopted.capacity).to.equal(2 * MiB);
    adopted.dispose();
  });
});

describe("releaseToken()", () => {
  it("returns a pending token's region to the pool", () => {
    const token = allocate(2 * MiB).transfer();
    const before = stats();
    expect(releaseToken(token)).to.equal(true);
    const after = stats();
    expect(after.pendingTransfers).to.equal(before.pendingTransfers - 1);
    expect(after.pendingTransferBytes).to.equal(before.pendingTransferBytes - 2 * MiB);
    expect(after.releasedTokens).to.equal(before.releasedTokens + 1);
    expect(after.sizeClasses[0]!.freeRegions).to.equal(before.sizeClasses[0]!.freeRegions + 1);
    expect(after.liveRegions).to.equal(before.liveRegions);
  });

  it("returns false the second time, and the token can no longer be adopted", () => {
    const token = allocate(2 * MiB).transfer();
    expect(releaseToken(token)).to.equal(true);
    expect(releaseToken(token)).to.equal(false);
    expectError(() => adopt(token), { type: LgallocError, code: "ERR_LGALLOC_INVALID_TOKEN" });
  });

  it("counts an un-adopted token in pendingTransfers until released", () => {
    const before = stats().pendingTransfers;
    const tokens = [allocate(2 * MiB).transfer(), allocate(4 * MiB).transfer()];
    expect(stats().pendingTransfers).to.equal(before + 2);
    expect(stats().pendingTransferBytes).to.be.at.least(6 * MiB);
    for (const token of tokens) expect(releaseToken(token)).to.equal(true);
    expect(stats().pendingTransfers).to.equal(before);
  });
});
