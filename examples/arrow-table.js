// A pooled Arrow table: built row by row into pooled regions, viewed by apache-arrow
// without a copy, written to an IPC file and read back into one pooled region.
// Run: node examples/arrow-table.js
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { PooledTableBuilder, readIPCFile, writeIPC } = require("@lgalloc/arrow");

async function main() {
  const builder = new PooledTableBuilder(
    { id: { type: "int32", nullable: false }, price: "float64", city: "dictionary" },
    { batchRows: 100_000 },
  );
  const cities = ["Lisbon", "Oslo", "Quito", null];
  for (let i = 0; i < 250_000; i++) {
    builder.appendRow({ id: i, price: i * 0.25, city: cities[i % cities.length] });
  }
  const table = builder.finish();
  builder.dispose();
  const arrowTable = table.toArrowTable(); // views the pooled buffers
  console.log(`${table}`);
  console.log("row 5:", JSON.stringify(arrowTable.get(5)?.toJSON()));

  const file = path.join(os.tmpdir(), `lgalloc-example-${process.pid}.arrow`);
  try {
    await writeIPC(table, file, { format: "file" });
    table.dispose(); // the Arrow table now reads as empty
    console.log("after dispose, the Arrow view has", arrowTable.numRows, "rows");
    const back = await readIPCFile(file);
    const prices = back.toArrowVector("price");
    console.log(
      `read back ${back.numRows} rows in ${back.batches.length} batches; price[249999] =`,
      prices.get(249_999),
    );
    if (prices.get(249_999) !== 249_999 * 0.25) throw new Error("wrong value read back");
    back.dispose();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
