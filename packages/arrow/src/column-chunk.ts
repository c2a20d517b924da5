// The memory model of a pooled table. A `ColumnChunk` is one column of one record batch:
// its Arrow buffers as typed-array views (exact lengths; bitmaps padded) plus, for a
// dictionary column, the dictionary's chunks. The memory behind the views belongs to
// `SharedOwner`s: a set of vectors released when the last batch holding them lets go
// (a dictionary chunk is shared by every later batch of its column; an IPC file read into
// one region is shared by all its batches). Releasing detaches the buffers, so every view,
// ours or Arrow's, has length 0 from then on and nothing can read the memory after it
// went back to the pool.

import type { TypedArray } from "@lgalloc/core";
import type { LargeVec } from "@lgalloc/collections";

import type { PooledField } from "./schema";

/** The buffers of one Arrow array (no children). */
export interface ArrayBuffers {
  readonly length: number;
  readonly nullCount: number;
  /** Values, bit-packed booleans, or the data bytes of utf8/binary types. */
  readonly values: TypedArray;
  /** `length + 1` offsets of utf8/binary types; null otherwise. */
  readonly offsets: Int32Array | BigInt64Array | null;
  /** Null when the array has no nulls. */
  readonly validity: Uint8Array | null;
}

/** One column of one record batch. */
export interface ColumnChunk extends ArrayBuffers {
  readonly field: PooledField;
  /** A dictionary column's dictionary (Utf8), in chunks (each later one a delta). */
  readonly dictionary: readonly ArrayBuffers[] | null;
}

/** Memory held by one or more batches; released when the last one lets go. */
export class SharedOwner {
  #holders = 0;
  #vecs: readonly LargeVec<TypedArray>[] | null;

  constructor(vecs: readonly LargeVec<TypedArray>[]) {
    this.#vecs = vecs;
  }

  get released(): boolean {
    return this.#vecs === null;
  }

  /** Bytes of the vectors' storage (capacity), for statistics. */
  get byteLength(): number {
    let bytes = 0;
    for (const vec of this.#vecs ?? []) bytes += vec.capacity * vec.BYTES_PER_ELEMENT;
    return bytes;
  }

  retain(): this {
    if (this.#vecs === null) throw new Error("internal: retaining a released owner");
    this.#holders++;
    return this;
  }

  release(): void {
    if (this.#vecs === null || --this.#holders > 0) return;
    const vecs = this.#vecs;
    this.#vecs = null;
    for (const vec of vecs) vec.dispose();
  }
}
