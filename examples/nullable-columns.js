// Nullable columns with ColumnBuffer (@lgalloc/collections): append values or null into a
// column with Apache Arrow's memory layout (values, validity bitmap, offsets), ready to be
// handed to Arrow without a copy.
"use strict";

const { ColumnBuffer } = require("@lgalloc/collections");

// A float64 column with a missing value.
const price = new ColumnBuffer("float64");
price.appendMany([101.5, null, 99.25]);
console.log(`${price}`);
console.log(`price.get(1) ${price.get(1)}, nullCount ${price.nullCount}`);

// Strings: UTF-8 bytes in one data buffer, with Int32 offsets into it.
const symbol = ColumnBuffer.create("utf8");
symbol.append("AAPL").append(null).append("MSFT");
console.log(`offsets [${symbol.offsets().join(", ")}], data bytes ${symbol.data().length}`);

// The validity bitmap exists once there is a null: bit i of it is 1 when slot i is valid.
console.log(`validity bits ${symbol.validity()[0].toString(2).padStart(3, "0")}`);

// Timestamps take Dates (or integers in the column's unit).
const time = new ColumnBuffer("timestamp", { unit: "ms" });
time.append(new Date("2026-01-02T09:30:00Z")).appendNull();
console.log(`time.get(0) ${time.get(0)} (ms since the epoch), time.get(1) ${time.get(1)}`);

// A bad value is refused and the column stays as it was.
try {
  price.append("12");
} catch (error) {
  console.log(`refused: ${error.code}; price.length still ${price.length}`);
}

for (const column of [price, symbol, time]) column.dispose();
