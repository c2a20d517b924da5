// Synthetic market data, the same rows for every implementation: a deterministic PRNG
// walks a price per symbol, with timestamps 5 ms apart and sizes of 1 to 1000. Rows come
// in chunks of plain typed arrays that each implementation stores in its own way.
"use strict";

const SYMBOLS = [
  "AAPL",
  "MSFT",
  "NVDA",
  "AMZN",
  "GOOG",
  "META",
  "TSLA",
  "AVGO",
  "ORCL",
  "ADBE",
  "CRM",
  "AMD",
  "INTC",
  "CSCO",
  "QCOM",
  "TXN",
  "IBM",
  "NOW",
  "INTU",
  "AMAT",
  "MU",
  "LRCX",
  "KLAC",
  "SNPS",
  "CDNS",
  "PANW",
  "CRWD",
  "FTNT",
  "ZS",
  "DDOG",
  "NET",
  "SNOW",
  "MDB",
  "TEAM",
  "WDAY",
  "ADSK",
  "ANSS",
  "PTC",
  "TYL",
  "FICO",
  "JPM",
  "BAC",
  "WFC",
  "GS",
  "MS",
  "C",
  "SCHW",
  "BLK",
  "AXP",
  "V",
];
const START_MS = Date.UTC(2026, 11, 1, 14, 30);
const STEP_MS = 5;
const CHUNK_ROWS = 65_536;

/** A chunk of rows as plain arrays, refilled in place by `next`. */
function createGenerator(rows) {
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const prices = SYMBOLS.map((_, i) => 50 + i * 7);
  const chunk = {
    length: 0,
    ts: new Float64Array(CHUNK_ROWS),
    symbolIndex: new Int32Array(CHUNK_ROWS),
    symbol: new Array(CHUNK_ROWS),
    price: new Float64Array(CHUNK_ROWS),
    size: new Int32Array(CHUNK_ROWS),
  };
  let row = 0;
  return {
    chunk,
    /** Fills the chunk with the next rows; false when all `rows` were produced. */
    next() {
      const length = Math.min(CHUNK_ROWS, rows - row);
      for (let i = 0; i < length; i++) {
        const s = Math.floor(random() * SYMBOLS.length);
        prices[s] *= 1 + (random() - 0.5) * 0.002;
        chunk.ts[i] = START_MS + (row + i) * STEP_MS;
        chunk.symbolIndex[i] = s;
        chunk.symbol[i] = SYMBOLS[s];
        chunk.price[i] = Math.round(prices[s] * 100) / 100;
        chunk.size[i] = 1 + Math.floor(random() * 1000);
      }
      chunk.length = length;
      row += length;
      return length > 0;
    },
  };
}

module.exports = { SYMBOLS, START_MS, STEP_MS, CHUNK_ROWS, createGenerator };
