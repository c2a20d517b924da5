// Arrow IPC of pooled tables: what writeIPC writes (stream and file formats) reads back
// equal in apache-arrow, in flechette and in our own readers; our readers read what
// apache-arrow and flechette write; a file is read into one pooled region that the
// resulting table views without copying; malformed or truncated input is an
// InvalidIpcError naming the byte offset.

import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough, Readable } from "node:stream";
import {
  InvalidIpcError,
  PooledTableBuilder,
  pooledTableFromArrays,
  readIPCFile,
  readIPCFileSync,
  readIPCStream,
  writeIPC,
  type PooledRecordBatch,
  type PooledTable,
} from "@lgalloc/arrow";
import type * as Arrow from "apache-arrow";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const arrow: typeof Arrow = require("apache-arrow");
interface FlechetteTable {
  numRows: number;
  getChild(name: string): { at(i: number): unknown } | null;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const flechette: {
  tableFromIPC(bytes: Uint8Array, options?: object): FlechetteTable;
  tableToIPC(table: unknown, options?: object): Uint8Array;
  tableFromArrays(columns: object, options?: object): unknown;
  utf8(): object;
} = require("@uwdata/flechette");

const TYPES = {
  i: { type: "int32", value: fc.integer() },
  b: { type: "int64", value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  f: { type: "float64", value: fc.double({ noNaN: true }) },
  t: { type: "bool", value: fc.boolean() },
  s: { type: "utf8", value: fc.string({ maxLength: 10 }) },
  d: { type: "dictionary", value: fc.constantFrom("x", "y", "zz") },
  y: { type: "binary", value: fc.uint8Array({ maxLength: 6 }) },
} as const;
const NAMES = Object.keys(TYPES) as (keyof typeof TYPES)[];

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-arrow-ipc-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function tablesEqual(
  rows: unknown[][],
  read: (name: string, row: number) => unknown,
  names: readonly string[],
): void {
  rows.forEach((row, r) =>
    names.forEach((name, c) => {
      expect(plain(read(name, r)), `${name} row ${r}`).to.deep.equal(plain(row[c]));
    }),
  );
}

async function collect(batches: AsyncIterable<PooledRecordBatch>): Promise<PooledRecordBatch[]> {
  const all: PooledRecordBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

function rowsArb() {
  return fc.record({
    rows: fc.array(
      fc.tuple(
        ...NAMES.map((n) => fc.option(TYPES[n].value as fc.Arbitrary<unknown>, { freq: 4 })),
      ),
      {
        maxLength: 30,
      },
    ),
    batchRows: fc.integer({ min: 1, max: 12 }),
    format: fc.constantFrom("stream" as const, "file" as const),
  });
}

function build(rows: unknown[][], batchRows: number): PooledTable {
  const builder = new PooledTableBuilder(Object.fromEntries(NAMES.map((n) => [n, TYPES[n].type])), {
    batchRows,
  });
  builder.appendRows(rows);
  const table = builder.finish();
  builder.dispose();
  return table;
}

describe("writeIPC()", () => {
  it("writes streams and files that apache-arrow and flechette read back equal", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rowsArb(), async ({ rows, batchRows, format }) => {
        using table = build(rows, batchRows);
        const file = path.join(dir, `w${run++}.arrow`);
        await writeIPC(table, file, { format });
        const bytes = fs.readFileSync(file);
        const theirs = arrow.tableFromIPC(bytes);
        expect(theirs.numRows).to.equal(rows.length);
        tablesEqual(rows, (name, r) => theirs.getChild(name)!.get(r), NAMES);
        const fl = flechette.tableFromIPC(bytes, { useBigInt: true });
        expect(fl.numRows).to.equal(rows.length);
        tablesEqual(rows, (name, r) => fl.getChild(name)!.at(r), NAMES);
        if (format === "file") {
          using ours = await readIPCFile(file);
          const view = ours.toArrowTable();
          tablesEqual(rows, (name, r) => view.getChild(name)!.get(r), NAMES);
        } else {
          const batches = await collect(
            readIPCStream(fs.createReadStream(file, { highWaterMark: 64 })),
          );
          const view = new arrow.Table(batches.map((b) => b.toArrowRecordBatch()));
          tablesEqual(rows, (name, r) => view.getChild(name)!.get(r), NAMES);
          for (const batch of batches) batch.dispose();
        }
        fs.rmSync(file);
      }),
      { numRuns: 40 },
    );
  });

  it("writes to a Writable stream and to a file descriptor", async () => {
    using table = pooledTableFromArrays({ x: new Int32Array([1, 2, 3]), s: ["a", "b", null] });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    await writeIPC(table, sink);
    sink.end();
    expect(arrow.tableFromIPC(Buffer.concat(chunks)).getChild("s")!.toJSON()).to.deep.equal([
      "a",
      "b",
      null,
    ]);
    const file = path.join(dir, "fd.arrow");
    const fd = fs.openSync(file, "w");
    try {
      await writeIPC(table.batches, fd, { format: "file" });
    } finally {
      fs.closeSync(fd);
    }
    expect(arrow.tableFromIPC(fs.readFileSync(file)).getChild("x")!.toJSON()).to.deep.equal([
      1, 2, 3,
    ]);
  });

  it("refuses bad arguments naming them", async () => {
    using table = pooledTableFromArrays({ x: new Int32Array([1]) });
    let error: unknown;
    await writeIPC(table, path.join(dir, "bad.arrow"), { format: "csv" as never }).catch(
      (e) => (error = e),
    );
    expect(error).to.be.instanceOf(TypeError).with.property("code", "ERR_INVALID_ARG_VALUE");
    expect((error as Error).message).to.contain("options.format");
    error = undefined;
    await writeIPC({} as never, path.join(dir, "bad.arrow")).catch((e) => (error = e));
    expect(error).to.be.instanceOf(TypeError).with.property("code", "ERR_INVALID_ARG_TYPE");
  });
});

describe("readIPCFile() / readIPCFileSync() / readIPCStream()", () => {
  it("read what apache-arrow writes, file and stream, dictionaries included", async () => {
    const source = arrow.tableFromArrays({
      a: new Float64Array([1, 2, 3]),
      d: ["p", "q", "p"],
    });
    const file = path.join(dir, "aa.arrow");
    fs.writeFileSync(file, arrow.tableToIPC(source, "file"));
    using t1 = await readIPCFile(file);
    using t2 = readIPCFileSync(file);
    for (const t of [t1, t2]) {
      expect(t.toArrowTable().getChild("d")!.toJSON()).to.deep.equal(["p", "q", "p"]);
      expect(t.toArrowTable().getChild("a")!.toJSON()).to.deep.equal([1, 2, 3]);
    }
    const stream = Readable.from([Buffer.from(arrow.tableToIPC(source, "stream"))]);
    const batches = await collect(readIPCStream(stream));
    expect(batches.map((b) => b.numRows)).to.deep.equal([3]);
    expect(batches[0]!.toArrowTable().getChild("d")!.toJSON()).to.deep.equal(["p", "q", "p"]);
    batches[0]!.dispose();
  });

  it("read what flechette writes", async () => {
    const source = flechette.tableFromArrays(
      { a: new Int32Array([4, 5]), s: ["é", "😀"] },
      { types: { s: flechette.utf8() } },
    );
    const bytes = flechette.tableToIPC(source, { format: "file" });
    const file = path.join(dir, "fl.arrow");
    fs.writeFileSync(file, bytes);
    using t = await readIPCFile(file);
    expect(t.toArrowTable().getChild("s")!.toJSON()).to.deep.equal(["é", "😀"]);
    const streamBytes = flechette.tableToIPC(source, { format: "stream" });
    const batches = await collect(readIPCStream(Readable.from([Buffer.from(streamBytes)])));
    expect(batches[0]!.toArrowTable().getChild("a")!.toJSON()).to.deep.equal([4, 5]);
    batches[0]!.dispose();
  });

  it("reads a file into one pooled region that every buffer of the table views", async () => {
    const x = new Float64Array(300_000).map((_, i) => i);
    using source = pooledTableFromArrays({ x, y: new Int32Array(300_000) }, { batchRows: 100_000 });
    const file = path.join(dir, "region.arrow");
    await writeIPC(source, file, { format: "file" });
    using table = await readIPCFile(file);
    const buffers = new Set(
      table
        .toArrowTable()
        .batches.flatMap((batch) => batch.data.children.map((child) => child.values.buffer)),
    );
    expect(buffers.size).to.equal(1);
    const [buffer] = [...buffers];
    expect((buffer as ArrayBuffer).byteLength).to.be.at.least(fs.statSync(file).size);
    expect(table.toArrowVector("x").get(299_999)).to.equal(299_999);
  });

  it("keeps only the columns asked for, in that order; refuses an unknown one", async () => {
    using source = pooledTableFromArrays({ a: [1, 2], b: ["x", "y"], c: [true, false] });
    const file = path.join(dir, "cols.arrow");
    await writeIPC(source, file, { format: "file" });
    using t = await readIPCFile(file, { columns: ["c", "a"] });
    expect(t.schema.fields.map((f) => f.name)).to.deep.equal(["c", "a"]);
    expect(t.toArrowTable().getChild("c")!.toJSON()).to.deep.equal([true, false]);
    let error: unknown;
    await readIPCFile(file, { columns: ["nope"] }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(TypeError).with.property("code", "ERR_INVALID_ARG_VALUE");
    expect((error as Error).message).to.contain("nope");
  });

  it("reads only the chosen columns' buffers (and their dictionaries) into the region", async () => {
    const big = new Float64Array(400_000).map((_, i) => i);
    using source = pooledTableFromArrays(
      {
        big,
        small: new Int8Array(400_000).fill(3),
        d: Array.from({ length: 400_000 }, (_, i) => `k${i % 7}`),
      },
      { batchRows: 150_000, types: { d: "dictionary" } },
    );
    const file = path.join(dir, "projected.arrow");
    await writeIPC(source, file, { format: "file" });
    for (const read of [readIPCFile, readIPCFileSync]) {
      using t = await read(file, { columns: ["d", "small"] });
      const arrowTable = t.toArrowTable();
      const buffers = new Set(
        arrowTable.batches.flatMap((b) => b.data.children.map((c) => c.values.buffer)),
      );
      expect(buffers.size).to.equal(1);
      const [buffer] = [...buffers] as ArrayBuffer[];
      // The Float64 column alone is 3.2 MB of the file: none of it was read.
      expect(buffer!.byteLength).to.be.below(fs.statSync(file).size / 2);
      expect(arrowTable.getChild("d")!.get(399_999)).to.equal(`k${399_999 % 7}`);
      expect(arrowTable.getChild("small")!.get(12)).to.equal(3);
      expect(t.batches.map((b) => b.numRows)).to.deep.equal([150_000, 150_000, 100_000]);
    }
  });

  it("names the byte offset of a truncated or malformed file", async () => {
    using source = pooledTableFromArrays({ a: new Float64Array(1000) });
    const file = path.join(dir, "good.arrow");
    await writeIPC(source, file, { format: "file" });
    const bytes = fs.readFileSync(file);
    const truncated = path.join(dir, "truncated.arrow");
    fs.writeFileSync(truncated, bytes.subarray(0, 600));
    expect(() => readIPCFileSync(truncated))
      .to.throw(InvalidIpcError, "byte offset 594")
      .with.property("code", "ERR_LGALLOC_INVALID_IPC");
    // A body length past the end: cut the body out but keep the footer.
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0x7f, 12, 16); // the first message's metadata length
    const corruptFile = path.join(dir, "corrupt.arrow");
    fs.writeFileSync(corruptFile, corrupt);
    let error: unknown;
    await readIPCFile(corruptFile).catch((e) => (error = e));
    expect(error).to.be.instanceOf(InvalidIpcError).with.property("byteOffset", 8);
    const notArrow = path.join(dir, "not.arrow");
    fs.writeFileSync(notArrow, "hello, this is not an arrow file");
    expect(() => readIPCFileSync(notArrow)).to.throw(InvalidIpcError, "byte offset 0");
  });

  it("names the byte offset where a stream ends inside a message", async () => {
    using source = pooledTableFromArrays({ a: new Float64Array(1000) });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    await writeIPC(source, sink);
    const bytes = Buffer.concat(chunks).subarray(0, 500);
    let error: unknown;
    await collect(readIPCStream(Readable.from([bytes]))).catch((e) => (error = e));
    expect(error).to.be.instanceOf(InvalidIpcError).with.property("byteOffset", 500);
  });
});
