// The demo's four stages, each done twice on the same rows: with lgalloc (pooled Arrow
// columns, pooled scratch vectors, pooled IPC reads) and with the usual tools (apache-arrow's
// own builders and IPC functions, plain typed arrays). Every stage returns its time and a
// checksum, so that main.js can show both sides computed the same thing.
"use strict";

const fs = require("node:fs");
const arrow = require("apache-arrow");
const { LargeVec } = require("@lgalloc/collections");
const { PooledTableBuilder, readIPCFile, writeIPC } = require("@lgalloc/arrow");
const { SYMBOLS, START_MS, STEP_MS, createGenerator } = require("./market-data");

const SCHEMA = {
  ts: { type: "timestamp", unit: "ms", nullable: false },
  symbol: { type: "dictionary", nullable: false },
  price: { type: "float64", nullable: false },
  size: { type: "int32", nullable: false },
};
const MINUTE_MS = 60_000;

function timed(work) {
  const started = process.hrtime.bigint();
  const value = work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function timedAsync(work) {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/** The rows into a pooled Arrow table, one chunk of columns at a time. */
function generatePooled(rows, bar) {
  const builder = new PooledTableBuilder(SCHEMA, { batchRows: 1 << 20 });
  const generator = createGenerator(rows);
  const { chunk } = generator;
  let done = 0;
  while (generator.next()) {
    const n = chunk.length;
    builder.appendColumns({
      ts: chunk.ts.subarray(0, n),
      symbol: n === chunk.symbol.length ? chunk.symbol : chunk.symbol.slice(0, n),
      price: chunk.price.subarray(0, n),
      size: chunk.size.subarray(0, n),
    });
    bar.update((done += n));
  }
  const table = builder.finish();
  builder.dispose();
  return table;
}

/** The same rows with apache-arrow's builders, row by row as they take them. */
function generateArrow(rows, bar) {
  const builders = {
    ts: arrow.makeBuilder({ type: new arrow.TimestampMillisecond() }),
    symbol: arrow.makeBuilder({ type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()) }),
    price: arrow.makeBuilder({ type: new arrow.Float64() }),
    size: arrow.makeBuilder({ type: new arrow.Int32() }),
  };
  const generator = createGenerator(rows);
  const { chunk } = generator;
  let done = 0;
  while (generator.next()) {
    for (let i = 0; i < chunk.length; i++) {
      builders.ts.append(chunk.ts[i]);
      builders.symbol.append(chunk.symbol[i]);
      builders.price.append(chunk.price[i]);
      builders.size.append(chunk.size[i]);
    }
    bar.update((done += chunk.length));
  }
  return new arrow.Table(
    Object.fromEntries(Object.entries(builders).map(([name, b]) => [name, b.finish().toVector()])),
  );
}

/** The rows as plain typed arrays (untimed: the input of the baseline aggregation). */
function plainColumns(rows) {
  const columns = {
    ts: new Float64Array(rows),
    symbolIndex: new Int32Array(rows),
    price: new Float64Array(rows),
    size: new Int32Array(rows),
  };
  const generator = createGenerator(rows);
  const { chunk } = generator;
  let at = 0;
  while (generator.next()) {
    const n = chunk.length;
    columns.ts.set(chunk.ts.subarray(0, n), at);
    columns.symbolIndex.set(chunk.symbolIndex.subarray(0, n), at);
    columns.price.set(chunk.price.subarray(0, n), at);
    columns.size.set(chunk.size.subarray(0, n), at);
    at += n;
  }
  return columns;
}

function minutesOf(rows) {
  return Math.floor(((rows - 1) * STEP_MS) / MINUTE_MS) + 1;
}

/** Sum over every (symbol, minute) bucket of its VWAP: the two sides must agree. */
function vwapChecksum(notional, volume) {
  let sum = 0;
  for (let i = 0; i < volume.length; i++) if (volume[i] > 0) sum += notional[i] / volume[i];
  return Math.round(sum * 100) / 100;
}

/** VWAP per symbol per minute over the pooled table's columns, in pooled scratch vectors. */
function aggregatePooled(table, rows) {
  const buckets = SYMBOLS.length * minutesOf(rows);
  const notional = new LargeVec(Float64Array, buckets);
  const volume = new LargeVec(Float64Array, buckets);
  try {
    return vwapOfBatches(table, notional.view(), volume.view());
  } finally {
    notional.dispose();
    volume.dispose();
  }
}

function vwapOfBatches(table, n, v) {
  for (const batch of table.batches) {
    // Timestamps are int64: read each as two 32-bit halves rather than as a BigInt (which
    // would allocate one per row); milliseconds since 1970 fit in a double exactly.
    const ts64 = batch.toArrowVector("ts").data[0].values;
    const ts = new Uint32Array(ts64.buffer, ts64.byteOffset, ts64.length * 2);
    const keys = batch.toArrowVector("symbol").data[0].values;
    const price = batch.toArrowVector("price").data[0].values;
    const size = batch.toArrowVector("size").data[0].values;
    for (let i = 0; i < batch.numRows; i++) {
      const millis = ts[2 * i] + ts[2 * i + 1] * 4294967296;
      const minute = Math.floor((millis - START_MS) / MINUTE_MS);
      const bucket = minute * SYMBOLS.length + keys[i];
      n[bucket] += price[i] * size[i];
      v[bucket] += size[i];
    }
  }
  return vwapChecksum(n, v);
}

/** The same aggregation over plain typed arrays, with fresh scratch arrays. */
function aggregatePlain(columns, rows) {
  const buckets = SYMBOLS.length * minutesOf(rows);
  const n = new Float64Array(buckets);
  const v = new Float64Array(buckets);
  const { ts, symbolIndex, price, size } = columns;
  for (let i = 0; i < rows; i++) {
    const minute = Math.floor((ts[i] - START_MS) / MINUTE_MS);
    const bucket = minute * SYMBOLS.length + symbolIndex[i];
    n[bucket] += price[i] * size[i];
    v[bucket] += size[i];
  }
  return vwapChecksum(n, v);
}

function priceSum(vectors) {
  let sum = 0;
  for (const vector of vectors)
    for (const data of vector.data) {
      for (let i = 0; i < data.length; i++) sum += data.values[i];
    }
  return Math.round(sum * 100) / 100;
}

/** Writes the table as an Arrow IPC file and reads it back into one pooled region. */
async function ipcPooled(table, file) {
  await writeIPC(table, file, { format: "file" });
  const back = await readIPCFile(file);
  try {
    return { rows: back.numRows, priceSum: priceSum([back.toArrowVector("price")]) };
  } finally {
    back.dispose();
  }
}

/** The same with apache-arrow: the whole file in one buffer, read back into fresh memory. */
function ipcArrow(table, file) {
  fs.writeFileSync(file, arrow.tableToIPC(table, "file"));
  const back = arrow.tableFromIPC(fs.readFileSync(file));
  return { rows: back.numRows, priceSum: priceSum([back.getChild("price")]) };
}

/** Many large scratch vectors (64 MiB each): allocate, write every element, drop. */
function churnPooled(count, elements) {
  let check = 0;
  for (let i = 0; i < count; i++) {
    const scratch = LargeVec.allocUnsafe(Float64Array, elements);
    scratch.fill(i);
    check += scratch.get(elements - 1);
    scratch.dispose();
  }
  return check;
}

function churnPlain(count, elements) {
  let check = 0;
  for (let i = 0; i < count; i++) {
    const scratch = new Float64Array(elements);
    scratch.fill(i);
    check += scratch[elements - 1];
  }
  return check;
}

module.exports = {
  timed,
  timedAsync,
  generatePooled,
  generateArrow,
  plainColumns,
  aggregatePooled,
  aggregatePlain,
  ipcPooled,
  ipcArrow,
  churnPooled,
  churnPlain,
};
