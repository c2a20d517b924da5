// Typed-array views over storage longer than one typed array can be. On Node 20 a typed
// array holds at most 2^32 elements, but a region can hold up to 64 GiB (2^36 Uint8
// elements), so a vector's storage is covered by consecutive chunks of 2^32 elements each
// (the last one shorter). Element `i` lives in chunk `floor(i / 2^32)` at `i mod 2^32`.
// Almost every vector has a single chunk; these helpers are for the rare others.
//
// Testing knob: the environment variable LGALLOC_LARGEVEC_CHUNK_ELEMENTS (a power of two
// from 2^10 to 2^32, read once when the package loads) makes chunks smaller, so that the
// multi-chunk paths can be tested without 4 GiB vectors. Views and copies keep the 2^32
// limit of a typed array whatever the chunk size.

import { InvalidArgValueError, type TypedArray, type TypedArrayConstructor } from "@lgalloc/core";

/** The most elements one typed array holds on Node 20. */
export const MAX_VIEW_ELEMENTS = 2 ** 32;

/** The environment variable that sets a smaller chunk size (for tests). */
export const CHUNK_ELEMENTS_ENV = "LGALLOC_LARGEVEC_CHUNK_ELEMENTS";

function chunkElementsFromEnvironment(): number {
  const given = process.env[CHUNK_ELEMENTS_ENV];
  if (given === undefined || given === "") return MAX_VIEW_ELEMENTS;
  const value = Number(given);
  if (!(
    Number.isInteger(value) &&
    value >= 2 ** 10 &&
    value <= MAX_VIEW_ELEMENTS &&
    Number.isInteger(Math.log2(value))
  )) {
    throw new InvalidArgValueError(
      CHUNK_ELEMENTS_ENV,
      "must be a power of two from 1024 to 4294967296",
      given,
    );
  }
  return value;
}

/** Elements per chunk (every chunk but the last has exactly this many). */
export const CHUNK_ELEMENTS = chunkElementsFromEnvironment();

/** Views covering elements [0, capacity) of `buffer`, in chunks of `CHUNK_ELEMENTS`. */
export function chunkViews<T extends TypedArray>(
  Ctor: TypedArrayConstructor<T>,
  buffer: ArrayBuffer,
  capacity: number,
): T[] {
  const chunks: T[] = [];
  const bytesPerElement = Ctor.BYTES_PER_ELEMENT;
  for (let start = 0; start < capacity || chunks.length === 0; start += CHUNK_ELEMENTS) {
    const count = Math.min(CHUNK_ELEMENTS, capacity - start);
    chunks.push(new Ctor(buffer, start * bytesPerElement, count));
  }
  return chunks;
}

/** The chunk holding element `index`. */
export function chunkIndex(index: number): number {
  return Math.floor(index / CHUNK_ELEMENTS);
}

/**
 * Calls `visit(chunk, from, to, base)` for each chunk overlapping elements [start, end),
 * in order, with [from, to) the part inside that chunk (chunk-relative) and `base` the
 * chunk's first element index. Stops early when `visit` returns true.
 */
export function forEachSpan<T>(
  chunks: readonly T[],
  start: number,
  end: number,
  visit: (chunk: T, from: number, to: number, base: number) => boolean | void,
): void {
  for (let c = chunkIndex(start); c < chunks.length; c++) {
    const base = c * CHUNK_ELEMENTS;
    if (base >= end) return;
    const from = Math.max(start, base) - base;
    const to = Math.min(end, base + CHUNK_ELEMENTS) - base;
    if (from < to && visit(chunks[c]!, from, to, base) === true) return;
  }
}
