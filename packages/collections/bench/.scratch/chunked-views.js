"use strict";
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.CHUNK_ELEMENTS = exports.CHUNK_ELEMENTS_ENV = exports.MAX_VIEW_ELEMENTS = void 0;
exports.chunkViews = chunkViews;
exports.chunkIndex = chunkIndex;
exports.forEachSpan = forEachSpan;
const core_1 = require("@lgalloc/core");
/** The most elements one typed array holds on Node 20. */
exports.MAX_VIEW_ELEMENTS = 2 ** 32;
/** The environment variable that sets a smaller chunk size (for tests). */
exports.CHUNK_ELEMENTS_ENV = "LGALLOC_LARGEVEC_CHUNK_ELEMENTS";
function chunkElementsFromEnvironment() {
    const given = process.env[exports.CHUNK_ELEMENTS_ENV];
    if (given === undefined || given === "")
        return exports.MAX_VIEW_ELEMENTS;
    const value = Number(given);
    if (!(Number.isInteger(value) &&
        value >= 2 ** 10 &&
        value <= exports.MAX_VIEW_ELEMENTS &&
        Number.isInteger(Math.log2(value)))) {
        throw new core_1.InvalidArgValueError(exports.CHUNK_ELEMENTS_ENV, "must be a power of two from 1024 to 4294967296", given);
    }
    return value;
}
/** Elements per chunk (every chunk but the last has exactly this many). */
exports.CHUNK_ELEMENTS = chunkElementsFromEnvironment();
/** Views covering elements [0, capacity) of `buffer`, in chunks of `CHUNK_ELEMENTS`. */
function chunkViews(Ctor, buffer, capacity) {
    const chunks = [];
    const bytesPerElement = Ctor.BYTES_PER_ELEMENT;
    for (let start = 0; start < capacity || chunks.length === 0; start += exports.CHUNK_ELEMENTS) {
        const count = Math.min(exports.CHUNK_ELEMENTS, capacity - start);
        chunks.push(new Ctor(buffer, start * bytesPerElement, count));
    }
    return chunks;
}
/** The chunk holding element `index`. */
function chunkIndex(index) {
    return Math.floor(index / exports.CHUNK_ELEMENTS);
}
/**
 * Calls `visit(chunk, from, to, base)` for each chunk overlapping elements [start, end),
 * in order, with [from, to) the part inside that chunk (chunk-relative) and `base` the
 * chunk's first element index. Stops early when `visit` returns true.
 */
function forEachSpan(chunks, start, end, visit) {
    for (let c = chunkIndex(start); c < chunks.length; c++) {
        const base = c * exports.CHUNK_ELEMENTS;
        if (base >= end)
            return;
        const from = Math.max(start, base) - base;
        const to = Math.min(end, base + exports.CHUNK_ELEMENTS) - base;
        if (from < to && visit(chunks[c], from, to, base) === true)
            return;
    }
}
//# sourceMappingURL=chunked-views.js.map