// PooledTableBuilder and pooledTableFromArrays against apache-arrow itself: random
// schemas and rows (nulls included) built by ours and by apache-arrow's own builders must
// decode to the same values; batches are cut where the options say; finished buffers are
// exact (bitmaps padded to 64 bytes); bad input names the column and row and loses nothing.
//
// apache-arrow is loaded with CommonJS `require` only (TOOLCHAIN.md).

import { expect } from "chai";
import fc from "fast-check";
import { LgallocError, stats } from "@lgalloc/core";
import { PooledTableBuilder, pooledTableFromArrays, type ArrowTypeName } from "@lgalloc/arrow";
import type * as Arrow from "apache-arrow";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const arrow: typeof Arrow = require("apache-arrow");

interface TypeCase {
  type: ArrowTypeName;
  arrowType: () => Arrow.DataType;
  value: fc.Arbitrary<unknown>;
  /** What apache-arrow's builder takes for the value (DateDay: milliseconds, not days). */
  arrowInput?: (value: unknown) => unknown;
}

const TYPES: TypeCase[] = [
  { type: "int8", arrowType: () => new arrow.Int8(), value: fc.integer({ min: -128, max: 127 }) },
  { type: "int32", arrowType: () => new arrow.Int32(), value: fc.integer() },
  {
    type: "int64",
    arrowType: () => new arrow.Int64(),
    value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  },
  {
    type: "uint16",
    arrowType: () => new arrow.Uint16(),
    value: fc.integer({ min: 0, max: 65535 }),
  },
  { type: "float64", arrowType: () => new arrow.Float64(), value: fc.double() },
  { type: "bool", arrowType: () => new arrow.Bool(), value: fc.boolean() },
  { type: "utf8", arrowType: () => new arrow.Utf8(), value: fc.string({ maxLength: 12 }) },
  {
    type: "largeUtf8",
    arrowType: () => new arrow.LargeUtf8(),
    value: fc.string({ maxLength: 12 }),
  },
  {
    type: "binary",
    arrowType: () => new arrow.Binary(),
    value: fc.uint8Array({ maxLength: 8 }),
  },
  {
    type: "dateDay",
    arrowType: () => new arrow.DateDay(),
    value: fc.integer({ min: -1e6, max: 1e6 }),
    arrowInput: (days) => (days as number) * 86_400_000,
  },
  { type: "float32", arrowType: () => new arrow.Float32(), value: fc.float() },
  {
    type: "uint64",
    arrowType: () => new arrow.Uint64(),
    value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  },
  {
    type: "largeBinary",
    arrowType: () => new arrow.LargeBinary(),
    value: fc.uint8Array({ maxLength: 8 }),
  },
  {
    type: "dateMillisecond",
    arrowType: () => new arrow.DateMillisecond(),
    value: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  },
  {
    type: "timestamp",
    arrowType: () => new arrow.TimestampMillisecond(),
    value: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  },
  {
    type: "dictionary",
    arrowType: () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    value: fc.constantFrom("a", "b", "c", "dé", ""),
  },
];

/** A value as read back from an Arrow vector, comparable with deep equality. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return value;
}

describe("PooledTableBuilder", () => {
  it("builds tables that decode like apache-arrow's own builders (random schemas, rows, nulls)", () => {
    const schemaArb = fc.uniqueArray(fc.constantFrom(...TYPES), {
      minLength: 1,
      maxLength: 6,
      selector: (c) => c.type,
    });
    fc.assert(
      fc.property(
        schemaArb.chain((cases) =>
          fc.record({
            cases: fc.constant(cases),
            rows: fc.array(fc.tuple(...cases.map((c) => fc.option(c.value, { freq: 4 }))), {
              maxLength: 40,
            }),
            batchRows: fc.integer({ min: 1, max: 16 }),
            byRows: fc.boolean(),
          }),
        ),
        ({ cases, rows, batchRows, byRows }) => {
          const spec = Object.fromEntries(cases.map((c, i) => [`c${i}`, c.type]));
          const builder = new PooledTableBuilder(spec, { batchRows });
          if (byRows) {
            builder.appendRows(rows);
          } else {
            const columns = Object.fromEntries(
              cases.map((_, i) => [`c${i}`, rows.map((r) => r[i])]),
            );
            builder.appendColumns(columns);
          }
          using table = builder.finish();
          builder.dispose();
          expect(table.numRows).to.equal(rows.length);
          const ours = table.toArrowTable();
          cases.forEach((c, i) => {
            const theirs = arrow.vectorFromArray(
              rows.map((r) =>
                r[i] === null || c.arrowInput === undefined ? r[i] : c.arrowInput(r[i]),
              ),
              c.arrowType(),
            );
            const vector = ours.getChild(`c${i}`)!;
            expect(vector.length).to.equal(theirs.length);
            for (let r = 0; r < rows.length; r++) {
              expect(plain(vector.get(r)), `c${i} (${c.type}) row ${r}`).to.deep.equal(
                plain(theirs.get(r)),
              );
            }
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it("cuts batches every batchRows rows and hands them to onBatch while appending", () => {
    const seen: number[] = [];
    const builder = new PooledTableBuilder(
      { x: "int32" },
      {
        batchRows: 4,
        onBatch: (batch) => {
          seen.push(batch.numRows);
          batch.dispose();
        },
      },
    );
    for (let i = 0; i < 10; i++) builder.appendRow({ x: i });
    expect(seen).to.deep.equal([4, 4]);
    using table = builder.finish();
    expect(seen).to.deep.equal([4, 4, 2]);
    expect(table.numRows).to.equal(0);
  });

  it("cuts a batch once its buffers hold batchBytes", () => {
    const builder = new PooledTableBuilder({ x: "float64" }, { batchBytes: 80 });
    for (let i = 0; i < 25; i++) builder.appendRow([i]);
    using table = builder.finish();
    expect(table.batches.map((b) => b.numRows)).to.deep.equal([10, 10, 5]);
  });

  it("trims finished buffers to their exact length and pads bitmaps to 64 bytes", () => {
    const builder = new PooledTableBuilder({ x: "float64", s: "utf8" });
    for (let i = 0; i < 1000; i++) builder.appendRow({ x: i, s: i % 7 === 0 ? null : "abc" });
    using table = builder.finish();
    const [x, s] = table.toArrowTable().batches[0]!.data.children;
    expect(x!.values.length).to.equal(1000);
    expect((x!.values.buffer as ArrayBuffer).byteLength).to.equal(8000);
    expect(s!.values.byteLength).to.equal(3 * (1000 - 143));
    expect(s!.nullBitmap!.byteLength % 64).to.equal(0);
    expect(s!.nullBitmap!.byteLength).to.equal(128);
  });

  it("names the column and row of a bad value, rolls the row back and keeps earlier rows", () => {
    const builder = new PooledTableBuilder({ a: "int32", b: { type: "utf8", nullable: false } });
    builder.appendRow({ a: 1, b: "x" });
    expect(() => builder.appendRow({ a: 2, b: 5 }))
      .to.throw(TypeError, 'Column "b", row 1')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    expect(() => builder.appendRow({ a: 3 }))
      .to.throw(TypeError, 'Column "b", row 1: The "b" argument must be a value of type utf8')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    expect(() => builder.appendRow({ a: 1, b: "y", c: 1 }))
      .to.throw(TypeError, 'Column "c"')
      .with.property("code", "ERR_INVALID_ARG_VALUE");
    expect(() => builder.appendRow({ a: 2 ** 40, b: "y" }))
      .to.throw(RangeError, 'Column "a", row 1')
      .with.property("code", "ERR_OUT_OF_RANGE");
    expect(() => builder.appendColumns({ a: [4, 5], b: ["p", null] }))
      .to.throw(TypeError, 'Column "b", row 2')
      .with.property("code", "ERR_INVALID_ARG_TYPE");
    expect(() => builder.appendColumns({ a: [4], b: ["p"], zz: [1] })).to.throw(TypeError, "zz");
    builder.appendRow([2, "z"]);
    using table = builder.finish();
    const arrowTable = table.toArrowTable();
    expect(arrowTable.getChild("a")!.toArray()).to.deep.equal(new Int32Array([1, 2]));
    expect(arrowTable.getChild("b")!.toJSON()).to.deep.equal(["x", "z"]);
  });

  it("refuses a batch cut from inside a row (a getter calling flush) and stays consistent", () => {
    const builder = new PooledTableBuilder({ a: "int32", b: "int32" });
    builder.appendRow({ a: 1, b: 1 });
    const hostile = {
      a: 2,
      get b() {
        builder.flush();
        return 2;
      },
    };
    expect(() => builder.appendRow(hostile))
      .to.throw(LgallocError, "re-entrant")
      .with.property("code", "ERR_LGALLOC_BUSY");
    expect(builder.pendingRows).to.equal(1);
    builder.appendRow([3, 3]);
    using table = builder.finish();
    const t = table.toArrowTable();
    expect(t.getChild("a")!.toJSON()).to.deep.equal([1, 3]);
    expect(t.getChild("b")!.toJSON()).to.deep.equal([1, 3]);
  });

  it("ends a row whose getter disposed the builder with ERR_LGALLOC_DISPOSED", () => {
    const builder = new PooledTableBuilder({ a: "int32", b: "int32" });
    const hostile = {
      a: 2,
      get b() {
        builder.dispose();
        return 2;
      },
    };
    expect(() => builder.appendRow(hostile))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    expect(builder.disposed).to.equal(true);
  });

  it("refuses bad options naming them", () => {
    expect(() => new PooledTableBuilder({ a: "int32" }, { batchRows: 0 }))
      .to.throw(RangeError, "options.batchRows")
      .with.property("code", "ERR_OUT_OF_RANGE");
    expect(() => new PooledTableBuilder({ a: "nope" as ArrowTypeName }))
      .to.throw(TypeError, "schema.a")
      .with.property("code", "ERR_INVALID_ARG_VALUE");
    expect(() => new PooledTableBuilder({ a: "int32" }, { bogus: 1 } as never))
      .to.throw(TypeError, "options.bogus")
      .with.property("code", "ERR_INVALID_ARG_VALUE");
  });

  it("accepts an apache-arrow Schema with timestamps in every unit and a time zone", () => {
    const schema = new arrow.Schema([
      new arrow.Field("s", new arrow.Timestamp(arrow.TimeUnit.SECOND, "UTC"), true),
      new arrow.Field("ns", new arrow.TimestampNanosecond(), false),
      new arrow.Field("d", new arrow.DateMillisecond(), true),
    ]);
    const builder = new PooledTableBuilder(schema);
    builder.appendRow({ s: new Date(5000), ns: 7n, d: new Date(86_400_000) });
    using table = builder.finish();
    const t = table.toArrowTable();
    expect(String(t.schema.fields[0]!.type)).to.equal(String(schema.fields[0]!.type));
    expect(t.schema.fields[1]!.nullable).to.equal(false);
    expect(t.getChild("s")!.get(0)).to.equal(5000);
    expect(t.getChild("ns")!.data[0]!.values[0]).to.equal(7n);
  });
});

describe("pooledTableFromArrays", () => {
  it("infers types (strings as Utf8, not a dictionary) and matches apache-arrow", () => {
    using table = pooledTableFromArrays({
      f: new Float64Array([1.5, 2.5, 3.5]),
      i: new Int32Array([1, 2, 3]),
      s: ["a", null, "ccc"],
      b: [true, false, null],
    });
    const t = table.toArrowTable();
    expect(String(t.schema.fields.map((f) => f.type))).to.equal("Float64,Int32,Utf8,Bool");
    expect(t.getChild("s")!.toJSON()).to.deep.equal(["a", null, "ccc"]);
    expect(t.getChild("f")!.toArray()).to.deep.equal(new Float64Array([1.5, 2.5, 3.5]));
    expect(t.schema.fields[0]!.nullable).to.equal(false);
  });

  it("sizes each batch's string data from the input: no buffer is outgrown and dropped", () => {
    // 1M strings of 10 ASCII characters in batches of 500K rows: 4.5 MB of data per batch,
    // reserved at once (growing by doubling made and dropped a region per batch, issue 10).
    const s = Array.from({ length: 1_000_000 }, (_, i) =>
      i % 10 === 3 ? null : `s${String(i).padStart(9, "0")}`,
    );
    const f = new Float64Array(s.length).map((_, i) => i);
    const before = stats();
    using table = pooledTableFromArrays({ f, s }, { batchRows: 500_000 });
    const after = stats();
    expect(after.disposedRegions - before.disposedRegions).to.equal(0);
    expect(table.batches.length).to.equal(2);
    const t = table.toArrowTable();
    expect(t.getChild("s")!.get(999_999)).to.equal("s000999999");
    expect(t.getChild("s")!.get(3)).to.equal(null);
    expect(t.getChild("s")!.toArray()).to.deep.equal(s);
  });

  it("builds non-ASCII strings past the reserved lower bound, batch after batch", () => {
    const s = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? null : `€${i}é😀`));
    using table = pooledTableFromArrays({ s }, { batchRows: 1234 });
    expect(table.batches.length).to.equal(5);
    expect(table.toArrowTable().getChild("s")!.toArray()).to.deep.equal(s);
  });

  it("makes a dictionary when asked", () => {
    using table = pooledTableFromArrays({ s: ["a", "b", "a"] }, { types: { s: "dictionary" } });
    const vector = table.toArrowVector("s");
    expect(arrow.DataType.isDictionary(vector.type)).to.equal(true);
    expect(vector.toJSON()).to.deep.equal(["a", "b", "a"]);
  });
});
