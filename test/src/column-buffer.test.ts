// Tests of ColumnBuffer: every kind's accepted values and what get() gives back, every
// error path (class, code, a message naming the argument and the value, and the column
// unchanged afterwards), validity allocation and backfill, the Arrow layout of bitmaps and
// offsets, zero-copy views, pooled storage, dispose, brand and inspection.

import { inspect } from "node:util";

import { expect } from "chai";
import {
  InvalidArgTypeError,
  InvalidArgValueError,
  LgallocError,
  OutOfRangeError,
  flushThreadCache,
  stats,
  trim,
} from "@lgalloc/core";
import { ColumnBuffer, type ColumnBufferOptions, type ColumnKind } from "@lgalloc/collections";
import { MiB, expectArgError, expectError } from "./support";
import {
  arrowBit,
  expectBitmap,
  expectOffsetsLayout,
  expectSameValue,
  expectUnchanged,
  expectValidityLayout,
  show,
  snapshot,
  utf8,
} from "./support/column-buffer";

type ErrorKind = "type" | "range";

interface KindSpec {
  kind: ColumnKind;
  options?: ColumnBufferOptions;
  /** [input, what get() returns]. */
  valid: [unknown, unknown][];
  /** Values append() must refuse, and how. */
  invalid: [unknown, ErrorKind][];
}

const DAY = 86_400_000;
const JAN_2_2024 = Date.UTC(2024, 0, 2);

/** Values of the wrong type for every kind but the one noted. */
const NOT_NUMBERS: [unknown, ErrorKind][] = [
  ["1", "type"],
  [true, "type"],
  [undefined, "type"],
  [{}, "type"],
  [[1], "type"],
];

const SPECS: KindSpec[] = [
  {
    kind: "int8",
    valid: [
      [-128, -128],
      [127, 127],
      [0, 0],
      [-0, 0],
    ],
    invalid: [
      [128, "range"],
      [-129, "range"],
      [1.5, "range"],
      [NaN, "range"],
      [Infinity, "range"],
      [1n, "type"],
      ...NOT_NUMBERS,
    ],
  },
  {
    kind: "int16",
    valid: [
      [-32768, -32768],
      [32767, 32767],
    ],
    invalid: [[32768, "range"], [-32769, "range"], [0.1, "range"], [2n, "type"], ...NOT_NUMBERS],
  },
  {
    kind: "int32",
    valid: [
      [-(2 ** 31), -(2 ** 31)],
      [2 ** 31 - 1, 2 ** 31 - 1],
    ],
    invalid: [
      [2 ** 31, "range"],
      [-(2 ** 31) - 1, "range"],
      [NaN, "range"],
      [5n, "type"],
      ...NOT_NUMBERS,
    ],
  },
  {
    kind: "int64",
    valid: [
      [-(2n ** 63n), -(2n ** 63n)],
      [2n ** 63n - 1n, 2n ** 63n - 1n],
      [42, 42n],
      [-(2 ** 53 - 1), -(2n ** 53n - 1n)],
    ],
    invalid: [
      [2n ** 63n, "range"],
      [-(2n ** 63n) - 1n, "range"],
      [2 ** 53, "range"],
      [1.5, "range"],
      [NaN, "range"],
      [new Date(0), "type"],
      ...NOT_NUMBERS,
    ],
  },
  {
    kind: "uint8",
    valid: [
      [0, 0],
      [255, 255],
    ],
    invalid: [[256, "range"], [-1, "range"], [1n, "type"], ...NOT_NUMBERS],
  },
  {
    kind: "uint16",
    valid: [
      [0, 0],
      [65535, 65535],
    ],
    invalid: [[65536, "range"], [-1, "range"], [1n, "type"], ...NOT_NUMBERS],
  },
  {
    kind: "uint32",
    valid: [
      [0, 0],
      [2 ** 32 - 1, 2 ** 32 - 1],
    ],
    invalid: [[2 ** 32, "range"], [-1, "range"], [1n, "type"], ...NOT_NUMBERS],
  },
  {
    kind: "uint64",
    valid: [
      [0n, 0n],
      [2n ** 64n - 1n, 2n ** 64n - 1n],
      [2 ** 53 - 1, 2n ** 53n - 1n],
    ],
    invalid: [
      [-1n, "range"],
      [2n ** 64n, "range"],
      [-1, "range"],
      [2 ** 60, "range"],
      ...NOT_NUMBERS,
    ],
  },
  {
    kind: "float32",
    valid: [
      [1.5, 1.5],
      [0.1, Math.fround(0.1)],
      [-0, -0],
      [NaN, NaN],
      [Infinity, Infinity],
      [3.4e38, Math.fround(3.4e38)],
      [1e-50, 0],
    ],
    invalid: [[1e39, "range"], [-Number.MAX_VALUE, "range"], [1n, "type"], ...NOT_NUMBERS],
  },
  {
    kind: "float64",
    valid: [
      [Math.PI, Math.PI],
      [-0, -0],
      [NaN, NaN],
      [-Infinity, -Infinity],
      [Number.MAX_VALUE, Number.MAX_VALUE],
    ],
    invalid: [[1n, "type"], ...NOT_NUMBERS],
  },
  {
    kind: "date32",
    valid: [
      [new Date(JAN_2_2024), JAN_2_2024 / DAY],
      [new Date(JAN_2_2024 + DAY - 1), JAN_2_2024 / DAY],
      [new Date(-1), -1],
      [19000, 19000],
      [-(2 ** 31), -(2 ** 31)],
    ],
    invalid: [
      [new Date(NaN), "range"],
      [2 ** 31, "range"],
      [1.5, "range"],
      [1n, "type"],
      ["2024-01-02", "type"],
      ...NOT_NUMBERS,
    ],
  },
  {
    kind: "date64",
    valid: [
      [new Date(JAN_2_2024), BigInt(JAN_2_2024)],
      [123n, 123n],
      [-456, -456n],
    ],
    invalid: [
      [new Date(NaN), "range"],
      [2n ** 63n, "range"],
      [2 ** 53, "range"],
      [0.5, "range"],
      ...NOT_NUMBERS,
    ],
  },
  {
    kind: "timestamp",
    valid: [
      [new Date(1500), 1500n],
      [7n, 7n],
      [8, 8n],
    ],
    invalid: [[new Date(NaN), "range"], [2n ** 63n, "range"], ...NOT_NUMBERS],
  },
  {
    kind: "timestamp",
    options: { unit: "s" },
    valid: [
      [new Date(1500), 1n],
      [new Date(-1500), -2n],
      [9n, 9n],
    ],
    invalid: [
      [new Date(NaN), "range"],
      ["1", "type"],
    ],
  },
  {
    kind: "timestamp",
    options: { unit: "us" },
    valid: [
      [new Date(1500), 1_500_000n],
      [new Date(8.64e15), 8_640_000_000_000_000_000n],
    ],
    invalid: [
      [new Date(NaN), "range"],
      [1.5, "range"],
    ],
  },
  {
    kind: "timestamp",
    options: { unit: "ns" },
    valid: [
      [new Date(1500), 1_500_000_000n],
      [new Date(Date.UTC(2262, 0, 1)), BigInt(Date.UTC(2262, 0, 1)) * 1_000_000n],
    ],
    invalid: [
      [new Date(Date.UTC(2263, 0, 1)), "range"],
      [new Date(Date.UTC(1677, 0, 1)), "range"],
      [{}, "type"],
    ],
  },
  {
    kind: "bool",
    valid: [
      [true, true],
      [false, false],
    ],
    invalid: [
      [1, "type"],
      [0, "type"],
      ["true", "type"],
      [undefined, "type"],
      [{}, "type"],
    ],
  },
  {
    kind: "utf8",
    valid: [
      ["", ""],
      ["héllo wörld", "héllo wörld"],
      ["𝄞 emoji 😀", "𝄞 emoji 😀"],
      ["\uFEFFbom", "\uFEFFbom"],
      ["lone \uD800 surrogate", "lone \uFFFD surrogate"],
      ["\u0000nul", "\u0000nul"],
    ],
    invalid: [
      [1, "type"],
      [new Uint8Array(2), "type"],
      [undefined, "type"],
      [true, "type"],
      [Symbol("s"), "type"],
    ],
  },
  {
    kind: "largeUtf8",
    valid: [
      ["", ""],
      ["héllo", "héllo"],
      ["\uDC00", "\uFFFD"],
    ],
    invalid: [
      [1, "type"],
      [new Uint8Array(2), "type"],
    ],
  },
  {
    kind: "binary",
    valid: [
      [new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])],
      [new Uint8Array(0), new Uint8Array(0)],
      [Buffer.from("hi"), new Uint8Array([104, 105])],
      [new Uint16Array([0x0201]), new Uint8Array([1, 2])],
      [new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2), new Uint8Array([8, 7])],
      [new Uint8Array([5, 6]).buffer, new Uint8Array([5, 6])],
      [new Uint8Array([1, 2, 3, 4]).subarray(1, 3), new Uint8Array([2, 3])],
    ],
    invalid: [
      ["abc", "type"],
      [[1, 2], "type"],
      [5, "type"],
      [undefined, "type"],
      [{}, "type"],
    ],
  },
  {
    kind: "largeBinary",
    valid: [
      [new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])],
      [new Uint8Array(0), new Uint8Array(0)],
    ],
    invalid: [
      ["abc", "type"],
      [[1], "type"],
    ],
  },
];

function titleOf(spec: KindSpec): string {
  return spec.options?.unit === undefined ? spec.kind : `${spec.kind}[${spec.options.unit}]`;
}

function expectInvalid(fn: () => unknown, how: ErrorKind, name: string, value: unknown): void {
  if (how === "type") {
    expectArgError(fn, InvalidArgTypeError, "ERR_INVALID_ARG_TYPE", name, value);
  } else if (value instanceof Date) {
    // A range error shows the value itself, as Node does: "Received Invalid Date".
    expectError(fn, {
      type: OutOfRangeError,
      code: "ERR_OUT_OF_RANGE",
      message: [name, inspect(value)],
    });
  } else {
    expectArgError(fn, OutOfRangeError, "ERR_OUT_OF_RANGE", name, value);
  }
}

/** How a value shows in a test title. */
function label(value: unknown): string {
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (typeof value === "symbol") return value.toString();
  if (value === undefined) return "undefined";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.constructor.name;
  if (Array.isArray(value)) return "[array]";
  if (typeof value === "object" && value !== null) return "{}";
  return show(value);
}

describe("ColumnBuffer", () => {
  const open: ColumnBuffer[] = [];
  function column<K extends ColumnKind>(kind: K, options?: ColumnBufferOptions): ColumnBuffer<K> {
    const created = ColumnBuffer.create(kind, options);
    open.push(created);
    return created;
  }
  afterEach(() => {
    for (const created of open.splice(0)) created.dispose();
  });

  for (const spec of SPECS) {
    describe(`kind ${titleOf(spec)}`, () => {
      it("appends every accepted value and gets it back", () => {
        const col = column(spec.kind, spec.options);
        for (const [input] of spec.valid) col.append(input as never);
        expect(col.length).to.equal(spec.valid.length);
        expect(col.nullCount).to.equal(0);
        expect(col.validity()).to.equal(null);
        spec.valid.forEach(([input, expected], i) => {
          expectSameValue(col.get(i), expected, `get(${i}) of ${label(input)}`);
          expect(col.isValid(i)).to.equal(true);
        });
      });

      it("appendMany takes the same values at once, with nulls between", () => {
        const col = column(spec.kind, spec.options);
        const inputs = spec.valid.flatMap(([input]) => [input, null]);
        col.appendMany(inputs as never[]);
        expect(col.length).to.equal(inputs.length);
        expect(col.nullCount).to.equal(spec.valid.length);
        spec.valid.forEach(([, expected], i) => {
          expectSameValue(col.get(2 * i), expected, `get(${2 * i})`);
          expect(col.get(2 * i + 1)).to.equal(null);
          expect(col.isValid(2 * i + 1)).to.equal(false);
        });
        expectValidityLayout(
          col,
          inputs.map((input) => input === null),
        );
      });

      for (const [value, how] of spec.invalid) {
        it(`refuses ${label(value)} (${how === "type" ? "TypeError" : "RangeError"}) and stays unchanged`, () => {
          const col = column(spec.kind, spec.options);
          col.append(spec.valid[0]![0] as never);
          col.appendNull();
          const before = snapshot(col);
          expectInvalid(() => col.append(value as never), how, "value", value);
          expectUnchanged(col, before);
          // appendMany names the element, and keeps nothing of the valid ones before it.
          const batch = [spec.valid[0]![0], null, value, spec.valid[0]![0]];
          expectInvalid(() => col.appendMany(batch as never[]), how, "values[2]", value);
          expectUnchanged(col, before);
          // Still usable.
          col.append(spec.valid[0]![0] as never);
          expect(col.length).to.equal(before.length + 1);
        });
      }

      it("rolls back a first null (the validity bitmap) when a later element is invalid", () => {
        const col = column(spec.kind, spec.options);
        col.append(spec.valid[0]![0] as never);
        const before = snapshot(col);
        const [bad, how] = spec.invalid[0]!;
        expectInvalid(() => col.appendMany([null, null, bad] as never[]), how, "values[2]", bad);
        expectUnchanged(col, before);
        expect(col.validity()).to.equal(null);
        expect(col.nullCount).to.equal(0);
      });
    });
  }

  describe("ColumnBuffer.create()", () => {
    it("makes an empty column of each kind", () => {
      const kinds: ColumnKind[] = [
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float32",
        "float64",
        "date32",
        "date64",
        "timestamp",
        "bool",
        "utf8",
        "binary",
        "largeUtf8",
        "largeBinary",
      ];
      for (const kind of kinds) {
        const col = column(kind);
        expect(col.kind).to.equal(kind);
        expect(col.length).to.equal(0);
        expect(col.nullCount).to.equal(0);
        expect(col.validity()).to.equal(null);
        expect(col.values().length).to.equal(0);
        expect(col.unit).to.equal(kind === "timestamp" ? "ms" : null);
      }
    });

    it("takes a timestamp unit", () => {
      for (const unit of ["s", "ms", "us", "ns"] as const) {
        expect(column("timestamp", { unit }).unit).to.equal(unit);
      }
      expect(column("timestamp", {}).unit).to.equal("ms");
      expect(column("timestamp", { unit: undefined }).unit).to.equal("ms");
      expect(column("int32", { unit: undefined }).unit).to.equal(null);
    });

    it("is the same as new ColumnBuffer()", () => {
      const col = new ColumnBuffer("utf8");
      open.push(col);
      expect(col.append("x").get(0)).to.equal("x");
    });

    const cases: [string, () => unknown, ErrorKind | "value", string, unknown][] = [
      ["a number kind", () => ColumnBuffer.create(5 as never), "type", "kind", 5],
      ["a missing kind", () => ColumnBuffer.create(undefined as never), "type", "kind", undefined],
      ["an unknown kind", () => ColumnBuffer.create("int128" as never), "value", "kind", "int128"],
      [
        "a kind in the wrong case",
        () => ColumnBuffer.create("Utf8" as never),
        "value",
        "kind",
        "Utf8",
      ],
      [
        "options of the wrong type",
        () => ColumnBuffer.create("int8", "x" as never),
        "type",
        "options",
        "x",
      ],
      ["null options", () => ColumnBuffer.create("int8", null as never), "type", "options", null],
      [
        "an unknown option",
        () => ColumnBuffer.create("int8", { size: 1 } as never),
        "value",
        "options.size",
        1,
      ],
      [
        "a unit for another kind",
        () => ColumnBuffer.create("int64", { unit: "ms" }),
        "value",
        "options.unit",
        "ms",
      ],
      [
        "an unknown unit",
        () => ColumnBuffer.create("timestamp", { unit: "h" as never }),
        "value",
        "options.unit",
        "h",
      ],
      [
        "a unit of the wrong type",
        () => ColumnBuffer.create("timestamp", { unit: 1 as never }),
        "type",
        "options.unit",
        1,
      ],
    ];
    for (const [title, fn, how, name, value] of cases) {
      it(`refuses ${title}`, () => {
        if (how === "value") {
          expectArgError(fn, InvalidArgValueError, "ERR_INVALID_ARG_VALUE", name, value);
        } else {
          expectInvalid(fn, how, name, value);
        }
      });
    }
  });

  describe("validity", () => {
    it("is allocated only at the first null, backfilled with 1s", () => {
      const col = column("int32");
      col.appendMany([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      col.appendNull(0);
      expect(col.validity()).to.equal(null);
      expect(col.byteLength).to.equal(40);
      col.append(null);
      // Ten valid slots, then a null at index 10: 0xff, then bits 0..1 set and bit 2 clear.
      expect(Array.from(col.validity()!)).to.deep.equal([0xff, 0b011]);
      expect(col.byteLength).to.equal(44 + 2);
      col.append(12);
      expect(Array.from(col.validity()!)).to.deep.equal([0xff, 0b1011]);
      expectValidityLayout(col, [...Array(10).fill(false), true, false]);
    });

    it("follows Arrow's bit order across byte boundaries", () => {
      const col = column("utf8");
      const pattern: boolean[] = [];
      for (let i = 0; i < 75; i++) {
        const isNull = i % 3 === 0 || i % 7 === 0;
        pattern.push(isNull);
        if (isNull) col.appendNull();
        else col.append(`v${i}`);
      }
      expectValidityLayout(col, pattern);
      const validity = col.validity()!;
      for (let i = 0; i < pattern.length; i++) {
        // The rule spelled out: bit (i % 8) of byte (i >> 3), least significant first.
        expect((validity[Math.floor(i / 8)]! & (1 << (i % 8))) !== 0).to.equal(!pattern[i]);
        expect(col.isValid(i)).to.equal(!pattern[i]);
      }
    });

    it("appendNull(n) writes runs of zero bits and zero values", () => {
      const col = column("float64");
      col.append(1.5);
      col.appendNull(20);
      col.append(2.5);
      col.appendNull(3);
      expect(col.length).to.equal(25);
      expect(col.nullCount).to.equal(23);
      expectValidityLayout(col, [false, ...Array(20).fill(true), false, true, true, true]);
      expect(Array.from(col.values())).to.deep.equal([1.5, ...Array(20).fill(0), 2.5, 0, 0, 0]);
    });

    it("counts large runs of nulls", () => {
      const col = column("int8");
      col.append(1);
      col.appendNull(100_001);
      col.append(2);
      expect(col.length).to.equal(100_003);
      expect(col.nullCount).to.equal(100_001);
      const validity = col.validity()!;
      expect(validity.length).to.equal(Math.ceil(100_003 / 8));
      expect(arrowBit(validity, 0)).to.equal(true);
      expect(arrowBit(validity, 1)).to.equal(false);
      expect(arrowBit(validity, 100_001)).to.equal(false);
      expect(arrowBit(validity, 100_002)).to.equal(true);
      expect(col.get(100_002)).to.equal(2);
      expect(col.get(50_000)).to.equal(null);
    });
  });

  describe("bool", () => {
    it("bit-packs the values in LSB order, with 0 in null slots", () => {
      const col = column("bool");
      const values: (boolean | null)[] = [];
      for (let i = 0; i < 29; i++) values.push(i % 5 === 0 ? null : i % 2 === 0 || i % 3 === 0);
      col.appendMany(values);
      expectBitmap(
        col.values(),
        values.map((v) => v === true),
        "values",
      );
      expectValidityLayout(
        col,
        values.map((v) => v === null),
      );
      values.forEach((v, i) => expect(col.get(i)).to.equal(v));
      expect(col.byteLength).to.equal(4 + 4);
    });

    it("keeps the bits past the length clear after a rollback", () => {
      const col = column("bool");
      col.appendMany([true, false, true]);
      expect(() => col.appendMany([true, true, true, true, "x" as never])).to.throw(TypeError);
      expect(Array.from(col.values())).to.deep.equal([0b101]);
      col.append(false);
      expectBitmap(col.values(), [true, false, true, false], "values");
    });
  });

  describe("utf8 and binary", () => {
    it("writes offsets that rise by each value's bytes, a null repeating the previous one", () => {
      const texts = ["a", null, "héllo", "", null, "😀", "end"];
      for (const kind of ["utf8", "largeUtf8"] as const) {
        const col = column(kind);
        col.appendMany(texts);
        expectOffsetsLayout(
          col,
          texts.map((t) => (t === null ? null : utf8(t))),
        );
        const offsets = Array.from(col.offsets() as ArrayLike<number | bigint>, Number);
        expect(offsets).to.deep.equal([0, 1, 1, 7, 7, 7, 11, 14]);
        expect(col.offsets()).to.be.an.instanceof(kind === "utf8" ? Int32Array : BigInt64Array);
        expect(new TextDecoder().decode(col.data()!)).to.equal("ahéllo😀end");
        expect(col.values()).to.deep.equal(col.data());
        // offsets (8 x 4 or 8 bytes) + data (14 bytes) + validity (1 byte)
        expect(col.byteLength).to.equal(8 * (kind === "utf8" ? 4 : 8) + 14 + 1);
      }
    });

    it("stores binary bytes by copy and returns copies", () => {
      for (const kind of ["binary", "largeBinary"] as const) {
        const col = column(kind);
        const source = new Uint8Array([1, 2, 3]);
        col.append(source);
        source[0] = 99;
        const got = col.get(0)!;
        expect(Array.from(got)).to.deep.equal([1, 2, 3]);
        got[1] = 77;
        expect(Array.from(col.get(0)!)).to.deep.equal([1, 2, 3]);
        col.appendNull();
        col.append(new Uint8Array([4]));
        expectOffsetsLayout(col, [new Uint8Array([1, 2, 3]), null, new Uint8Array([4])]);
      }
    });

    it("encodes long and non-ASCII strings that need the data buffer to grow", () => {
      const col = column("utf8");
      const texts: string[] = [];
      for (let i = 0; i < 200; i++) {
        texts.push(`${"€".repeat(i * 37)}${"a".repeat(i)}${"😀".repeat(i % 11)}`);
      }
      col.appendMany(texts);
      texts.forEach((t, i) => expect(col.get(i)).to.equal(t));
      expectOffsetsLayout(col, texts.map(utf8));
    });

    it("appends its own data view (a view of the buffer it grows)", () => {
      const col = column("binary");
      col.append(new Uint8Array(1000).fill(7));
      col.append(col.data()!);
      col.append(col.data()!);
      expect(col.length).to.equal(3);
      expect(col.get(2)!.length).to.equal(2000);
      expect(col.get(2)!.every((b) => b === 7)).to.equal(true);
    });
  });

  describe("appendMany()", () => {
    it("takes any iterable: arrays, sets, generators, typed arrays", () => {
      const col = column("int16");
      col.appendMany(new Set([1, 2]));
      col.appendMany(
        (function* () {
          yield 3;
          yield null;
        })(),
      );
      col.appendMany(new Int16Array([5, 6]));
      col.appendMany(new Float64Array([7, 8]));
      col.appendMany([]);
      expect(Array.from({ length: col.length }, (_, i) => col.get(i))).to.deep.equal([
        1,
        2,
        3,
        null,
        5,
        6,
        7,
        8,
      ]);
    });

    it("copies a typed array of the column's own type in one go", () => {
      const col = column("float64");
      col.append(null);
      col.appendMany(new Float64Array([1, NaN, -0]));
      expect(col.length).to.equal(4);
      expectValidityLayout(col, [true, false, false, false]);
      expectSameValue(col.get(3), -0, "get(3)");
      col.appendMany(col.values());
      expect(col.length).to.equal(8);
      expectValidityLayout(col, [true, false, false, false, false, false, false, false]);
      const col64 = column("timestamp", { unit: "ns" });
      col64.appendMany(new BigInt64Array([1n, -2n]));
      expect(col64.get(1)).to.equal(-2n);
    });

    it("still checks a typed array of another type element by element", () => {
      const col = column("uint8");
      col.append(1);
      const before = snapshot(col);
      expectArgError(
        () => col.appendMany(new Int16Array([5, 300])),
        OutOfRangeError,
        "ERR_OUT_OF_RANGE",
        "values[1]",
        300,
      );
      expectUnchanged(col, before);
    });

    it("leaves the column unchanged when the iteration itself throws", () => {
      const col = column("utf8");
      col.appendMany(["a", null]);
      const before = snapshot(col);
      const failure = new Error("iteration failed");
      const source = (function* () {
        yield "b";
        yield null;
        yield "c".repeat(10_000);
        throw failure;
      })();
      expect(() => col.appendMany(source)).to.throw(failure);
      expectUnchanged(col, before);
    });

    const notIterables: unknown[] = [5, "abc", null, undefined, {}, true, 1n];
    for (const value of notIterables) {
      it(`refuses ${label(value)} (not an iterable object)`, () => {
        const col = column("utf8");
        col.append("x");
        const before = snapshot(col);
        expectArgError(
          () => col.appendMany(value as never),
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
          "values",
          value,
        );
        expectUnchanged(col, before);
      });
    }
  });

  describe("appendNull()", () => {
    const cases: [unknown, ErrorKind][] = [
      ["2", "type"],
      [2n, "type"],
      [null, "type"],
      [-1, "range"],
      [1.5, "range"],
      [NaN, "range"],
      [Infinity, "range"],
      [2 ** 53, "range"],
    ];
    for (const [value, how] of cases) {
      it(`refuses a count of ${label(value)}`, () => {
        const col = column("int32");
        col.append(1);
        const before = snapshot(col);
        expectInvalid(() => col.appendNull(value as never), how, "count", value);
        expectUnchanged(col, before);
        expect(col.validity()).to.equal(null);
      });
    }

    it("refuses a count the column cannot hold, naming count, and changes nothing", () => {
      const col = column("float64");
      col.append(1);
      const before = snapshot(col);
      expectInvalid(() => col.appendNull(2 ** 40), "range", "count", 2 ** 40);
      expectUnchanged(col, before);
      col.appendNull(2);
      expect(col.nullCount).to.equal(2);
    });

    it("appends one null by default and nothing for 0", () => {
      const col = column("binary");
      col.appendNull(0);
      expect(col.length).to.equal(0);
      expect(col.validity()).to.equal(null);
      col.appendNull();
      expect(col.length).to.equal(1);
      expect(col.get(0)).to.equal(null);
      expect(Array.from(col.offsets()!)).to.deep.equal([0, 0]);
    });
  });

  describe("get() and isValid()", () => {
    const cases: [unknown, ErrorKind][] = [
      ["0", "type"],
      [0n, "type"],
      [undefined, "type"],
      [-1, "range"],
      [3, "range"],
      [1.5, "range"],
      [NaN, "range"],
    ];
    for (const [value, how] of cases) {
      it(`refuses an index of ${label(value)}`, () => {
        const col = column("float32");
        col.appendMany([1, null, 3]);
        expectInvalid(() => col.get(value as never), how, "index", value);
        expectInvalid(() => col.isValid(value as never), how, "index", value);
      });
    }

    it("refuses every index of an empty column", () => {
      const col = column("bool");
      expectInvalid(() => col.get(0), "range", "index", 0);
    });
  });

  describe("zero-copy views", () => {
    it("values() is the column's memory: writes through it show in get()", () => {
      const col = column("int32");
      col.appendMany([1, 2, 3]);
      const values = col.values();
      expect(values).to.be.an.instanceof(Int32Array);
      expect(values.length).to.equal(3);
      values[1] = 42;
      expect(col.get(1)).to.equal(42);
      expect(col.values().buffer).to.equal(values.buffer);
    });

    it("moves to pooled memory past 2 MiB and gives the regions back on dispose", () => {
      const live = stats().liveRegions;
      const col = column("float64");
      const n = 300_000;
      col.appendMany(Float64Array.from({ length: n }, (_, i) => i * 0.5));
      col.appendNull(5);
      const values = col.values();
      expect(values.length).to.equal(n + 5);
      expect(values.buffer.byteLength).to.be.at.least(2 * MiB);
      expect(stats().liveRegions).to.be.above(live);
      expect(col.get(n - 1)).to.equal((n - 1) * 0.5);
      expect(col.byteLength).to.equal((n + 5) * 8 + Math.ceil((n + 5) / 8));
      col.dispose();
      expect(values.length, "a view after dispose").to.equal(0);
      expect(stats().liveRegions).to.equal(live);
    });

    it("puts utf8 data over 2 MiB in pooled memory", () => {
      const live = stats().liveRegions;
      const col = column("utf8");
      const text = "é".repeat(1000);
      for (let i = 0; i < 1500; i++) col.append(i % 100 === 0 ? null : `${i}:${text}`);
      expect(col.data()!.length).to.be.above(2 * MiB);
      expect(col.data()!.buffer.byteLength).to.be.at.least(2 * MiB);
      expect(stats().liveRegions).to.be.above(live);
      expect(col.get(1499)).to.equal(`1499:${text}`);
      expect(col.get(1400)).to.equal(null);
      col.dispose();
      expect(stats().liveRegions).to.equal(live);
    });
  });

  describe("dispose()", () => {
    it("makes every other method throw ERR_LGALLOC_DISPOSED", () => {
      const col = ColumnBuffer.create("utf8");
      col.append("x");
      col.dispose();
      col.dispose();
      expect(col.disposed).to.equal(true);
      const calls: [string, () => unknown][] = [
        ["kind", () => col.kind],
        ["unit", () => col.unit],
        ["length", () => col.length],
        ["nullCount", () => col.nullCount],
        ["byteLength", () => col.byteLength],
        ["append", () => col.append("y")],
        ["appendMany", () => col.appendMany(["y"])],
        ["appendNull", () => col.appendNull()],
        ["get", () => col.get(0)],
        ["isValid", () => col.isValid(0)],
        ["values", () => col.values()],
        ["validity", () => col.validity()],
        ["offsets", () => col.offsets()],
        ["data", () => col.data()],
      ];
      for (const [name, call] of calls) {
        const error = expectError(call, { type: LgallocError, code: "ERR_LGALLOC_DISPOSED" });
        expect(error.message, name).to.contain("disposed");
      }
      expect(String(col)).to.equal("ColumnBuffer<utf8>(disposed)");
    });

    it("works with using declarations", () => {
      let seen: ColumnBuffer | undefined;
      {
        using col = ColumnBuffer.create("int64");
        col.append(1n);
        seen = col;
      }
      expect(seen.disposed).to.equal(true);
    });

    it("disposing inside appendMany's iteration ends it with ERR_LGALLOC_DISPOSED", () => {
      const col = ColumnBuffer.create("int32");
      const source = (function* () {
        yield 1;
        col.dispose();
        yield 2;
      })();
      expectError(() => col.appendMany(source), {
        type: LgallocError,
        code: "ERR_LGALLOC_DISPOSED",
      });
      expect(col.disposed).to.equal(true);
    });
  });

  describe("brand and inspection", () => {
    it("isColumnBuffer() recognises columns by their Symbol.for brand", () => {
      const col = column("bool");
      expect(ColumnBuffer.isColumnBuffer(col)).to.equal(true);
      expect(ColumnBuffer.isColumnBuffer({ [Symbol.for("lgalloc.ColumnBuffer")]: true })).to.equal(
        true,
      );
      for (const other of [null, undefined, {}, [], "ColumnBuffer", 1, new Uint8Array(1)]) {
        expect(ColumnBuffer.isColumnBuffer(other)).to.equal(false);
      }
      // The brand is the column's own: neither the prototype nor an object inheriting
      // from a column is one (their methods would fail on the missing private fields).
      expect(ColumnBuffer.isColumnBuffer(ColumnBuffer.prototype)).to.equal(false);
      expect(ColumnBuffer.isColumnBuffer(Object.create(col))).to.equal(false);
      col.dispose();
      expect(ColumnBuffer.isColumnBuffer(col)).to.equal(true);
    });

    it("shows kind, length, nullCount and the first values only", () => {
      const col = column("utf8");
      col.appendMany(["a", null, "c"]);
      const shown = inspect(col);
      expect(shown).to.equal(String(col));
      expect(shown).to.equal(
        "ColumnBuffer<utf8>(length=3, nullCount=1, byteLength=19) ['a', null, 'c']",
      );
      const big = column("timestamp", { unit: "us" });
      big.appendNull(1_000_000);
      big.append(5n);
      const text = inspect(big);
      expect(text).to.match(/^ColumnBuffer<timestamp\[us\]>\(length=1000001, nullCount=1000000, /);
      expect(text.length).to.be.below(200);
      const long = column("utf8");
      long.append("z".repeat(100_000));
      expect(inspect(long)).to.match(/\['z+'\.\.\. \(100000 bytes\)\]$/);
      expect(inspect(long).length).to.be.below(200);
      const bytes = column("binary");
      bytes.appendMany([new Uint8Array([1, 2]), new Uint8Array(100_000).fill(0xab)]);
      expect(inspect(bytes)).to.contain("<100000 bytes: ab ab ab ab ab ab ab ab ...>");
      expect(inspect(bytes).length).to.be.below(200);
    });
  });

  describe("Int32 offsets limit", function () {
    this.timeout(60_000);
    // These tests leave GiB-sized regions in the pool: hand them back to the kernel.
    after(() => {
      flushThreadCache();
      trim();
    });

    it("refuses binary data past 2^31 - 1 bytes before copying any, pointing to largeBinary", () => {
      const col = column("binary");
      col.append(new Uint8Array([1, 2, 3]));
      col.append(null);
      const before = snapshot(col);
      // 3 + (2^31 - 3) bytes is one too many. (A fresh ArrayBuffer costs no memory until touched.)
      const huge = new Uint8Array(2 ** 31 - 3);
      const error = expectError(() => col.append(huge), {
        type: OutOfRangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ['"value"', "2147483647", '"largeBinary"'],
      });
      expect(error).to.be.an.instanceof(RangeError);
      expectUnchanged(col, before);
      expectError(() => col.appendMany([new Uint8Array(1), huge]), {
        type: OutOfRangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ['"values[1]"', '"largeBinary"'],
      });
      expectUnchanged(col, before);
      col.append(new Uint8Array([9]));
      expect(Array.from(col.get(2)!)).to.deep.equal([9]);
    });

    it("fills utf8 data up to exactly 2^31 - 1 bytes, judging by UTF-8 bytes, not string length", () => {
      const col = column("utf8");
      // The longest string V8 makes: 2^29 - 24 code units. Four of them leave 95 bytes.
      const longest = "a".repeat(2 ** 29 - 24);
      for (let i = 0; i < 4; i++) col.append(longest);
      expect(col.data()!.length).to.equal(2 ** 31 - 1 - 95);
      col.appendNull();
      const before = { length: col.length, bytes: col.data()!.length };
      // 48 code units (fine by length) but 96 bytes: refused once encoded, nothing kept.
      expectError(() => col.append("é".repeat(48)), {
        type: OutOfRangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ['"value"', "2147483647", '"largeUtf8"'],
      });
      expectError(() => col.appendMany(["", "é".repeat(48)]), {
        type: OutOfRangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ['"values[1]"', '"largeUtf8"'],
      });
      expect(col.length).to.equal(before.length);
      expect(col.data()!.length).to.equal(before.bytes);
      // 95 bytes fit exactly; then only empty strings and nulls.
      const last = `${"é".repeat(47)}a`;
      col.append(last);
      col.append("");
      col.appendNull();
      expectError(() => col.append("a"), { type: OutOfRangeError, code: "ERR_OUT_OF_RANGE" });
      const offsets = col.offsets()!;
      expect(offsets.length).to.equal(9);
      expect(offsets[8]).to.equal(2 ** 31 - 1);
      expect(offsets[6]).to.equal(2 ** 31 - 1);
      expect(col.get(5)).to.equal(last);
      expect(offsets[4]! - offsets[3]!).to.equal(2 ** 29 - 24);
      expect(col.nullCount).to.equal(2);
    });

    it("largeBinary goes past 2 GiB with BigInt64 offsets", () => {
      const col = column("largeBinary");
      const big = new Uint8Array(2 ** 31 + 5);
      big[2 ** 31 + 2] = 42;
      col.append(big);
      col.appendNull();
      col.append(new Uint8Array([7]));
      const offsets = col.offsets();
      expect(Array.from(offsets)).to.deep.equal([
        0n,
        2n ** 31n + 5n,
        2n ** 31n + 5n,
        2n ** 31n + 6n,
      ]);
      expect(Array.from(col.get(2)!)).to.deep.equal([7]);
      expect(col.data()![2 ** 31 + 2]).to.equal(42);
      expect(col.byteLength).to.equal(4 * 8 + 2 ** 31 + 6 + 1);
    });
  });
});
