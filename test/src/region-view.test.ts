// Tests of Region#view(): every typed array kind and Buffer over the region, the default
// length, bounds of byteOffset and length, alignment, and the 2^32-element limit of a
// typed array.

import { expect } from "chai";
import { OutOfRangeError, allocate, type Region, type TypedArrayConstructor } from "@lgalloc/core";
import { runFixture, lastJson } from "./support/fixtures";
import { GiB, MiB, expectError, requireNative } from "./support";

const KINDS: TypedArrayConstructor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

describe("Region#view()", () => {
  let region: Region;
  beforeEach(() => {
    region = allocate(2 * MiB);
  });
  afterEach(() => {
    region.dispose();
  });

  for (const Kind of KINDS) {
    it(`makes a ${Kind.name} over the whole region by default`, () => {
      const view = region.view(Kind);
      expect(view).to.be.an.instanceof(Kind);
      expect(view.buffer).to.equal(region.buffer);
      expect(view.byteOffset).to.equal(0);
      expect(view.length).to.equal(region.capacity / Kind.BYTES_PER_ELEMENT);
      const value = Kind === BigInt64Array || Kind === BigUint64Array ? 123n : 123;
      (view as unknown as { [i: number]: number | bigint })[view.length - 1] = value;
      expect(view[view.length - 1]).to.equal(value);
      const bytes = region.view(Uint8Array, region.capacity - Kind.BYTES_PER_ELEMENT);
      expect(bytes.some((byte) => byte !== 0)).to.equal(true);
    });
  }

  it("makes a Buffer over the region", () => {
    const view = region.view(Buffer as unknown as TypedArrayConstructor<Buffer>, 16, 5);
    expect(Buffer.isBuffer(view)).to.equal(true);
    expect(view.length).to.equal(5);
    view.write("hello");
    expect(Buffer.from(region.buffer, 16, 5).toString()).to.equal("hello");
    expect(region.view(Uint8Array, 16, 1)[0]).to.equal("h".charCodeAt(0));
  });

  it("makes a Buffer of the whole region by default", () => {
    const view = region.view(Buffer as unknown as TypedArrayConstructor<Buffer>);
    expect(Buffer.isBuffer(view)).to.equal(true);
    expect(view.length).to.equal(region.capacity);
  });

  it("creates a Buffer view without Node's Buffer() deprecation warning", async () => {
    const result = await runFixture("buffer-view");
    expect(result.status).to.equal(0, result.stderr);
    const { warnings, length } = lastJson<{ warnings: string[]; length: number }>(result.stdout);
    expect(length).to.equal(8);
    expect(warnings).to.deep.equal([]);
  });

  it("starts at byteOffset and fits as many elements as remain", () => {
    const view = region.view(Float64Array, 1024);
    expect(view.byteOffset).to.equal(1024);
    expect(view.length).to.equal((region.capacity - 1024) / 8);
  });

  it("honours an explicit length", () => {
    const view = region.view(Int32Array, 64, 10);
    expect([view.byteOffset, view.length]).to.deep.equal([64, 10]);
  });

  it("accepts a view ending exactly at the capacity", () => {
    const view = region.view(Uint16Array, region.capacity - 8, 4);
    view[3] = 0xbeef;
    expect(region.view(Uint16Array, region.capacity - 2, 1)[0]).to.equal(0xbeef);
  });

  it("accepts byteOffset equal to the capacity (an empty view)", () => {
    expect(region.view(Uint8Array, region.capacity).length).to.equal(0);
  });

  it("accepts length 0", () => {
    expect(region.view(Float32Array, 0, 0).length).to.equal(0);
  });

  it("refuses a byteOffset beyond the capacity", () => {
    expectError(() => region.view(Uint8Array, region.capacity + 1), {
      type: RangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["byteOffset", String(region.capacity + 1)],
    });
  });

  it("refuses a length that does not fit after byteOffset", () => {
    expectError(() => region.view(Uint8Array, 0, region.capacity + 1), {
      type: RangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["length"],
    });
    expectError(() => region.view(Uint16Array, 2, region.capacity / 2), {
      type: RangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["length"],
    });
    expectError(() => region.view(Float64Array, region.capacity - 8, 2), {
      type: RangeError,
      code: "ERR_OUT_OF_RANGE",
      message: ["length"],
    });
  });

  for (const [Kind, offset] of [
    [Uint16Array, 1],
    [Int32Array, 2],
    [Float32Array, 6],
    [Float64Array, 4],
    [BigInt64Array, 12],
  ] as [TypedArrayConstructor, number][]) {
    it(`refuses a byteOffset of ${offset} for ${Kind.name} (not a multiple of ${Kind.BYTES_PER_ELEMENT})`, () => {
      const error = expectError(() => region.view(Kind, offset), {
        type: RangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ["byteOffset", String(offset)],
      });
      expect(error).to.be.an.instanceof(OutOfRangeError);
    });
  }
});

describe("Region#view() on regions of more than 2^32 bytes", () => {
  it("refuses a default length of more than 2^32 elements (64 GiB region, Uint8Array)", function () {
    requireNative(this);
    const region = allocate(64 * GiB);
    try {
      expectError(() => region.view(Uint8Array), {
        type: RangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ["length"],
      });
      expectError(() => region.view(Uint8Array, 0, 2 ** 32 + 1), {
        type: RangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ["length"],
      });
      // An explicit length, or a wider element, stays within the limit.
      expect(region.view(Uint8Array, 2 ** 35, 16).length).to.equal(16);
      expect(region.view(Float64Array, 2 ** 35).length).to.equal(2 ** 32);
    } finally {
      region.dispose();
    }
  });
});

describe("Region#view(Buffer) in the types", () => {
  it("compiles without a cast and returns a Buffer over the region", () => {
    using region = allocate(2 * MiB);
    // Before issue 8 this line did not compile (TS2345).
    const buffer: Buffer = region.view(Buffer, 8, 4);
    buffer.writeUInt32LE(0xdeadbeef, 0);
    expect(region.view(Uint32Array, 8, 1)[0]).to.equal(0xdeadbeef);
  });
});
