// `PooledTableBuilder`: appends rows (objects or arrays) or whole columns into one
// `ColumnBuffer` per field, and cuts them into `PooledRecordBatch`es: when the batch
// reaches `batchRows` rows or `batchBytes` bytes, when `flush()` is called, and always
// before any buffer would pass 2^31 - 8 bytes, the most apache-arrow's IPC encoder takes
// (batch-limits.ts; below Utf8/Binary's Int32 offsets' limit of 2^31 - 1): a fixed-width
// column by a row count, a variable-width column's data by its bytes (a new batch, not an
// error). Sealing hands each column's trimmed buffers to the batch and
// leaves the builder empty, so a batch holds exactly its data and nothing from doubling.
//
// Errors: a value a column refuses (wrong type, out of range, a null or a missing value in
// a non-nullable field, an unknown column) is a TypeError/RangeError naming the column and
// the row (counted from the builder's first row); the failed row is rolled back in every
// column, and every row appended before it stays.

import {
  InvalidArgTypeError,
  InvalidArgValueError,
  LgallocError,
  OutOfRangeError,
} from "@lgalloc/core";

import { MAX_BATCH_ROWS, maxRowsPerBatch } from "./batch-limits";
import { atColumn, disposedError } from "./errors";
import { FAILED_INDEX, FieldBuilder } from "./field-builder";
import { makeBatch, type PooledRecordBatch } from "./record-batch";
import { compileArrayRowReader, compileObjectRowReader, type RowReader } from "./row-reader";
import { PooledSchema, type SchemaInput } from "./schema";
import { makeTable, type PooledTable } from "./table";
import type { SharedOwner, ColumnChunk } from "./column-chunk";

/** Options of `PooledTableBuilder`. */
export interface PooledTableBuilderOptions {
  /**
   * A batch is cut when it holds this many rows (at most 2^31 - 1, the IPC limit), or
   * sooner where a fixed-width column's buffer would pass 2^31 - 8 bytes (what the IPC
   * writer takes): 268435455 rows of Float64, for example.
   * @defaultValue 1048576
   */
  batchRows?: number;
  /**
   * A batch is cut once its buffers hold at least this many bytes (checked after every row
   * by `appendRow`, and every `CHECK_ROWS` rows by `appendColumns`).
   * @defaultValue Infinity
   */
  batchBytes?: number;
  /**
   * Receives each batch cut while appending (and by `finish`), which then belongs to the
   * callback; without it, batches are kept for `finish()`.
   */
  onBatch?: (batch: PooledRecordBatch) => void;
}

/** Kinds whose data is bounded by bytes per batch (FieldBuilder#hasRoomFor). */
const VARIABLE_KINDS = new Set(["utf8", "binary", "largeUtf8", "largeBinary"]);

/** `appendColumns` appends at most this many rows per column before checking the limits. */
const CHECK_ROWS = 65536;

/** A column's input for `appendColumns`. */
export type ColumnInputValues = ArrayLike<unknown> | Iterable<unknown>;

/**
 * Builds a pooled table row by row (`appendRow`, `appendRows`) or column by column
 * (`appendColumns`), straight into pooled memory, cutting record batches at `batchRows`
 * rows or `batchBytes` bytes. Rows are checked against the schema at run time (their type
 * is not inferred from it); on a bad value the error names the column and row, and the
 * builder and its rows so far stay usable.
 */
export class PooledTableBuilder implements Disposable {
  readonly #schema: PooledSchema;
  readonly #batchRows: number;
  readonly #batchBytes: number;
  readonly #onBatch: ((batch: PooledRecordBatch) => void) | undefined;
  #fields: FieldBuilder[] | null;
  readonly #names: string[];
  #rows = 0;
  /** Rows in batches already cut. */
  #rowsBefore = 0;
  #kept: PooledRecordBatch[] = [];
  /** Variable-width fields, whose data must stay within MAX_IPC_BUFFER_BYTES per batch. */
  readonly #bounded: number[];
  /**
   * True while values of a row (or a slice of columns) are going in: user code running
   * then (a getter, a Proxy) must not cut a batch, which would seal some columns with the
   * half-appended row and others without.
   */
  #appending = false;
  /** Reads an object row's values in schema order (compiled for the schema: row-reader.ts). */
  readonly #readObjectRow: RowReader;
  readonly #readArrayRow: RowReader;
  /** The values of the row being appended, reused from row to row. */
  readonly #rowValues: unknown[];

  /**
   * @param schema - The table's schema: a plain spec, apache-arrow types or a `PooledSchema`.
   * @param options - Batch limits and the `onBatch` callback.
   * @throws `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` for a schema or option of the
   *   wrong type.
   * @throws `InvalidArgValueError` `ERR_INVALID_ARG_VALUE` for an unsupported type, two
   *   fields of one name, or an unknown option.
   * @throws `OutOfRangeError` `ERR_OUT_OF_RANGE` for a `batchRows` or `batchBytes` below
   *   1 (or a `batchRows` above 2^31 - 1 or not an integer).
   */
  constructor(schema: SchemaInput | PooledSchema, options: PooledTableBuilderOptions = {}) {
    this.#schema = PooledSchema.from(schema);
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgTypeError("options", "of type object", options);
    }
    for (const key of Object.keys(options)) {
      if (!["batchRows", "batchBytes", "onBatch"].includes(key)) {
        throw new InvalidArgValueError(
          `options.${key}`,
          "is not a known option (expected batchRows, batchBytes, onBatch)",
          (options as Record<string, unknown>)[key],
        );
      }
    }
    // Also cut before a fixed-width values or offsets buffer would pass what the IPC writer
    // takes (batch-limits.ts): e.g. 268435455 rows for a Float64 column.
    this.#batchRows = Math.min(
      positive(options.batchRows, "options.batchRows", 2 ** 20, MAX_BATCH_ROWS),
      maxRowsPerBatch(this.#schema.fields),
    );
    this.#batchBytes = positive(options.batchBytes, "options.batchBytes", Infinity, Infinity);
    if (options.onBatch !== undefined && typeof options.onBatch !== "function") {
      throw new InvalidArgTypeError("options.onBatch", "a function", options.onBatch);
    }
    this.#onBatch = options.onBatch;
    this.#fields = this.#schema.fields.map((field) => new FieldBuilder(field));
    this.#names = this.#schema.fields.map((field) => field.name);
    this.#readObjectRow = compileObjectRowReader(this.#names);
    this.#readArrayRow = compileArrayRowReader(this.#names.length);
    this.#rowValues = this.#names.map(() => undefined);
    this.#bounded = this.#schema.fields
      .map((field, i) => (VARIABLE_KINDS.has(field.kind) ? i : -1))
      .filter((i) => i >= 0);
  }

  /** The builder's schema. */
  get schema(): PooledSchema {
    return this.#schema;
  }

  /** Rows appended and not yet cut into a batch. */
  get pendingRows(): number {
    this.#live("read pendingRows", false);
    return this.#rows;
  }

  /** Rows appended since the builder was made. */
  get totalRows(): number {
    this.#live("read totalRows", false);
    return this.#rowsBefore + this.#rows;
  }

  /** Whether the builder was disposed. */
  get disposed(): boolean {
    return this.#fields === null;
  }

  /**
   * Appends one row: an object keyed by column name (a missing key is a null) or an array
   * in schema order. A key that names no column is refused.
   * @throws `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` for a row that is not an object,
   *   a value of the wrong type for its column or a null in a non-nullable column (the
   *   message names column and row).
   * @throws `InvalidArgValueError` `ERR_INVALID_ARG_VALUE` for a key that names no column.
   * @throws `OutOfRangeError` `ERR_OUT_OF_RANGE` for a number outside its column's range.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  appendRow(row: object): this {
    const fields = this.#live("appendRow");
    if (typeof row !== "object" || row === null) {
      throw new InvalidArgTypeError("row", "an object or an array", row);
    }
    this.#appendRow(fields, row);
    return this;
  }

  /**
   * Appends every row of an iterable; on a bad row, the rows before it stay appended.
   * @throws the errors of `appendRow`, and `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE`
   *   when `rows` is not iterable.
   */
  appendRows(rows: Iterable<object>): this {
    const fields = this.#live("appendRows");
    if (typeof (rows as Partial<Iterable<object>>)?.[Symbol.iterator] !== "function") {
      throw new InvalidArgTypeError("rows", "an iterable of rows", rows);
    }
    for (const row of rows) {
      if (this.#fields !== fields) throw disposedError("builder", "appendRows");
      if (typeof row !== "object" || row === null) {
        throw new InvalidArgTypeError(`rows[${this.totalRows}]`, "an object or an array", row);
      }
      this.#appendRow(fields, row);
    }
    return this;
  }

  /**
   * Appends whole columns: `{ name: values }` with one entry per column of the schema
   * (typed arrays of the column's type are copied in bulk; arrays and other iterables go
   * value by value), all of the same length. All or nothing per batch: on a bad value no
   * row of the call's current batch is kept (rows already cut into batches stay).
   * @throws `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` for columns that are not array-likes
   *   or iterables, a value of the wrong type, or a null in a non-nullable column.
   * @throws `InvalidArgValueError` `ERR_INVALID_ARG_VALUE` for a missing or unknown column,
   *   or columns of different lengths.
   * @throws `OutOfRangeError` `ERR_OUT_OF_RANGE` for a number outside its column's range.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  appendColumns(columns: Record<string, ColumnInputValues>): this {
    const fields = this.#live("appendColumns");
    if (typeof columns !== "object" || columns === null) {
      throw new InvalidArgTypeError("columns", "an object of { name: values }", columns);
    }
    for (const key of Object.keys(columns)) {
      if (this.#schema.indexOf(key) < 0) this.#schema.select([key], "columns");
    }
    const inputs = this.#names.map((name) => {
      const values = columns[name];
      if (values === undefined) {
        throw new InvalidArgValueError("columns", `has no values for column "${name}"`, columns);
      }
      return materialize(values, `columns.${name}`);
    });
    const length = inputs[0]?.length ?? 0;
    inputs.forEach((values, i) => {
      if (values.length !== length) {
        throw new InvalidArgValueError(
          `columns.${this.#names[i]}`,
          `must have as many values as the first column (${length})`,
          values.length,
        );
      }
    });
    let done = 0;
    // Where this call's rows start in the batch being built (0 once it cut one).
    let callStart = this.#rows;
    while (done < length) {
      if (this.#fields !== fields) throw disposedError("builder", "appendColumns");
      const batchRest = Math.min(length - done, this.#batchRows - this.#rows);
      if (done === 0 || this.#rows === 0) {
        // The call knows how many rows go into this batch: room for them at once, so that
        // no buffer grows through intermediate sizes (ColumnBuffer#reserve says why), and
        // for a variable-width column's data as many bytes as its values take at least
        // (a string's UTF-16 length: exact for ASCII). Growing a data buffer by doubling
        // instead left each batch's intermediate buffers in the pool and on the heap
        // (issue 10: pooledTableFromArrays peaked 200 MB above appendRow).
        const dataBytes = this.#dataLowerBounds(inputs, done, done + batchRest);
        if (this.#fields !== fields) throw disposedError("builder", "appendColumns");
        for (const field of fields) field.reserve(batchRest);
        for (let b = 0; b < this.#bounded.length; b++) {
          const field = fields[this.#bounded[b]!]!;
          field.reserveData(Math.min(dataBytes[b]!, field.exactRemainingDataBytes));
        }
      }
      let count = Math.min(batchRest, CHECK_ROWS);
      count = this.#fitData(inputs, done, count);
      if (count === 0) {
        this.#cut();
        callStart = this.#rows;
        continue;
      }
      const start = this.#rows;
      let i = 0;
      this.#appending = true;
      try {
        for (; i < fields.length; i++) {
          fields[i]!.appendMany(slice(inputs[i]!, done, done + count));
        }
      } catch (error) {
        this.#appending = false;
        if (this.#fields === fields) {
          for (let j = 0; j < fields.length; j++) fields[j]!.truncate(callStart);
          this.#rows = callStart;
        }
        throw this.#locate(error, i, start);
      }
      this.#appending = false;
      this.#rows += count;
      done += count;
      if (this.#rows >= this.#batchRows || this.#byteLength(fields) >= this.#batchBytes) {
        this.#cut();
        // onBatch may have appended rows of its own: those are not this call's to undo.
        callStart = this.#rows;
      }
    }
    return this;
  }

  /**
   * Cuts the rows appended so far into a batch and returns it (the caller owns it; it is
   * neither kept for `finish` nor given to `onBatch`). With no rows, an empty batch.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  flush(): PooledRecordBatch {
    const fields = this.#live("flush");
    return this.#seal(fields);
  }

  /**
   * Cuts the remaining rows (if any) into a last batch and returns a table of every batch
   * kept (those not given to `onBatch`). The builder is empty and usable afterwards.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  finish(): PooledTable {
    const fields = this.#live("finish");
    if (this.#rows > 0 || (this.#kept.length === 0 && this.#onBatch === undefined)) {
      const batch = this.#seal(fields);
      if (this.#onBatch !== undefined) this.#onBatch(batch);
      else this.#kept.push(batch);
    }
    const table = makeTable(this.#schema, this.#kept);
    this.#kept = [];
    return table;
  }

  /** Releases the rows not yet cut and the batches kept for `finish`. */
  dispose(): void {
    const fields = this.#fields;
    if (fields === null) return;
    this.#fields = null;
    for (const field of fields) field.dispose();
    for (const batch of this.#kept) batch.dispose();
    this.#kept = [];
  }

  /** `dispose()`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #appendRow(fields: FieldBuilder[], row: object): void {
    const values = this.#rowValues;
    this.#appending = true;
    try {
      // Every value is read (user code: getters, Proxy traps) before any is appended.
      if (Array.isArray(row)) {
        if ((row as unknown[]).length !== fields.length) {
          throw new InvalidArgValueError(
            `row ${this.totalRows}`,
            `must have one value per column (${fields.length})`,
            (row as unknown[]).length,
          );
        }
        this.#readArrayRow(row, values);
      } else {
        this.#checkKeys(row as Record<string, unknown>);
        this.#readObjectRow(row, values);
      }
    } finally {
      this.#appending = false;
    }
    if (this.#fields !== fields) throw disposedError("builder", "appendRow");
    this.#makeRoomForData(fields, values);
    const start = this.#rows;
    let i = 0;
    try {
      for (; i < fields.length; i++) fields[i]!.append(values[i]);
    } catch (error) {
      for (let j = 0; j < i; j++) fields[j]!.truncate(start);
      throw atColumn(error, this.#names[i]!, this.#rowsBefore + start);
    } finally {
      // The values of the last row are not kept alive by the builder.
      values.fill(undefined);
    }
    this.#rows = start + 1;
    if (this.#rows >= this.#batchRows) this.#cut();
    else if (this.#batchBytes !== Infinity && this.#byteLength(fields) >= this.#batchBytes) {
      this.#cut();
    }
  }

  /** Refuses a key that names no column (counting keys is cheaper than listing them). */
  #checkKeys(record: Record<string, unknown>): void {
    let keys = 0;
    const names = this.#names;
    for (const key in record) {
      // Keys usually come in schema order: compare with the expected name before a lookup.
      if (key === names[keys]) {
        keys++;
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
      keys++;
      if (keys > names.length || this.#schema.indexOf(key) < 0) {
        for (const name of Object.keys(record)) {
          if (this.#schema.indexOf(name) < 0) {
            throw atColumn(
              new InvalidArgValueError(
                "row",
                `has a key that names no column (the columns are ${this.#names.join(", ")})`,
                name,
              ),
              name,
              this.totalRows,
            );
          }
        }
      }
    }
  }

  /** Cuts a batch first if a value of this row would take a column's data past the limit. */
  #makeRoomForData(fields: FieldBuilder[], values: readonly unknown[]): void {
    const bounded = this.#bounded;
    for (let b = 0; b < bounded.length; b++) {
      const i = bounded[b]!;
      const value = values[i];
      let bytes: number;
      if (typeof value === "string") bytes = value.length * 3;
      else if (ArrayBuffer.isView(value)) bytes = value.byteLength;
      else if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
        bytes = value.byteLength;
      } else continue;
      const field = fields[i]!;
      // Cheap bound first (3 bytes per UTF-16 unit at most); the exact length only near the end.
      if (field.hasRoomFor(bytes)) continue;
      if (typeof value === "string" && field.hasRoomFor(Buffer.byteLength(value, "utf8"))) continue;
      // Too much for this batch: start the next one (a value too large for any batch is
      // left for the column to refuse, naming it).
      if (this.#rows > 0) {
        this.#cut();
        return;
      }
    }
  }

  /**
   * Per variable-width field (in `#bounded` order), the data bytes rows `[start, end)` take
   * at least: a string's length in UTF-16 code units (its UTF-8 bytes when ASCII, never
   * more), a byte view's length. Values of the wrong type count nothing (the column refuses
   * them later, naming them).
   */
  #dataLowerBounds(inputs: ArrayLike<unknown>[], start: number, end: number): number[] {
    return this.#bounded.map((i) => {
      const values = inputs[i]!;
      let bytes = 0;
      for (let r = start; r < end; r++) {
        const value = values[r];
        if (typeof value === "string") bytes += value.length;
        else if (ArrayBuffer.isView(value)) {
          // Only a hint, capped by the batch's room: a byteLength that is not a positive
          // integer counts nothing, one that lies only reserves capacity (untouched), and
          // the column reads the view's real length when it appends it.
          const viewBytes: unknown = value.byteLength;
          if (typeof viewBytes === "number" && Number.isSafeInteger(viewBytes) && viewBytes > 0)
            bytes += viewBytes;
        }
      }
      return bytes;
    });
  }

  /** How many of `count` rows from `done` fit the variable-width data limit of this batch. */
  #fitData(inputs: ArrayLike<unknown>[], done: number, count: number): number {
    const fields = this.#fields!;
    let fit = count;
    for (const i of this.#bounded) {
      const values = inputs[i]!;
      const room = fields[i]!.exactRemainingDataBytes;
      let bound = 0;
      for (let r = done; r < done + fit; r++) {
        const value = values[r];
        if (typeof value === "string") bound += value.length * 3;
        else if (ArrayBuffer.isView(value)) bound += value.byteLength;
      }
      if (bound <= room) continue;
      let bytes = 0;
      for (let r = done; r < done + fit; r++) {
        const value = values[r];
        if (typeof value === "string") bytes += Buffer.byteLength(value, "utf8");
        else if (ArrayBuffer.isView(value)) bytes += value.byteLength;
        if (bytes > room) {
          fit = r - done;
          break;
        }
      }
    }
    // A single value that fits no batch is left for the column to refuse, naming it.
    return fit === 0 && this.#rows === 0 ? 1 : fit;
  }

  #byteLength(fields: FieldBuilder[]): number {
    let bytes = 0;
    for (const field of fields) bytes += field.byteLength;
    return bytes;
  }

  /** Names the column and row of a failed bulk append (`values[k]` in the message). */
  #locate(error: unknown, column: number, sliceStart: number): unknown {
    const known = typeof error === "object" && error !== null ? FAILED_INDEX.get(error) : undefined;
    const match = error instanceof Error ? /values\[(\d+)\]/.exec(error.message) : null;
    const offset = known ?? (match === null ? 0 : Number(match[1]));
    return atColumn(error, this.#names[column]!, this.#rowsBefore + sliceStart + offset);
  }

  /** Cuts a batch while appending: to `onBatch`, or kept for `finish`. */
  #cut(): void {
    const batch = this.#seal(this.#fields!);
    if (this.#onBatch !== undefined) this.#onBatch(batch);
    else this.#kept.push(batch);
  }

  #seal(fields: FieldBuilder[]): PooledRecordBatch {
    const chunks: ColumnChunk[] = [];
    const owners: SharedOwner[] = [];
    for (const field of fields) {
      const sealed = field.seal();
      chunks.push(sealed.chunk);
      for (const owner of sealed.owners) owners.push(owner.retain());
    }
    const batch = makeBatch(this.#schema, this.#rows, chunks, owners);
    this.#rowsBefore += this.#rows;
    this.#rows = 0;
    return batch;
  }

  /** The field builders; throws once disposed, or for a change while a row goes in. */
  #live(operation: string, changes = true): FieldBuilder[] {
    if (this.#fields === null) throw disposedError("builder", operation);
    if (changes && this.#appending) {
      throw new LgallocError(
        "ERR_LGALLOC_BUSY",
        `Cannot ${operation}: the builder is appending a row (a re-entrant call from a value's getter or a Proxy)`,
      );
    }
    return this.#fields;
  }
}

function positive(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  if (!(value >= 1) || value > max || (max !== Infinity && !Number.isInteger(value))) {
    throw new OutOfRangeError(name, `an integer >= 1 && <= ${max}`, value);
  }
  return value;
}

/** The values of one column as an array-like (iterables other than arrays are listed). */
function materialize(values: unknown, name: string): ArrayLike<unknown> {
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    if (values instanceof DataView) {
      throw new InvalidArgTypeError(name, "an array, a typed array or an iterable", values);
    }
    return values as ArrayLike<unknown>;
  }
  if (typeof values === "object" && values !== null && Symbol.iterator in values) {
    return Array.from(values as Iterable<unknown>);
  }
  throw new InvalidArgTypeError(name, "an array, a typed array or an iterable", values);
}

/** Values `[start, end)`: a subarray (no copy) or an array slice. */
function slice(
  values: ArrayLike<unknown>,
  start: number,
  end: number,
): ArrayLike<unknown> & Iterable<unknown> {
  if (start === 0 && end === values.length) return values as ArrayLike<unknown> & Iterable<unknown>;
  if (ArrayBuffer.isView(values)) return (values as unknown as Uint8Array).subarray(start, end);
  return (values as unknown[]).slice(start, end);
}
