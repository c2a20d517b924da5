// The builder of one column of a `PooledTableBuilder`: a `ColumnBuffer` of the field's kind
// (a dictionary column: Int32 keys, plus its Utf8 dictionary and the map from string to
// key). It adds what the table needs beyond the column: nullability (a null or a missing
// value in a non-nullable field is refused), rollback of a row's values when a later
// column of the row refuses its value, and sealing into a `ColumnChunk`.

import { InvalidArgTypeError, type TypedArray } from "@lgalloc/core";
import { ColumnBuffer, type LargeVec, type SealedColumn } from "@lgalloc/collections";

import { SharedOwner, type ArrayBuffers, type ColumnChunk } from "./column-chunk";
import { MAX_IPC_BUFFER_BYTES } from "./batch-limits";
import type { PooledField } from "./schema";

const INT32_MAX = 2 ** 31 - 1;

/** The input a non-nullable field refuses. */
function missing(field: PooledField, value: unknown): TypeError {
  return new InvalidArgTypeError(
    field.name,
    `a value of type ${field.type} (the field is not nullable)`,
    value,
  );
}

/** The position in `appendMany`'s values of the value an error was raised for. */
export const FAILED_INDEX = new WeakMap<object, number>();

export interface SealedChunk {
  readonly chunk: ColumnChunk;
  /** The owners the chunk's memory belongs to (the batch retains each once). */
  readonly owners: readonly SharedOwner[];
}

export class FieldBuilder {
  readonly field: PooledField;
  readonly #column: ColumnBuffer;
  /** Dictionary fields only. */
  readonly #dictionary: DictionaryValues | null;

  constructor(field: PooledField) {
    this.field = field;
    this.#column = new ColumnBuffer(
      field.kind,
      field.kind === "timestamp" ? { unit: field.unit ?? "ms" } : undefined,
    );
    this.#dictionary = field.type === "dictionary" ? new DictionaryValues() : null;
  }

  get length(): number {
    return this.#column.length;
  }

  /** Bytes in use (a dictionary's values not counted: they belong to the whole table). */
  get byteLength(): number {
    return this.#column.byteLength;
  }

  /**
   * Data bytes a variable-width column can still take in this batch (Infinity for other
   * types), exactly: up to MAX_IPC_BUFFER_BYTES (batch-limits.ts), which is also below the
   * Int32 offsets' limit of utf8/binary.
   */
  get exactRemainingDataBytes(): number {
    const column = this.#column;
    const remaining = column.remainingDataBytes;
    if (remaining !== Infinity) return remaining - (INT32_MAX - MAX_IPC_BUFFER_BYTES);
    const data = column.data();
    return data === null ? Infinity : MAX_IPC_BUFFER_BYTES - data.length;
  }

  /**
   * A lower bound of the data bytes the column can still take, kept without asking the
   * column each time (that makes a view): refreshed only when a value might not fit.
   */
  #room = 0;

  /**
   * True if `bytes` more data bytes (an upper bound of the next value's) fit a variable-width
   * column's data in this batch; the bound is then counted as used.
   */
  hasRoomFor(bytes: number): boolean {
    if (bytes > this.#room) this.#room = this.exactRemainingDataBytes;
    if (bytes > this.#room) return false;
    this.#room -= bytes;
    return true;
  }

  /** Appends one value; `undefined` counts as null (a missing field). */
  append(value: unknown): void {
    if (value === null || value === undefined) {
      if (!this.field.nullable) throw missing(this.field, value);
      this.#column.append(null);
      return;
    }
    const dictionary = this.#dictionary;
    if (dictionary === null) {
      this.#column.append(value as never);
    } else {
      this.#column.append(dictionary.keyOf(value, this.field.name));
    }
  }

  /**
   * Appends many values at once: typed arrays of the column's own type are copied in one
   * go; anything else goes value by value. All or nothing.
   */
  appendMany(values: ArrayLike<unknown> & Iterable<unknown>): void {
    if (this.#dictionary !== null || (!this.field.nullable && !ArrayBuffer.isView(values))) {
      const start = this.#column.length;
      let index = 0;
      try {
        for (const value of values) {
          this.append(value);
          index++;
        }
      } catch (error) {
        this.truncate(start);
        if (typeof error === "object" && error !== null) FAILED_INDEX.set(error, index);
        throw error;
      }
      return;
    }
    if (Array.isArray(values) && values.includes(undefined)) {
      // ColumnBuffer refuses `undefined`; in a table it is a missing value, i.e. null.
      this.#column.appendMany(values.map((value) => (value === undefined ? null : value)));
      return;
    }
    this.#column.appendMany(values as Iterable<never>);
  }

  /** Makes room for `rows` more values (not data bytes): see `ColumnBuffer#reserve`. */
  reserve(rows: number): void {
    this.#column.reserve(rows);
  }

  /**
   * Makes room for `bytes` more data bytes of a variable-width column (a no-op for other
   * kinds): see `ColumnBuffer#reserveData`.
   */
  reserveData(bytes: number): void {
    this.#column.reserveData(bytes);
  }

  /** Drops the slots from `length` on (rolling back a failed row). */
  truncate(length: number): void {
    this.#column.truncate(length);
  }

  /** Hands the column's buffers over and starts an empty one. */
  seal(): SealedChunk {
    const sealed = this.#column.seal();
    this.#room = 0;
    const owner = new SharedOwner(sealed.owners);
    const buffers = buffersOf(sealed);
    if (this.#dictionary === null) {
      return { chunk: { ...buffers, field: this.field, dictionary: null }, owners: [owner] };
    }
    const dictionary = this.#dictionary.sealNew();
    return {
      chunk: { ...buffers, field: this.field, dictionary: dictionary.chunks },
      owners: [owner, ...dictionary.owners],
    };
  }

  dispose(): void {
    this.#column.dispose();
    this.#dictionary?.dispose();
  }
}

function buffersOf(sealed: SealedColumn): ArrayBuffers {
  return {
    length: sealed.length,
    nullCount: sealed.nullCount,
    values: sealed.values as TypedArray,
    offsets: sealed.offsets,
    validity: sealed.nullCount > 0 ? sealed.validity : null,
  };
}

/**
 * The Utf8 values of a dictionary column and their keys. Keys are global to the builder:
 * each batch's dictionary is every chunk sealed so far, each later chunk a delta of the
 * new strings, so no string is stored twice and the IPC writer sends deltas.
 */
class DictionaryValues {
  readonly #keys = new Map<string, number>();
  #pending = new ColumnBuffer("utf8");
  readonly #chunks: ArrayBuffers[] = [];
  readonly #owners: SharedOwner[] = [];

  keyOf(value: unknown, name: string): number {
    if (typeof value !== "string") {
      throw new InvalidArgTypeError(name, "of type string (a dictionary value)", value);
    }
    let key = this.#keys.get(value);
    if (key === undefined) {
      key = this.#keys.size;
      this.#pending.append(value);
      this.#keys.set(value, key);
    }
    return key;
  }

  /** The chunks so far, sealing the strings added since the last call as a new one. */
  sealNew(): { chunks: readonly ArrayBuffers[]; owners: readonly SharedOwner[] } {
    if (this.#pending.length > 0 || this.#chunks.length === 0) {
      const sealed = this.#pending.seal();
      const owner = new SharedOwner(sealed.owners as readonly LargeVec<TypedArray>[]);
      // The builder holds each chunk until it is disposed, since later batches share it.
      owner.retain();
      this.#chunks.push(buffersOf(sealed));
      this.#owners.push(owner);
    }
    return { chunks: [...this.#chunks], owners: [...this.#owners] };
  }

  dispose(): void {
    this.#pending.dispose();
    for (const owner of this.#owners) owner.release();
    this.#owners.length = 0;
  }
}
