// Large Arrow IPC round trips, slow (tens of seconds, gigabytes of memory and disk): they
// run with LGALLOC_SLOW_TESTS=1 on both backends, and under CI=true on the native backend
// only (the IPC paths are the same on both; running them twice would add minutes to CI),
// and are skipped otherwise. Files go to the
// system temp directory and are deleted afterwards.
// - a file over 4 GiB in several batches (offsets past 2^32, reads in 1 GiB pieces);
// - one batch over 2 GiB (a body no single fs read or Readable.read can carry), read back
//   both as a file and as a stream;
// - Utf8 data past 2^31 - 8 bytes, and a Float64 column past 2^31 - 8 bytes (the most the
//   IPC encoder takes in one buffer): the builder starts a new batch instead of failing.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  PooledTableBuilder,
  readIPCFile,
  readIPCStream,
  writeIPC,
  type PooledRecordBatch,
} from "@lgalloc/arrow";

const SLOW =
  process.env.LGALLOC_SLOW_TESTS === "1" ||
  (process.env.CI === "true" && process.env.LGALLOC_BACKEND !== "fallback");
const GiB = 2 ** 30;

(SLOW ? describe : describe.skip)("Arrow IPC at large sizes (slow)", function () {
  this.timeout(20 * 60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-arrow-large-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * A table of `batches` batches of `rows` rows of Float64 columns x (and y, if `two`),
   * value = global row index.
   */
  function floats(rows: number, batches: number, two = false) {
    const spec = { type: "float64", nullable: false } as const;
    const builder = new PooledTableBuilder(two ? { x: spec, y: spec } : { x: spec }, {
      batchRows: rows,
    });
    const piece = new Float64Array(2 ** 22);
    for (let done = 0; done < rows * batches; done += piece.length) {
      for (let i = 0; i < piece.length; i++) piece[i] = done + i;
      const values = piece.subarray(0, Math.min(piece.length, rows * batches - done));
      builder.appendColumns(two ? { x: values, y: values } : { x: values });
    }
    const table = builder.finish();
    builder.dispose();
    return table;
  }

  function checkSamples(read: (row: number) => unknown, rows: number): void {
    for (const row of [0, 1, 2 ** 27 - 1, 2 ** 27, 2 ** 28 + 5, rows - 1]) {
      if (row < rows) expect(read(row), `row ${row}`).to.equal(row);
    }
  }

  it("round-trips a file over 4 GiB in several batches", async () => {
    const rows = 2 ** 27; // 1 GiB of Float64 per batch
    const file = path.join(dir, "over-4gib.arrow");
    {
      using table = floats(rows, 5);
      await writeIPC(table, file, { format: "file" });
    }
    expect(fs.statSync(file).size).to.be.above(4 * GiB);
    using back = await readIPCFile(file);
    expect(back.numRows).to.equal(5 * rows);
    expect(back.batches.length).to.equal(5);
    const vector = back.toArrowVector("x");
    checkSamples((row) => vector.get(row), 5 * rows);
    expect(vector.get(5 * rows - 1)).to.equal(5 * rows - 1);
    fs.rmSync(file);
  });

  it("round-trips one batch over 2 GiB, as a file and as a stream", async () => {
    // Two columns of 1.125 GiB: 2.25 GiB in one batch. (One buffer must stay below 2 GiB:
    // apache-arrow's IPC encoder rounds buffer lengths with 32-bit arithmetic.)
    const rows = 2 ** 27 + 2 ** 24;
    const file = path.join(dir, "one-batch.arrow");
    const streamFile = path.join(dir, "one-batch.arrows");
    {
      using table = floats(rows, 1, true);
      expect(table.batches.length).to.equal(1);
      await writeIPC(table, file, { format: "file" });
      await writeIPC(table, streamFile, { format: "stream" });
    }
    {
      using back = await readIPCFile(file);
      expect(back.batches[0]!.byteLength).to.be.above(2 * GiB);
      const vector = back.toArrowVector("x");
      checkSamples((row) => vector.get(row), rows);
    }
    fs.rmSync(file);
    const batches: PooledRecordBatch[] = [];
    for await (const batch of readIPCStream(fs.createReadStream(streamFile))) batches.push(batch);
    expect(batches.map((b) => b.numRows)).to.deep.equal([rows]);
    const vector = batches[0]!.toArrowVector("y");
    checkSamples((row) => vector.get(row), rows);
    batches[0]!.dispose();
    fs.rmSync(streamFile);
  });

  it("starts a new batch before a Float64 column's buffer passes 2^31 - 8 bytes, so writeIPC takes it", async () => {
    // 2^28 Float64 values are 2 GiB: one value more than the IPC encoder's largest buffer.
    const rows = 2 ** 28;
    const file = path.join(dir, "fixed-width-cut.arrow");
    {
      using table = floats(rows, 1); // batchRows: 2^28, lowered by the builder
      expect(table.batches.map((batch) => batch.numRows)).to.deep.equal([rows - 1, 1]);
      expect(table.batches[0]!.byteLength).to.be.at.most(2 ** 31 - 8);
      await writeIPC(table, file, { format: "file" });
    }
    using back = await readIPCFile(file);
    expect(back.numRows).to.equal(rows);
    const vector = back.toArrowVector("x");
    checkSamples((row) => vector.get(row), rows);
    expect(vector.get(rows - 1)).to.equal(rows - 1);
    fs.rmSync(file);
  });

  it("starts a new batch before Utf8 data passes 2^31 - 8 bytes", () => {
    const text = "x".repeat(1023) + "é"; // 1025 bytes
    const rows = Math.ceil((2 ** 31 + 2 ** 20) / 1025);
    const builder = new PooledTableBuilder({ s: "utf8" }, { batchRows: 2 ** 31 - 1 });
    for (let i = 0; i < rows; i++) builder.appendRow([text]);
    using table = builder.finish();
    builder.dispose();
    expect(table.batches.length).to.equal(2);
    const first = table.batches[0]!.toArrowRecordBatch().data.children[0]!;
    expect(first.values.byteLength).to.be.at.most(2 ** 31 - 8);
    expect(first.values.byteLength).to.be.above(2 ** 31 - 8 - 1025);
    expect(table.numRows).to.equal(rows);
    expect(table.toArrowVector("s").get(rows - 1)).to.equal(text);
  });
});
