// Sealing a `ColumnBuffer`: handing its finished buffers to a new owner (a record batch of
// @lgalloc/arrow, say) while the column starts over empty. Each buffer is trimmed first
// (utf8/binary scratch space dropped, every vector moved to the smallest storage that
// holds its used part: the exact length on the heap below 2 MiB, the smallest size class
// above), so nothing left over from doubling stays alive with the sealed data. Bitmaps
// (validity, and `bool` values) are padded with zero bytes to a multiple of 64, the
// alignment Arrow recommends, so that an IPC writer can send them as they are (apache-arrow
// copies a bitmap whose byteLength is not a multiple of 8).

import type { TypedArray } from "@lgalloc/core";

import type { ColumnKind, ColumnOffsets, ColumnValues, TimeUnit } from "./column-kinds";
import type { ColumnStorage, SealedStorage } from "./column-storage";
import type { LargeVec } from "./large-vec";
import type { Bitmap } from "./validity-bitmap";

/** Bitmaps of a sealed column are padded to a multiple of this many bytes. */
export const SEALED_BITMAP_PADDING = 64;

/**
 * The buffers of a sealed column. The views are exact (bitmaps: padded) and stay valid
 * until the owners are disposed; disposing `owners` (or dropping every reference to the
 * views, for the garbage collector) releases the memory.
 */
export interface SealedColumn<K extends ColumnKind = ColumnKind> {
  /** The column's kind. */
  readonly kind: K;
  /** A timestamp column's unit; null for other kinds. */
  readonly unit: TimeUnit | null;
  /** The number of values, nulls included. */
  readonly length: number;
  /** The number of nulls. */
  readonly nullCount: number;
  /**
   * Fixed-width values (`length` elements), the bit-packed `bool` values (padded), or the
   * data bytes of utf8/binary kinds (exactly the bytes in use).
   */
  readonly values: ColumnValues<K>;
  /** `length + 1` offsets of utf8/binary kinds; null for other kinds. */
  readonly offsets: ColumnOffsets<K>;
  /** The validity bitmap (padded), or null when the column had no nulls. */
  readonly validity: Uint8Array | null;
  /** The vectors holding the memory, now owned by the caller. */
  readonly owners: readonly LargeVec<TypedArray>[];
}

/**
 * Seals the buffers of a column (called by `ColumnBuffer#seal`). On error (out of memory
 * while moving a buffer) the storage and the bitmap hold what they held and stay usable.
 */
export function sealBuffers<K extends ColumnKind>(
  kind: K,
  unit: TimeUnit | null,
  length: number,
  nullCount: number,
  storage: ColumnStorage,
  validity: Bitmap | null,
): SealedColumn<K> {
  const validityVec = validity?.seal(SEALED_BITMAP_PADDING) ?? null;
  let sealed: SealedStorage;
  try {
    sealed = storage.seal(SEALED_BITMAP_PADDING);
  } catch (error) {
    // Undo the padding: the bitmap keeps exactly ceil(length / 8) bytes while in use.
    validityVec?.truncate(Math.ceil(length / 8));
    throw error;
  }
  const owners: LargeVec<TypedArray>[] = [sealed.values];
  if (sealed.offsets !== null) owners.push(sealed.offsets);
  if (validityVec !== null) owners.push(validityVec);
  return Object.freeze({
    kind,
    unit,
    length,
    nullCount,
    values: sealed.values.view(0, sealed.values.length) as ColumnValues<K>,
    offsets: (sealed.offsets?.view(0, sealed.offsets.length) ?? null) as ColumnOffsets<K>,
    validity: validityVec?.view(0, validityVec.length) ?? null,
    owners: Object.freeze(owners),
  });
}
