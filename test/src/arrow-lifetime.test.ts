// Lifetimes of pooled tables and the apache-arrow objects viewing them: a table outlives
// its builder; conversions view the pooled buffers without copying; after dispose the
// Arrow objects read as empty and refuse writes (never freed memory); an async IPC write
// holds a lease, so disposing meanwhile throws ERR_LGALLOC_BUSY or, with disposeAsync,
// waits; garbage collection returns the regions of unreferenced tables (own process).

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stats } from "@lgalloc/core";
import { LgallocError } from "@lgalloc/core";
import { PooledTableBuilder, pooledTableFromArrays, writeIPC } from "@lgalloc/arrow";
import type * as Arrow from "apache-arrow";
import { lastJson, runFixture } from "./support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const arrow: typeof Arrow = require("apache-arrow");

const ROWS = 400_000; // 3.2 MB of Float64: pooled regions, not the heap

function bigTable() {
  const x = new Float64Array(ROWS).map((_, i) => i);
  const s = Array.from({ length: ROWS }, (_, i) => (i % 10 === 0 ? null : `v${i}`));
  return pooledTableFromArrays({ x, s }, { batchRows: ROWS });
}

describe("PooledTable lifetimes", () => {
  it("outlives its builder", () => {
    const builder = new PooledTableBuilder({ x: "int32" });
    builder.appendRow({ x: 7 });
    const table = builder.finish();
    builder.dispose();
    expect(table.toArrowTable().getChild("x")!.get(0)).to.equal(7);
    table.dispose();
  });

  it("gives apache-arrow objects that view the pooled buffers without a copy", () => {
    using table = bigTable();
    const before = stats().liveRegions;
    const a = table.toArrowVector("x");
    const b = table.toArrowTable().getChild("x")!;
    expect(a.data[0]!.values.buffer).to.equal(b.data[0]!.values.buffer);
    (a.data[0]!.values as Float64Array)[5] = 42;
    expect(b.get(5)).to.equal(42);
    expect(stats().liveRegions).to.equal(before);
  });

  it("empties its Arrow objects on dispose: length 0, reads nothing, writes throw", () => {
    const table = bigTable();
    const t = table.toArrowTable();
    const v = table.toArrowVector("s");
    const batch = table.batches[0]!.toArrowRecordBatch();
    expect(t.numRows).to.equal(ROWS);
    table.dispose();
    expect(table.disposed).to.equal(true);
    expect(t.numRows).to.equal(0);
    expect(t.batches.length).to.equal(0);
    expect(v.length).to.equal(0);
    expect(batch.numRows).to.equal(0);
    expect(batch.data.children[0]!.values.length).to.equal(0);
    expect(() => v.set(0, "x"))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    expect(() => t.set(0, {} as never))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    expect(() => table.toArrowTable())
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_DISPOSED");
    table.dispose();
  });

  it("refuses to dispose during an async IPC write (ERR_LGALLOC_BUSY); disposeAsync waits for it", async () => {
    const file = path.join(os.tmpdir(), `lgalloc-arrow-busy-${process.pid}.arrow`);
    try {
      const table = bigTable();
      const writing = writeIPC(table, file, { format: "file" });
      expect(table.busy).to.equal(true);
      expect(() => table.dispose())
        .to.throw(LgallocError)
        .with.property("code", "ERR_LGALLOC_BUSY");
      expect(table.disposed).to.equal(false);
      const disposing = table.disposeAsync();
      await writing;
      await disposing;
      expect(table.disposed).to.equal(true);
      const back = arrow.tableFromIPC(fs.readFileSync(file));
      expect(back.numRows).to.equal(ROWS);
      expect(back.getChild("x")!.get(ROWS - 1)).to.equal(ROWS - 1);
      expect(back.getChild("s")!.get(11)).to.equal("v11");
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("returns the regions of unreferenced tables to the pool through GC, not while an Arrow view is reachable", async function () {
    this.timeout(120_000);
    const result = await runFixture("arrow-gc");
    expect(result.status, result.stderr).to.equal(0);
    const figures = lastJson<{
      heldWhileReachable: boolean;
      valueWhileReachable: number;
      leaked: number;
    }>(result.stdout);
    expect(figures.heldWhileReachable).to.equal(true);
    expect(figures.valueWhileReachable).to.equal(123);
    expect(figures.leaked).to.equal(0);
  });
});
