// Cross-check of ColumnBuffer's memory layout with apache-arrow itself: Arrow vectors are
// built over the column's zero-copy buffers (makeData with values / validity / offsets /
// data) and must read back every value and null the column holds, for every kind; and for
// the same input, Arrow's own builders must produce the same bytes in the used part of
// each buffer. Together that proves the layout is Arrow's, not merely self-consistent.
//
// apache-arrow is loaded with CommonJS `require` only, never mixed with its ESM build (a
// CommonJS-built vector inside an ESM table produced corrupt IPC bytes), typed by the small
// interface below rather than its whole .d.ts tree.

import { expect } from "chai";
import fc from "fast-check";
import { ColumnBuffer, type ColumnBufferOptions, type ColumnKind } from "@lgalloc/collections";
import { MiB } from "./support";
import { expectSameValue } from "./support/column-buffer";

interface ArrowData {
  readonly values: ArrayBufferView;
  readonly valueOffsets?: ArrayBufferView;
  readonly nullBitmap?: Uint8Array;
}
interface ArrowVector {
  readonly length: number;
  readonly nullCount: number;
  readonly data: readonly ArrowData[];
  get(index: number): unknown;
}
type ArrowType = object;
type ArrowTypeConstructor = new () => ArrowType;
interface ArrowApi {
  makeData(props: Record<string, unknown>): object;
  makeVector(data: object): ArrowVector;
  vectorFromArray(values: readonly unknown[], type: ArrowType): ArrowVector;
  readonly [type: string]: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const arrow: ArrowApi = require("apache-arrow");

function arrowType(name: string): ArrowType {
  return new (arrow[name] as ArrowTypeConstructor)();
}

interface Case {
  kind: ColumnKind;
  options?: ColumnBufferOptions;
  /** The Arrow type's class name in apache-arrow. */
  arrowType: string;
  input: fc.Arbitrary<unknown>;
  /** What Arrow's Vector#get returns for a valid slot the column returns `value` for. */
  arrowValue: (value: unknown) => unknown;
}

const same = (value: unknown): unknown => value;

/** arrow-js's divideBigInts: whole part plus the remainder as a fraction. */
function divide(value: bigint, divisor: bigint): number {
  return Number(value / divisor) + Number(value % divisor) / Number(divisor);
}

const SAFE_BIGINT = fc.bigInt({
  min: BigInt(Number.MIN_SAFE_INTEGER),
  max: BigInt(Number.MAX_SAFE_INTEGER),
});
const INT64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** Arrow's get of a us / ns timestamp needs the whole milliseconds to be a safe integer. */
function safeMilliseconds(perMillisecond: bigint): fc.Arbitrary<bigint> {
  const safe = BigInt(Number.MAX_SAFE_INTEGER) * perMillisecond;
  const limit = safe < 2n ** 63n - 1n ? safe : 2n ** 63n - 1n;
  return fc.bigInt({ min: -limit, max: limit });
}
const text = fc.string({
  unit: fc.oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.constantFrom("\uFEFF", "\uD800", "é", "😀"),
  ),
  maxLength: 16,
});

const CASES: Case[] = [
  { kind: "int8", arrowType: "Int8", input: fc.integer({ min: -128, max: 127 }), arrowValue: same },
  {
    kind: "int16",
    arrowType: "Int16",
    input: fc.integer({ min: -32768, max: 32767 }),
    arrowValue: same,
  },
  { kind: "int32", arrowType: "Int32", input: fc.integer(), arrowValue: same },
  { kind: "int64", arrowType: "Int64", input: INT64, arrowValue: same },
  { kind: "uint8", arrowType: "Uint8", input: fc.integer({ min: 0, max: 255 }), arrowValue: same },
  {
    kind: "uint16",
    arrowType: "Uint16",
    input: fc.integer({ min: 0, max: 65535 }),
    arrowValue: same,
  },
  {
    kind: "uint32",
    arrowType: "Uint32",
    input: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    arrowValue: same,
  },
  {
    kind: "uint64",
    arrowType: "Uint64",
    input: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    arrowValue: same,
  },
  { kind: "float32", arrowType: "Float32", input: fc.float(), arrowValue: same },
  { kind: "float64", arrowType: "Float64", input: fc.double(), arrowValue: same },
  {
    kind: "date32",
    arrowType: "DateDay",
    input: fc.oneof(fc.integer({ min: -1e8, max: 1e8 }), fc.date({ noInvalidDate: true })),
    arrowValue: (days) => 86_400_000 * (days as number),
  },
  {
    // Arrow's get converts to a number and throws beyond 2^53: stay within.
    kind: "date64",
    arrowType: "DateMillisecond",
    input: fc.oneof(SAFE_BIGINT, fc.date({ noInvalidDate: true })),
    arrowValue: (ms) => Number(ms),
  },
  {
    kind: "timestamp",
    options: { unit: "s" },
    arrowType: "TimestampSecond",
    input: fc.oneof(
      fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      fc.date({ noInvalidDate: true }),
    ),
    arrowValue: (s) => 1000 * Number(s),
  },
  {
    kind: "timestamp",
    options: { unit: "ms" },
    arrowType: "TimestampMillisecond",
    input: fc.oneof(SAFE_BIGINT, fc.date({ noInvalidDate: true })),
    arrowValue: (ms) => Number(ms),
  },
  {
    kind: "timestamp",
    options: { unit: "us" },
    arrowType: "TimestampMicrosecond",
    input: fc.oneof(safeMilliseconds(1000n), fc.date({ noInvalidDate: true })),
    arrowValue: (us) => divide(us as bigint, 1000n),
  },
  {
    kind: "timestamp",
    options: { unit: "ns" },
    arrowType: "TimestampNanosecond",
    input: fc.oneof(
      safeMilliseconds(1_000_000n),
      fc.date({
        min: new Date(Date.UTC(1700, 0, 1)),
        max: new Date(Date.UTC(2200, 0, 1)),
        noInvalidDate: true,
      }),
    ),
    arrowValue: (ns) => divide(ns as bigint, 1_000_000n),
  },
  { kind: "bool", arrowType: "Bool", input: fc.boolean(), arrowValue: same },
  // arrow-js decodes with a default TextDecoder, which drops a leading BOM; the column keeps it.
  {
    kind: "utf8",
    arrowType: "Utf8",
    input: text,
    arrowValue: (s) => (s as string).replace(/^\uFEFF/, ""),
  },
  {
    kind: "largeUtf8",
    arrowType: "LargeUtf8",
    input: text,
    arrowValue: (s) => (s as string).replace(/^\uFEFF/, ""),
  },
  {
    kind: "binary",
    arrowType: "Binary",
    input: fc.uint8Array({ maxLength: 16 }),
    arrowValue: same,
  },
  {
    kind: "largeBinary",
    arrowType: "LargeBinary",
    input: fc.uint8Array({ maxLength: 16 }),
    arrowValue: same,
  },
];

/** An Arrow vector over the column's buffers, without copying them. */
function arrowVectorOf(column: ColumnBuffer, type: ArrowType): ArrowVector {
  const offsets = column.offsets();
  const props: Record<string, unknown> = {
    type,
    length: column.length,
    nullCount: column.nullCount,
    nullBitmap: column.validity() ?? undefined,
  };
  if (offsets === null) {
    props.data = column.values();
  } else {
    props.valueOffsets = offsets;
    props.data = column.data();
  }
  return arrow.makeVector(arrow.makeData(props));
}

function expectArrowReads(column: ColumnBuffer, vector: ArrowVector, test: Case): void {
  expect(vector.length, "Arrow length").to.equal(column.length);
  expect(vector.nullCount, "Arrow nullCount").to.equal(column.nullCount);
  for (let i = 0; i < column.length; i++) {
    const value = column.get(i);
    const expected = value === null ? null : test.arrowValue(value);
    expectSameValue(vector.get(i), expected, `Arrow get(${i})`);
  }
}

function titleOf(test: Case): string {
  return test.options?.unit === undefined ? test.kind : `${test.kind}[${test.options.unit}]`;
}

describe("ColumnBuffer as Arrow sees it (apache-arrow)", () => {
  for (const test of CASES) {
    it(`${titleOf(test)}: an Arrow ${test.arrowType} vector over the buffers reads every value`, () => {
      const inputs = fc.array(fc.option(test.input, { freq: 3, nil: null }), { maxLength: 70 });
      fc.assert(
        fc.property(inputs, (values) => {
          using column = ColumnBuffer.create(test.kind, test.options);
          column.appendMany(values as never[]);
          const vector = arrowVectorOf(column, arrowType(test.arrowType));
          expectArrowReads(column, vector, test);
          // Zero-copy: Arrow reads the column's own memory.
          const data = vector.data[0]!;
          const ours = column.offsets() === null ? column.values() : column.data()!;
          expect(data.values.buffer).to.equal(ours.buffer);
          expect(data.values.byteOffset).to.equal(ours.byteOffset);
        }),
        { numRuns: 30 },
      );
    });
  }

  describe("same bytes as Arrow's builders", () => {
    /** The used part of a buffer as bytes. */
    function usedBytes(view: ArrayBufferView | undefined, byteLength: number): number[] {
      if (view === undefined) return [];
      return Array.from(new Uint8Array(view.buffer, view.byteOffset, byteLength));
    }

    const builderCases: [ColumnKind, string, unknown[]][] = [
      ["int32", "Int32", [1, null, -3, 2 ** 31 - 1, null, null, 7, 8, 9, null, 11]],
      ["float64", "Float64", [0.5, null, NaN, -0, Infinity, null, 1e300]],
      ["bool", "Bool", [true, false, null, true, true, null, false, true, true, false, null]],
      ["utf8", "Utf8", ["a", null, "héllo", "", "😀", null, "end of the column"]],
      ["largeUtf8", "LargeUtf8", ["a", null, "héllo", "", "😀", null, "z"]],
      ["binary", "Binary", [new Uint8Array([1, 2]), null, new Uint8Array(0), new Uint8Array([3])]],
    ];
    for (const [kind, typeName, values] of builderCases) {
      it(`${kind}: validity, values, offsets and data match vectorFromArray's`, () => {
        using column = ColumnBuffer.create(kind);
        column.appendMany(values as never[]);
        const built = arrow.vectorFromArray(values, arrowType(typeName)).data[0]!;
        const n = values.length;
        const validity = column.validity()!;
        expect(Array.from(validity), "validity").to.deep.equal(
          usedBytes(built.nullBitmap, validity.length),
        );
        const offsets = column.offsets();
        if (offsets === null) {
          const ours = column.values();
          expect(usedBytes(ours, ours.byteLength), "values").to.deep.equal(
            usedBytes(built.values, ours.byteLength),
          );
          if (kind === "bool") expect(ours.byteLength).to.equal(Math.ceil(n / 8));
        } else {
          expect(usedBytes(offsets, offsets.byteLength), "offsets").to.deep.equal(
            usedBytes(built.valueOffsets, offsets.byteLength),
          );
          const data = column.data()!;
          expect(usedBytes(data, data.byteLength), "data").to.deep.equal(
            usedBytes(built.values, data.byteLength),
          );
        }
      });
    }
  });

  describe("pooled buffers (past 2 MiB)", () => {
    it("float64: Arrow reads a 300 000-slot column with nulls from pooled memory", () => {
      using column = ColumnBuffer.create("float64");
      const n = 300_000;
      column.appendMany(Float64Array.from({ length: n }, (_, i) => i / 3));
      for (let i = 0; i < 1000; i++) column.append(i % 2 === 0 ? null : -i);
      expect(column.values().buffer.byteLength).to.be.at.least(2 * MiB);
      const vector = arrowVectorOf(column, arrowType("Float64"));
      expectArrowReads(
        column,
        vector,
        CASES.find((c) => c.kind === "float64")!,
      );
    });

    it("utf8: Arrow reads 3 MiB of strings from pooled memory", () => {
      using column = ColumnBuffer.create("utf8");
      for (let i = 0; column.byteLength < 3 * MiB; i++) {
        column.append(i % 17 === 0 ? null : `row ${i}: ${"ü".repeat(i % 50)}`);
      }
      expect(column.data()!.buffer.byteLength).to.be.at.least(2 * MiB);
      const vector = arrowVectorOf(column, arrowType("Utf8"));
      expectArrowReads(
        column,
        vector,
        CASES.find((c) => c.kind === "utf8")!,
      );
    });
  });
});
