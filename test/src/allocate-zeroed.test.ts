// `allocate` hands out zeroed memory, like `Buffer.alloc`, skipping the memset when the
// pool knows the region is zero; `allocateUnsafe` / `tryAllocateUnsafe` hand out whatever
// an earlier owner of this process left, like `Buffer.allocUnsafe`. Issue 8, "Zeroed by
// default, unsafe by name".

import { expect } from "chai";
import {
  allocate,
  allocateUnsafe,
  configure,
  tryAllocate,
  tryAllocateUnsafe,
  type Region,
} from "@lgalloc/core";
import { MiB, restoreConfigAfterEach } from "./support";

/** Leaves 0x5a in every byte of the most recently released region of `bytes`. */
function dirty(bytes: number): void {
  const region = allocateUnsafe(bytes);
  region.view(Uint8Array).fill(0x5a);
  region.dispose();
}

function everyByteZero(region: Region): boolean {
  const bytes = region.view(Uint8Array);
  for (let i = 0; i < bytes.length; i += 4093) if (bytes[i] !== 0) return false;
  return bytes[bytes.length - 1] === 0;
}

describe("allocate() is zeroed, allocateUnsafe() is not", () => {
  restoreConfigAfterEach();

  it("allocate() after a dirty release reads zero and says knownZero", () => {
    dirty(2 * MiB);
    using region = allocate(2 * MiB);
    expect(region.knownZero).to.equal(true);
    expect(everyByteZero(region)).to.equal(true);
  });

  it("tryAllocate() is zeroed too", () => {
    dirty(4 * MiB);
    using region = tryAllocate(4 * MiB)!;
    expect(region.knownZero).to.equal(true);
    expect(everyByteZero(region)).to.equal(true);
  });

  it("allocateUnsafe() after a dirty release gives the earlier bytes and says knownZero false", () => {
    dirty(2 * MiB);
    using region = allocateUnsafe(2 * MiB);
    expect(region.knownZero).to.equal(false);
    expect(region.view(Uint8Array)[0]).to.equal(0x5a);
  });

  it("tryAllocateUnsafe() gives a region, or undefined at the memory limit", () => {
    using region = tryAllocateUnsafe(2 * MiB)!;
    expect(region.capacity).to.equal(2 * MiB);
    configure({ memoryLimitBytes: 2 * MiB });
    expect(tryAllocateUnsafe(64 * MiB)).to.equal(undefined);
  });
});
