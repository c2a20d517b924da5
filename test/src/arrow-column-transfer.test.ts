// ColumnBuffer#transfer / ColumnBuffer.adopt, the collections support @lgalloc/arrow's
// worker use needs: a column moves to a worker and back with its values, nulls and
// offsets (pooled buffers without a copy), stays appendable there, and a spent, forged or
// inconsistent token is ERR_LGALLOC_INVALID_TOKEN with nothing kept.

import { expect } from "chai";
import { Worker } from "node:worker_threads";
import { LgallocError, stats } from "@lgalloc/core";
import { ColumnBuffer, type ColumnBufferToken, type ColumnKind } from "@lgalloc/collections";
import { fixturePath } from "./support/fixtures";

interface Reply {
  values: unknown[];
  length: number;
  nullCount: number;
  token: ColumnBufferToken;
}

function roundTrip(column: ColumnBuffer, append: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fixturePath("arrow-column-worker"));
    worker.once("message", resolve);
    worker.once("error", reject);
    const token = column.transfer();
    worker.postMessage({ token, append }, [...token.transferList]);
  });
}

describe("ColumnBuffer#transfer() / ColumnBuffer.adopt()", () => {
  const cases: { kind: ColumnKind; values: unknown[]; append: unknown; rows: number }[] = [
    { kind: "float64", values: [1.5, null, 3], append: 9, rows: 400_000 },
    { kind: "utf8", values: ["a", null, "ccc"], append: "z", rows: 300_000 },
    { kind: "bool", values: [true, null, false], append: true, rows: 100 },
    {
      kind: "largeBinary",
      values: [new Uint8Array([1]), null, new Uint8Array([2, 3])],
      append: new Uint8Array([4]),
      rows: 10,
    },
  ];
  for (const { kind, values, append, rows } of cases) {
    it(`moves a ${kind} column of ${rows} rows to a worker and back, nulls and all`, async () => {
      const column = new ColumnBuffer(kind);
      for (let i = 0; i < rows; i++) column.append(values[i % 3] as never);
      const reply = await roundTrip(column, append);
      expect(column.disposed).to.equal(true);
      expect(reply.length).to.equal(rows + 1);
      expect(reply.nullCount).to.equal(Math.floor((rows + 1) / 3));
      const back = ColumnBuffer.adopt(reply.token);
      expect(back.length).to.equal(rows + 1);
      expect(back.get(0)).to.deep.equal(values[0]);
      expect(back.get(1)).to.equal(null);
      expect(back.get(rows)).to.deep.equal(append);
      expect(back.get(rows - 1)).to.deep.equal(values[(rows - 1) % 3]);
      back.dispose();
    });
  }

  it("refuses a spent token, and one whose null count or offsets do not fit, keeping nothing", () => {
    const column = new ColumnBuffer("utf8");
    column.appendMany(["a", null, "bb"]);
    const token = column.transfer();
    const live = stats().liveRegions;
    const forged = { ...token, nullCount: 0 };
    expect(() => ColumnBuffer.adopt(forged as ColumnBufferToken))
      .to.throw(LgallocError, "nullCount does not match")
      .with.property("code", "ERR_LGALLOC_INVALID_TOKEN");
    // The forged copy carried the same vector tokens: they are spent now, like the original.
    expect(() => ColumnBuffer.adopt(token))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_INVALID_TOKEN");
    expect(stats().liveRegions).to.equal(live);
    expect(() => ColumnBuffer.adopt({ kind: "lgalloc.ColumnBufferToken" } as never))
      .to.throw(LgallocError)
      .with.property("code", "ERR_LGALLOC_INVALID_TOKEN");
    const other = new ColumnBuffer("utf8");
    other.appendMany(["x", "y"]);
    const good = other.transfer();
    expect(() => ColumnBuffer.adopt({ ...good, length: 5 } as ColumnBufferToken))
      .to.throw(LgallocError, "offsets")
      .with.property("code", "ERR_LGALLOC_INVALID_TOKEN");
  });
});
