// Inputs that answer differently each time they are asked, or lie through an overridden
// method: a Date whose `getTime` is replaced, token fields behind getters. Each input is
// read once, through the built-in where there is one. Issue 8, item 6.

import { expect } from "chai";
import { adopt, allocate, releaseToken, type RegionToken } from "@lgalloc/core";
import { ColumnBuffer } from "@lgalloc/collections";
import { MiB } from "./support";

function spoofedDate(time: number, claimed: unknown): Date {
  const date = new Date(time);
  Object.defineProperty(date, "getTime", { value: () => claimed });
  return date;
}

describe("spoofed inputs", () => {
  for (const claimed of [2 ** 62, 1.5, -(2 ** 62), NaN, "x"]) {
    it(`a Date whose getTime() returns ${String(claimed)} is stored by its real time value`, () => {
      const day = 19_000;
      const time = day * 86_400_000;
      using date32 = ColumnBuffer.create("date32");
      using date64 = ColumnBuffer.create("date64");
      using timestamp = ColumnBuffer.create("timestamp", { unit: "us" });
      date32.append(spoofedDate(time, claimed));
      date64.append(spoofedDate(time, claimed));
      timestamp.append(spoofedDate(time, claimed));
      expect(date32.get(0)).to.equal(day);
      expect(date64.get(0)).to.equal(BigInt(time));
      expect(timestamp.get(0)).to.equal(BigInt(time) * 1000n);
    });
  }

  it("a Date subclass overriding getTime is stored by its real time value", () => {
    class Shifted extends Date {
      override getTime(): number {
        return 2 ** 62;
      }
    }
    using column = ColumnBuffer.create("date32");
    column.append(new Shifted(86_400_000));
    expect(column.get(0)).to.equal(1);
  });

  it("an invalid Date is refused with ERR_OUT_OF_RANGE", () => {
    using column = ColumnBuffer.create("date64");
    expect(() => column.append(new Date(NaN)))
      .to.throw(RangeError)
      .with.property("code", "ERR_OUT_OF_RANGE");
  });

  it("a token whose id getter changes between reads is read once", () => {
    const region = allocate(2 * MiB);
    const token = region.transfer();
    let reads = 0;
    const shifty = {
      ...token,
      get id(): string {
        reads++;
        return reads === 1 ? token.id : ("f".repeat(32) as string);
      },
    } as RegionToken;
    using back = adopt(shifty);
    expect(reads).to.equal(1);
    expect(back.capacity).to.equal(2 * MiB);
    expect(releaseToken(token)).to.equal(false);
  });
});
