// `PooledRecordBatch`: rows of a table in Arrow's layout, whose buffers live in pooled
// memory that the batch owns (shared with other batches where they share a dictionary or
// an IPC file's region). `dispose()` (or `using`) releases it; garbage collection is the
// backstop, through the buffers (an Arrow object viewing them keeps them alive). While an
// async IPC write reads the batch it holds a lease: `dispose()` then throws
// `ERR_LGALLOC_BUSY` and `disposeAsync()` waits, so the pages never go to another owner
// mid-write.

import type * as Arrow from "apache-arrow";

import { arrowModule } from "./arrow-module";
import { ArrowObjectRegistry, arrowSchema, chunkData } from "./arrow-views";
import type { ColumnChunk, SharedOwner } from "./column-chunk";
import { busyError, disposedError } from "./errors";
import type { PooledSchema } from "./schema";

/** @internal What the other modules of this package may see of a batch. */
export interface BatchInternals {
  readonly columns: readonly ColumnChunk[];
  readonly owners: readonly SharedOwner[];
  /** Holds the batch for an IPC write; the function returned ends the lease. */
  lease(): () => void;
}

/** @internal */
export let batchInternals: (batch: PooledRecordBatch, operation: string) => BatchInternals;

/** @internal */
export let makeBatch: (
  schema: PooledSchema,
  numRows: number,
  columns: readonly ColumnChunk[],
  owners: readonly SharedOwner[],
) => PooledRecordBatch;

const CONSTRUCTION_KEY = Symbol("PooledRecordBatch construction");

/**
 * Rows of a pooled table: one column chunk per field of the schema, each in pooled memory
 * owned by the batch. Made by `PooledTableBuilder` and the IPC readers (it has no public
 * constructor); `dispose()` (or `using`) releases its memory and empties the Arrow objects
 * made from it.
 */
export class PooledRecordBatch implements Disposable, AsyncDisposable {
  readonly #schema: PooledSchema;
  readonly #numRows: number;
  #columns: readonly ColumnChunk[] | null;
  readonly #owners: readonly SharedOwner[];
  readonly #registry = new ArrowObjectRegistry();
  #leases = 0;
  #idle: Promise<void> | null = null;
  #resolveIdle: (() => void) | null = null;

  static {
    batchInternals = (batch, operation) => {
      const columns = batch.#live(operation);
      return {
        columns,
        owners: batch.#owners,
        lease: () => batch.#lease(),
      };
    };
    makeBatch = (schema, numRows, columns, owners) =>
      new PooledRecordBatch(CONSTRUCTION_KEY, schema, numRows, columns, owners);
  }

  /** @internal Batches come from a `PooledTableBuilder` or an IPC reader. */
  constructor(
    key: symbol,
    schema: PooledSchema,
    numRows: number,
    columns: readonly ColumnChunk[],
    owners: readonly SharedOwner[],
  ) {
    if (key !== CONSTRUCTION_KEY) {
      throw Object.assign(
        new TypeError("Illegal constructor: batches come from PooledTableBuilder or readIPC*"),
        { code: "ERR_ILLEGAL_CONSTRUCTOR" },
      );
    }
    this.#schema = schema;
    this.#numRows = numRows;
    this.#columns = columns;
    // Each owner is retained once for this batch by whoever made it.
    this.#owners = owners;
  }

  /**
   * The batch's schema.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get schema(): PooledSchema {
    this.#live("read schema");
    return this.#schema;
  }

  /**
   * The number of rows.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get numRows(): number {
    this.#live("read numRows");
    return this.#numRows;
  }

  /**
   * The number of columns (fields of the schema).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get numCols(): number {
    this.#live("read numCols");
    return this.#schema.fields.length;
  }

  /** Whether the batch was disposed (or its table was). */
  get disposed(): boolean {
    return this.#columns === null;
  }

  /** True while an IPC write of the batch is in flight (`dispose` would throw). */
  get busy(): boolean {
    return this.#leases > 0;
  }

  /**
   * Bytes of the batch's buffers in use (values, offsets, data, validity).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get byteLength(): number {
    let bytes = 0;
    for (const chunk of this.#live("read byteLength")) {
      bytes += chunk.values.byteLength + (chunk.offsets?.byteLength ?? 0);
      bytes += chunk.validity?.byteLength ?? 0;
    }
    return bytes;
  }

  /**
   * An apache-arrow RecordBatch viewing this batch's buffers (no copy).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   * @throws `ArrowUnavailableError` `ERR_LGALLOC_ARROW_UNAVAILABLE` when apache-arrow
   *   cannot be loaded (and none was bound with `bindArrow`).
   */
  toArrowRecordBatch(): Arrow.RecordBatch {
    const columns = this.#live("convert to Arrow");
    const arrow = arrowModule();
    const schema = arrowSchema(arrow, this.#schema);
    const children = columns.map((chunk, i) =>
      chunkData(arrow, chunk, schema.fields[i]!.type, this.#registry),
    );
    const struct = this.#registry.data(
      arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: this.#numRows,
        nullCount: 0,
        children,
      }),
    );
    const batch = this.#registry.batch(new arrow.RecordBatch(schema, struct));
    // The RecordBatch may have made Data of its own around ours: empty those too.
    if (batch.data !== struct) {
      this.#registry.data(batch.data);
      for (const child of batch.data.children) this.#registry.data(child);
    }
    return batch;
  }

  /**
   * An apache-arrow Table of this one batch (no copy).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   * @throws `ArrowUnavailableError` `ERR_LGALLOC_ARROW_UNAVAILABLE` when apache-arrow
   *   cannot be loaded (and none was bound with `bindArrow`).
   */
  toArrowTable(): Arrow.Table {
    const batch = this.toArrowRecordBatch();
    return this.#registry.table(new (arrowModule().Table)(batch.schema, [batch]));
  }

  /**
   * An apache-arrow Vector of column `name` (no copy).
   * @throws `InvalidArgValueError` `ERR_INVALID_ARG_VALUE` when no column is named `name`.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   * @throws `ArrowUnavailableError` `ERR_LGALLOC_ARROW_UNAVAILABLE` when apache-arrow
   *   cannot be loaded (and none was bound with `bindArrow`).
   */
  toArrowVector(name: string): Arrow.Vector {
    const index = this.#columnIndex(name);
    const batch = this.toArrowRecordBatch();
    return this.#registry.vector(batch.getChildAt(index)!);
  }

  /**
   * @internal The Arrow objects made from this batch by a table's conversion, to empty
   * together with it.
   */
  get registry(): ArrowObjectRegistry {
    return this.#registry;
  }

  /**
   * Releases the batch's memory (a region shared with other batches once none holds it);
   * the Arrow objects made from it read as empty afterwards. A second call does nothing.
   * @throws `LgallocError` `ERR_LGALLOC_BUSY` while an IPC write of the batch is in flight.
   */
  dispose(): void {
    if (this.#columns === null) return;
    if (this.#leases > 0) throw busyError("record batch");
    this.#release();
  }

  /** Like `dispose`, but waits for IPC writes in flight first. */
  async disposeAsync(): Promise<void> {
    while (this.#leases > 0) await this.#idle;
    if (this.#columns !== null) this.#release();
  }

  /** `dispose()`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `disposeAsync()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disposeAsync();
  }

  toString(): string {
    if (this.#columns === null) return "PooledRecordBatch(disposed)";
    return `PooledRecordBatch(numRows=${this.#numRows}) ${this.#schema.toString().replace("PooledSchema ", "")}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #release(): void {
    this.#columns = null;
    for (const owner of this.#owners) owner.release();
    this.#registry.empty("record batch");
  }

  #columnIndex(name: string): number {
    this.#live("find a column");
    const index = this.#schema.indexOf(name);
    if (index < 0) this.#schema.select([name], "name");
    return index;
  }

  #lease(): () => void {
    this.#live("lease");
    if (this.#leases++ === 0) {
      this.#idle = new Promise((resolve) => (this.#resolveIdle = resolve));
    }
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#leases === 0) {
        this.#resolveIdle?.();
        this.#resolveIdle = null;
        this.#idle = null;
      }
    };
  }

  #live(operation: string): readonly ColumnChunk[] {
    if (this.#columns === null) throw disposedError("record batch", operation);
    return this.#columns;
  }
}
