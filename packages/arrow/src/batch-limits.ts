// How large one record batch may grow so that `writeIPC` can write it: apache-arrow's IPC
// encoder rounds each buffer's length in 32-bit arithmetic, so a buffer of 2^31 - 8 bytes
// or more would be recorded with a negative length (a corrupt file). The builder cuts a
// new batch before any buffer would pass that: fixed-width values and offsets by a row
// count per schema (`maxRowsPerBatch`), variable-width data by its bytes (FieldBuilder).

import type { ColumnKind } from "@lgalloc/collections";

import type { PooledField } from "./schema";

/** The largest buffer apache-arrow's encoder handles (it rounds lengths in 32 bits). */
export const MAX_IPC_BUFFER_BYTES = 2 ** 31 - 8;

/** A batch's row count is an Int32 in IPC. */
export const MAX_BATCH_ROWS = 2 ** 31 - 1;

/**
 * Bytes per row of a column's values buffer, or of its offsets for variable-width kinds
 * (whose data is bounded by bytes instead); bit-packed kinds take 1/8.
 */
const BYTES_PER_ROW: Record<ColumnKind, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  date32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
  date64: 8,
  timestamp: 8,
  bool: 1 / 8,
  utf8: 4,
  binary: 4,
  largeUtf8: 8,
  largeBinary: 8,
};

/** Kinds with length + 1 offsets. */
const WITH_OFFSETS = new Set<ColumnKind>(["utf8", "binary", "largeUtf8", "largeBinary"]);

/**
 * The most rows a batch of these fields can hold with every values, offsets and validity
 * buffer at most MAX_IPC_BUFFER_BYTES (bitmaps counted padded to 64 bytes, as sealed).
 */
export function maxRowsPerBatch(fields: readonly PooledField[]): number {
  // Validity (and bool values): ceil(rows / 8) bytes padded to 64.
  let rows = Math.min(MAX_BATCH_ROWS, (MAX_IPC_BUFFER_BYTES - 64) * 8);
  for (const field of fields) {
    const perRow = BYTES_PER_ROW[field.kind];
    if (perRow < 1) continue;
    const fit = Math.floor(MAX_IPC_BUFFER_BYTES / perRow) - (WITH_OFFSETS.has(field.kind) ? 1 : 0);
    rows = Math.min(rows, fit);
  }
  return rows;
}
