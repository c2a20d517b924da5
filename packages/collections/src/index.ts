// Public entry point of @lgalloc/collections. It only re-exports; each collection lives in
// its own module (see docs/collections-api.md for the contract).

/**
 * Typed-array collections on pooled regions of `@lgalloc/core`: `LargeVec`, a growable
 * typed vector, and `ColumnBuffer`, a nullable column with Apache Arrow's memory layout.
 *
 * @packageDocumentation
 * @module @lgalloc/collections
 */
export { LargeVec } from "./large-vec";
export type { ElementOf, LargeVecStorage, LargeVecToken } from "./large-vec";
export { ColumnBuffer } from "./column-buffer";
export type { ColumnBufferOptions, ColumnPin } from "./column-buffer";
export { SEALED_BITMAP_PADDING } from "./column-seal";
export type { SealedColumn } from "./column-seal";
export type { ColumnBufferToken } from "./column-transfer";
export type {
  BinaryInput,
  ColumnData,
  ColumnInput,
  ColumnKind,
  ColumnOffsets,
  ColumnValue,
  ColumnValues,
  TimeUnit,
} from "./column-kinds";
