// The bad-input matrix: every public function and method, each argument, fed values of the
// wrong type, out of range, missing, or spent (a disposed region, an adopted token). Each
// case checks the documented error class, code and message (naming the argument and the
// value received), that the counters did not move, and that the allocator still works.

import { expect } from "chai";
import {
  InvalidArgTypeError,
  InvalidArgValueError,
  LgallocError,
  OutOfRangeError,
  Region,
  adopt,
  allocate,
  backendKind,
  config,
  configure,
  isRegion,
  releaseToken,
  sizeClassOf,
  stats,
  tryAllocate,
  type RegionToken,
} from "@lgalloc/core";
import {
  MiB,
  expectAllocatorWorks,
  expectArgError,
  expectError,
  renderings,
  restoreConfigAfterEach,
  stableCounters,
} from "./support";

/** How a value prints in a test title. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "function") return value.name || "function";
  if (Array.isArray(value)) return "[]";
  if (value === null) return "null";
  if (typeof value === "object") return "{}";
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

/** Values of the wrong type for a number argument (undefined: the argument missing). */
const NOT_NUMBERS: unknown[] = [
  "abc",
  "2097152",
  1n,
  {},
  null,
  Symbol("x"),
  true,
  [2097152],
  function one() {
    return 1;
  },
];
/** Numbers that are not safe non-negative integers. */
const BAD_NUMBERS: number[] = [
  -1,
  -2097152,
  1.5,
  2097152.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  2 ** 60,
];

type Expectation = { type: abstract new (...args: never[]) => Error; code: string; name: string };
const typeError = (name: string): Expectation => ({
  type: InvalidArgTypeError,
  code: "ERR_INVALID_ARG_TYPE",
  name,
});
const rangeError = (name: string): Expectation => ({
  type: OutOfRangeError,
  code: "ERR_OUT_OF_RANGE",
  name,
});
const valueError = (name: string): Expectation => ({
  type: InvalidArgValueError,
  code: "ERR_INVALID_ARG_VALUE",
  name,
});

/**
 * One `it` per value: `call(value)` must throw the expected argument error, leave the
 * counters alone and the allocator working.
 */
function argumentCases(
  label: (value: unknown) => string,
  values: readonly unknown[],
  expected: Expectation,
  call: (value: unknown) => unknown,
): void {
  for (const value of values) {
    it(`${label(value)} throws ${expected.type.name} ${expected.code}`, () => {
      const before = stableCounters();
      const error = expectArgError(
        () => call(value),
        expected.type,
        expected.code,
        expected.name,
        value,
      );
      // The Node base classes, as the contract promises.
      if (expected.code === "ERR_OUT_OF_RANGE") expect(error).to.be.an.instanceof(RangeError);
      else expect(error).to.be.an.instanceof(TypeError);
      expect(stableCounters()).to.deep.equal(before);
      expectAllocatorWorks();
    });
  }
}

/**
 * One `it` per size: `call(size)` must throw `ERR_LGALLOC_INVALID_SIZE` naming the size,
 * leave the counters alone and the allocator working.
 */
function invalidSizeCases(
  label: (size: number) => string,
  sizes: readonly number[],
  call: (size: number) => unknown,
): void {
  for (const size of sizes) {
    it(`${label(size)} throws RangeError ERR_LGALLOC_INVALID_SIZE with size`, () => {
      const before = stableCounters();
      const error = expectError(() => call(size), {
        type: RangeError,
        code: "ERR_LGALLOC_INVALID_SIZE",
        message: ["byteLength", renderings(size)],
      });
      expect(error.size).to.equal(size);
      expect(stableCounters()).to.deep.equal(before);
      expectAllocatorWorks();
    });
  }
}

describe("bad input", () => {
  restoreConfigAfterEach();

  for (const [fnName, fn] of [
    ["allocate", allocate],
    ["tryAllocate", tryAllocate],
    ["sizeClassOf", sizeClassOf],
  ] as [string, (n: number) => unknown][]) {
    describe(`${fnName}(byteLength)`, () => {
      argumentCases(
        (value) => `${fnName}(${show(value)})`,
        [...NOT_NUMBERS, undefined],
        typeError("byteLength"),
        (value) => fn(value as number),
      );
      argumentCases(
        (value) => `${fnName}(${show(value)})`,
        BAD_NUMBERS,
        rangeError("byteLength"),
        (value) => fn(value as number),
      );

      invalidSizeCases(
        (size) => `${fnName}(${size})`,
        [0, 1, 2 ** 21 - 1, 2 ** 36 + 1, 2 ** 40],
        fn,
      );

      it(`${fnName}() without an argument throws ERR_INVALID_ARG_TYPE`, () => {
        expectArgError(
          () => (fn as unknown as () => unknown)(),
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
          "byteLength",
          undefined,
        );
      });
    });
  }

  describe("configure(options)", () => {
    argumentCases(
      (value) => `configure(${show(value)})`,
      ["enabled", 1, 1n, null, undefined, Symbol("o"), true],
      typeError("options"),
      (value) => configure(value as never),
    );

    for (const options of [
      { foo: 1 },
      { enabled: true, Enabled: false },
      { background: { intervalMs: 5, clearBytes: 0, extra: 1 } },
    ]) {
      it(`configure(${JSON.stringify(options)}) throws InvalidArgValueError ERR_INVALID_ARG_VALUE and changes nothing`, () => {
        const before = config();
        const key = "foo" in options ? "foo" : "Enabled" in options ? "Enabled" : "extra";
        const error = expectError(() => configure(options as never), {
          type: TypeError,
          code: "ERR_INVALID_ARG_VALUE",
          message: [key],
        });
        expect(error).to.be.an.instanceof(InvalidArgValueError);
        expect(config()).to.deep.equal(before);
        expectAllocatorWorks();
      });
    }

    for (const key of ["enabled", "eagerReturn"] as const) {
      argumentCases(
        (value) => `configure({ ${key}: ${show(value)} })`,
        [1, 0, "true", null, 1n, {}, Symbol("b")],
        typeError(key),
        (value) => configure({ [key]: value } as never),
      );
    }

    for (const key of [
      "growthDampener",
      "localBufferBytes",
      "maxAreaBytes",
      "memoryLimitBytes",
    ] as const) {
      argumentCases(
        (value) => `configure({ ${key}: ${show(value)} })`,
        ["1", null, 1n, {}, true, Symbol("n")],
        typeError(key),
        (value) => configure({ [key]: value } as never),
      );
      argumentCases(
        (value) => `configure({ ${key}: ${show(value)} })`,
        BAD_NUMBERS,
        rangeError(key),
        (value) => configure({ [key]: value } as never),
      );
    }

    argumentCases(
      (value) => `configure({ background: ${show(value)} })`,
      [true, 1, "off", null, 1n, Symbol("g")],
      typeError("background"),
      (value) => configure({ background: value } as never),
    );
    argumentCases(
      (value) => `configure({ background: { intervalMs: ${show(value)}, clearBytes: 0 } })`,
      ["5", null, 5n, {}, true, undefined],
      typeError("intervalMs"),
      (value) => configure({ background: { intervalMs: value, clearBytes: 0 } } as never),
    );
    argumentCases(
      (value) => `configure({ background: { intervalMs: ${show(value)}, clearBytes: 0 } })`,
      [0, -1, -0.5, NaN, Infinity, -Infinity, 1e9 + 1, 2 ** 53],
      rangeError("intervalMs"),
      (value) => configure({ background: { intervalMs: value, clearBytes: 0 } } as never),
    );
    argumentCases(
      (value) => `configure({ background: { intervalMs: 10, clearBytes: ${show(value)} } })`,
      ["1", null, 1n, {}, false, undefined],
      typeError("clearBytes"),
      (value) => configure({ background: { intervalMs: 10, clearBytes: value } } as never),
    );
    argumentCases(
      (value) => `configure({ background: { intervalMs: 10, clearBytes: ${show(value)} } })`,
      BAD_NUMBERS,
      rangeError("clearBytes"),
      (value) => configure({ background: { intervalMs: 10, clearBytes: value } } as never),
    );

    it("accepts the largest interval, 1e9 ms", () => {
      expect(
        configure({ background: { intervalMs: 1e9, clearBytes: 0 } }).background,
      ).to.deep.equal({
        intervalMs: 1e9,
        clearBytes: 0,
      });
    });
  });

  describe("stats(options)", () => {
    argumentCases(
      (value) => `stats(${show(value)})`,
      ["hugePages", 1, null, 1n, Symbol("s"), true],
      typeError("options"),
      (value) => stats(value as never),
    );
    argumentCases(
      (value) => `stats({ hugePages: ${show(value)} })`,
      [1, "yes", null, {}, 1n],
      typeError("hugePages"),
      (value) => stats({ hugePages: value } as never),
    );
    it("stats({ huge: true }) throws ERR_INVALID_ARG_VALUE naming the key", () => {
      expectError(() => stats({ huge: true } as never), {
        type: TypeError,
        code: "ERR_INVALID_ARG_VALUE",
        message: ["huge"],
      });
    });
  });

  describe("Region#view(Ctor, byteOffset, length)", () => {
    let region: Region;
    beforeEach(() => {
      region = allocate(2 * MiB);
    });
    afterEach(() => region.dispose());

    class NotATypedArray {
      static BYTES_PER_ELEMENT = 1;
    }
    argumentCases(
      (value) => `view(${show(value)})`,
      [
        undefined,
        null,
        "Uint8Array",
        1,
        1n,
        {},
        Symbol("c"),
        Array,
        DataView,
        ArrayBuffer,
        Object,
        NotATypedArray,
      ],
      typeError("Ctor"),
      (value) => region.view(value as never),
    );
    argumentCases(
      (value) => `view(Uint8Array, ${show(value)})`,
      ["0", null, 0n, {}, true, Symbol("o")],
      typeError("byteOffset"),
      (value) => region.view(Uint8Array, value as number),
    );
    argumentCases(
      (value) => `view(Uint8Array, ${show(value)})`,
      [...BAD_NUMBERS, 2 * MiB + 1, 2 ** 36 + 1],
      rangeError("byteOffset"),
      (value) => region.view(Uint8Array, value as number),
    );
    argumentCases(
      (value) => `view(Uint8Array, 0, ${show(value)})`,
      ["8", null, 8n, {}, true, Symbol("l")],
      typeError("length"),
      (value) => region.view(Uint8Array, 0, value as number),
    );
    argumentCases(
      (value) => `view(Uint8Array, 0, ${show(value)})`,
      [...BAD_NUMBERS, 2 * MiB + 1, 2 ** 32 + 1],
      rangeError("length"),
      (value) => region.view(Uint8Array, 0, value as number),
    );
  });

  describe("Region#reallocate(byteLength)", () => {
    let region: Region;
    beforeEach(() => {
      region = allocate(2 * MiB);
      region.view(Uint8Array)[0] = 7;
    });
    afterEach(() => {
      // A refused reallocate leaves the region live, its bytes as they were.
      expect(region.disposed).to.equal(false);
      expect(region.view(Uint8Array)[0]).to.equal(7);
      region.dispose();
    });

    argumentCases(
      (value) => `reallocate(${show(value)})`,
      [...NOT_NUMBERS, undefined],
      typeError("byteLength"),
      (value) => region.reallocate(value as number),
    );
    argumentCases(
      (value) => `reallocate(${show(value)})`,
      BAD_NUMBERS,
      rangeError("byteLength"),
      (value) => region.reallocate(value as number),
    );
    invalidSizeCases(
      (size) => `reallocate(${size})`,
      [0, 1, 2 * MiB - 1, 2 ** 36 + 1],
      (size) => region.reallocate(size),
    );
  });

  describe("Region#prefetch(byteOffset, byteLength)", () => {
    let region: Region;
    beforeEach(() => {
      region = allocate(2 * MiB);
    });
    afterEach(() => region.dispose());

    it("accepts the whole region, a range, and an empty range", () => {
      expect(region.prefetch()).to.equal(undefined);
      expect(region.prefetch(4096)).to.equal(undefined);
      expect(region.prefetch(100, 5000)).to.equal(undefined);
      expect(region.prefetch(0, 2 * MiB)).to.equal(undefined);
      expect(region.prefetch(2 * MiB - 1, 1)).to.equal(undefined);
    });

    argumentCases(
      (value) => `prefetch(${show(value)})`,
      ["0", null, 0n, {}, true, Symbol("o")],
      typeError("byteOffset"),
      (value) => region.prefetch(value as number),
    );
    argumentCases(
      (value) => `prefetch(${show(value)})`,
      BAD_NUMBERS,
      rangeError("byteOffset"),
      (value) => region.prefetch(value as number),
    );
    argumentCases(
      (value) => `prefetch(0, ${show(value)})`,
      ["1", null, 1n, {}, true, Symbol("l")],
      typeError("byteLength"),
      (value) => region.prefetch(0, value as number),
    );
    argumentCases(
      (value) => `prefetch(0, ${show(value)})`,
      BAD_NUMBERS,
      rangeError("byteLength"),
      (value) => region.prefetch(0, value as number),
    );

    for (const [offset, length] of [
      [0, 2 * MiB + 1],
      [2 * MiB, 1],
      [2 * MiB - 4096, 8192],
      [4 * MiB, 0],
      [2 ** 40, 4096],
    ] as [number, number][]) {
      it(`prefetch(${offset}, ${length}) throws RangeError ERR_LGALLOC_OUT_OF_BOUNDS`, () => {
        const before = stableCounters();
        expectError(() => region.prefetch(offset, length), {
          type: RangeError,
          code: "ERR_LGALLOC_OUT_OF_BOUNDS",
        });
        expect(stableCounters()).to.deep.equal(before);
        expectAllocatorWorks();
      });
    }

    it("prefetch(byteOffset beyond the capacity) throws ERR_LGALLOC_OUT_OF_BOUNDS", () => {
      expectError(() => region.prefetch(2 * MiB + 4096), {
        type: RangeError,
        code: "ERR_LGALLOC_OUT_OF_BOUNDS",
      });
    });
  });

  describe("a disposed region as the receiver", () => {
    it("throws ERR_LGALLOC_DISPOSED from buffer, view(), prefetch() and transfer(), and nothing moves", () => {
      const region = allocate(2 * MiB);
      region.dispose();
      const before = stableCounters();
      for (const operation of [
        () => region.buffer,
        () => region.view(Uint8Array),
        () => region.prefetch(),
        () => region.transfer(),
      ]) {
        expectError(operation, { type: LgallocError, code: "ERR_LGALLOC_DISPOSED" });
      }
      expect(stableCounters()).to.deep.equal(before);
      expectAllocatorWorks();
    });

    it("throws ERR_LGALLOC_DISPOSED after transfer(), and the token stays pending", () => {
      const region = allocate(2 * MiB);
      const token = region.transfer();
      const before = stableCounters();
      expectError(() => region.transfer(), { type: LgallocError, code: "ERR_LGALLOC_DISPOSED" });
      expectError(() => region.view(Uint8Array), {
        type: LgallocError,
        code: "ERR_LGALLOC_DISPOSED",
      });
      region.dispose(); // a no-op
      expect(stableCounters()).to.deep.equal(before);
      expect(releaseToken(token)).to.equal(true);
    });
  });

  describe("adopt(token) and releaseToken(token)", () => {
    const id = "0123456789abcdef0123456789abcdef";
    const forged: [string, unknown][] = [
      ["undefined", undefined],
      ["null", null],
      ["a string", id],
      ["a number", 1],
      ["a bigint", 1n],
      ["a symbol", Symbol("t")],
      ["an empty object", {}],
      ["an array", []],
      ["a region", undefined], // filled in below
      ["a disposed region", undefined], // filled in below
      [
        "a token of the wrong kind",
        { kind: "lgalloc.Region", id, byteLength: 2 * MiB, transferList: [] },
      ],
      ["a token without kind", { id, byteLength: 2 * MiB, transferList: [] }],
      [
        "a token with a numeric id",
        { kind: "lgalloc.RegionToken", id: 123, byteLength: 2 * MiB, transferList: [] },
      ],
      [
        "a token with a 31-digit id",
        { kind: "lgalloc.RegionToken", id: id.slice(1), byteLength: 2 * MiB, transferList: [] },
      ],
      [
        "a token with a 33-digit id",
        { kind: "lgalloc.RegionToken", id: `${id}0`, byteLength: 2 * MiB, transferList: [] },
      ],
      [
        "a token with uppercase hex",
        {
          kind: "lgalloc.RegionToken",
          id: id.toUpperCase(),
          byteLength: 2 * MiB,
          transferList: [],
        },
      ],
      [
        "a token with non-hex characters",
        {
          kind: "lgalloc.RegionToken",
          id: `${id.slice(0, 31)}g`,
          byteLength: 2 * MiB,
          transferList: [],
        },
      ],
      [
        "a token with a random unknown id",
        { kind: "lgalloc.RegionToken", id, byteLength: 2 * MiB, transferList: [] },
      ],
    ];

    /** The value to pass as a token; regions are made fresh for each case. */
    function forgedToken(label: string, value: unknown): { token: unknown; region?: Region } {
      if (label === "a region") {
        const region = allocate(2 * MiB);
        return { token: region, region };
      }
      if (label === "a disposed region") {
        const region = allocate(2 * MiB);
        region.dispose();
        return { token: region };
      }
      return { token: value };
    }

    for (const [label, value] of forged) {
      it(`adopt(${label}) throws LgallocError ERR_LGALLOC_INVALID_TOKEN and returns no region`, () => {
        const { token, region } = forgedToken(label, value);
        const before = stableCounters();
        let adopted: unknown;
        const error = expectError(
          () => {
            adopted = adopt(token as RegionToken);
            return adopted;
          },
          { type: LgallocError, code: "ERR_LGALLOC_INVALID_TOKEN", message: [/token/i] },
        );
        expect(isRegion(adopted)).to.equal(false);
        expect(error.name).to.equal("LgallocError");
        expect(stableCounters()).to.deep.equal(before);
        region?.dispose();
        expectAllocatorWorks();
      });

      it(`releaseToken(${label}) throws ERR_LGALLOC_INVALID_TOKEN or returns false`, () => {
        const { token, region } = forgedToken(label, value);
        const before = stableCounters();
        let result: unknown;
        try {
          result = releaseToken(token as RegionToken);
        } catch (error) {
          expect(error).to.be.an.instanceof(LgallocError);
          expect((error as LgallocError).code).to.equal("ERR_LGALLOC_INVALID_TOKEN");
          result = false;
        }
        expect(result).to.equal(false);
        expect(stableCounters()).to.deep.equal(before);
        region?.dispose();
      });
    }

    it("adopt() of a token carrying a foreign ArrayBuffer never hands out pooled memory", () => {
      const buffer = new ArrayBuffer(2 * MiB);
      new Uint8Array(buffer)[0] = 7;
      const token = {
        kind: "lgalloc.RegionToken",
        id: "fedcba9876543210fedcba9876543210",
        byteLength: 2 * MiB,
        transferList: [buffer],
        buffer,
      };
      if (backendKind() === "native") {
        // The id was never issued: nothing to adopt.
        expectError(() => adopt(token as unknown as RegionToken), {
          type: LgallocError,
          code: "ERR_LGALLOC_INVALID_TOKEN",
        });
        return;
      }
      // The fallback's tokens carry their memory (threads share no pool to look ids up
      // in), so a forged token can only give the forger back their own buffer, moved.
      const adopted = adopt(token as unknown as RegionToken);
      try {
        expect(adopted.view(Uint8Array)[0]).to.equal(7);
        expect(buffer.byteLength).to.equal(0);
        expectError(() => adopt(token as unknown as RegionToken), {
          type: LgallocError,
          code: "ERR_LGALLOC_INVALID_TOKEN",
        });
      } finally {
        adopted.dispose();
      }
    });

    it("adopt() of a token already adopted throws ERR_LGALLOC_INVALID_TOKEN", () => {
      const token = allocate(2 * MiB).transfer();
      const region = adopt(token);
      const before = stableCounters();
      expectError(() => adopt(token), { type: LgallocError, code: "ERR_LGALLOC_INVALID_TOKEN" });
      expect(releaseToken(token)).to.equal(false);
      expect(stableCounters()).to.deep.equal(before);
      region.dispose();
      expectAllocatorWorks();
    });

    it("adopt() of a released token throws ERR_LGALLOC_INVALID_TOKEN", () => {
      const token = allocate(2 * MiB).transfer();
      expect(releaseToken(token)).to.equal(true);
      expectError(() => adopt(token), { type: LgallocError, code: "ERR_LGALLOC_INVALID_TOKEN" });
      expect(releaseToken(token)).to.equal(false);
    });

    it("adopt() without an argument throws ERR_LGALLOC_INVALID_TOKEN", () => {
      expectError(() => (adopt as unknown as () => unknown)(), {
        type: LgallocError,
        code: "ERR_LGALLOC_INVALID_TOKEN",
      });
    });
  });

  describe("new Region()", () => {
    it("throws TypeError ERR_ILLEGAL_CONSTRUCTOR", () => {
      const Ctor = Region as unknown as new (...args: unknown[]) => unknown;
      for (const args of [[], [Symbol("lgalloc.Region construction")], [2 * MiB]]) {
        expectError(() => new Ctor(...args), { type: TypeError, code: "ERR_ILLEGAL_CONSTRUCTOR" });
      }
      expectAllocatorWorks();
    });
  });

  describe("isRegion(value)", () => {
    const values: [string, unknown][] = [
      ["undefined", undefined],
      ["null", null],
      ["a number", 2 * MiB],
      ["a string", "Region"],
      ["a symbol", Symbol.for("lgalloc.Region")],
      ["an object", {}],
      ["an array", []],
      ["an ArrayBuffer", new ArrayBuffer(8)],
      ["a Uint8Array", new Uint8Array(8)],
      ["the Region class", Region],
      ["Region.prototype", Region.prototype],
      ["an object inheriting from Region.prototype", Object.create(Region.prototype)],
      ["a look-alike", { capacity: 2 * MiB, sizeClass: 21, knownZero: true, disposed: false }],
    ];
    for (const [label, value] of values) {
      it(`is false for ${label}`, () => {
        expect(isRegion(value)).to.equal(false);
      });
    }

    it("is true for live, disposed and transferred regions", () => {
      const live = allocate(2 * MiB);
      const disposed = allocate(2 * MiB);
      disposed.dispose();
      const moved = allocate(2 * MiB);
      const token = moved.transfer();
      expect([isRegion(live), isRegion(disposed), isRegion(moved)]).to.deep.equal([
        true,
        true,
        true,
      ]);
      expect(isRegion(token)).to.equal(false);
      live.dispose();
      releaseToken(token);
    });
  });
});
