// `PooledTable`: a schema and the record batches that hold its rows, each batch owning its
// pooled memory. The table owns its batches: `dispose()` (or `using`) releases them all,
// and the Arrow objects made from the table read as empty afterwards. Conversions to
// apache-arrow view the batches' buffers without a copy.

import type * as Arrow from "apache-arrow";

import { arrowModule } from "./arrow-module";
import { ArrowObjectRegistry, arrowSchema } from "./arrow-views";
import { busyError, disposedError } from "./errors";
import type { PooledRecordBatch } from "./record-batch";
import type { PooledSchema } from "./schema";

const CONSTRUCTION_KEY = Symbol("PooledTable construction");

/** @internal */
export let makeTable: (schema: PooledSchema, batches: readonly PooledRecordBatch[]) => PooledTable;

/**
 * A pooled Arrow table: a schema and the record batches holding its rows, made by
 * `PooledTableBuilder#finish`, `pooledTableFromArrays` and `readIPCFile` (it has no public
 * constructor). It owns its batches: `dispose()` (or `using`) releases their memory and
 * empties the apache-arrow objects made from it.
 */
export class PooledTable implements Disposable, AsyncDisposable {
  readonly #schema: PooledSchema;
  #batches: readonly PooledRecordBatch[] | null;
  readonly #registry = new ArrowObjectRegistry();

  static {
    makeTable = (schema, batches) => new PooledTable(CONSTRUCTION_KEY, schema, batches);
  }

  /** @internal Tables come from `PooledTableBuilder#finish`, `pooledTableFromArrays` or `readIPC*`. */
  constructor(key: symbol, schema: PooledSchema, batches: readonly PooledRecordBatch[]) {
    if (key !== CONSTRUCTION_KEY) {
      throw Object.assign(
        new TypeError(
          "Illegal constructor: tables come from PooledTableBuilder, pooledTableFromArrays or readIPC*",
        ),
        { code: "ERR_ILLEGAL_CONSTRUCTOR" },
      );
    }
    this.#schema = schema;
    this.#batches = Object.freeze([...batches]);
  }

  /**
   * The table's schema.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get schema(): PooledSchema {
    this.#live("read schema");
    return this.#schema;
  }

  /**
   * The number of rows, over every batch.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get numRows(): number {
    return this.#live("read numRows").reduce((rows, batch) => rows + batch.numRows, 0);
  }

  /**
   * The number of columns (fields of the schema).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get numCols(): number {
    this.#live("read numCols");
    return this.#schema.fields.length;
  }

  /**
   * The record batches, in order (owned by the table: do not dispose them separately).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get batches(): readonly PooledRecordBatch[] {
    return this.#live("read batches");
  }

  /**
   * Bytes of the batches' buffers in use.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   */
  get byteLength(): number {
    return this.#live("read byteLength").reduce((bytes, batch) => bytes + batch.byteLength, 0);
  }

  /** Whether the table was disposed. */
  get disposed(): boolean {
    return this.#batches === null;
  }

  /** True while an IPC write of the table is in flight. */
  get busy(): boolean {
    return this.#batches?.some((batch) => batch.busy) ?? false;
  }

  /**
   * An apache-arrow Table viewing every batch's buffers (no copy).
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   * @throws `ArrowUnavailableError` `ERR_LGALLOC_ARROW_UNAVAILABLE` when apache-arrow
   *   cannot be loaded (and none was bound with `bindArrow`).
   */
  toArrowTable(): Arrow.Table {
    const batches = this.#live("convert to Arrow");
    const arrow = arrowModule();
    const schema = arrowSchema(arrow, this.#schema);
    return this.#registry.table(
      new arrow.Table(
        schema,
        batches.map((batch) => batch.toArrowRecordBatch()),
      ),
    );
  }

  /**
   * An apache-arrow Vector of column `name` across all batches (no copy).
   * @throws `InvalidArgValueError` `ERR_INVALID_ARG_VALUE` when no column is named `name`.
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` once disposed.
   * @throws `ArrowUnavailableError` `ERR_LGALLOC_ARROW_UNAVAILABLE` when apache-arrow
   *   cannot be loaded (and none was bound with `bindArrow`).
   */
  toArrowVector(name: string): Arrow.Vector {
    const batches = this.#live("convert to Arrow");
    const index = this.#schema.indexOf(name);
    if (index < 0) this.#schema.select([name], "name");
    const data = batches.map((batch) => batch.toArrowRecordBatch().data.children[index]!);
    return this.#registry.vector(new (arrowModule().Vector)(data));
  }

  /**
   * Releases every batch; the Arrow objects made from the table read as empty afterwards.
   * A second call does nothing.
   * @throws `LgallocError` `ERR_LGALLOC_BUSY` (releasing nothing) while an IPC write of the
   *   table is in flight.
   */
  dispose(): void {
    const batches = this.#batches;
    if (batches === null) return;
    // All or nothing: check every batch before releasing any.
    if (batches.some((batch) => batch.busy)) throw busyError("table");
    this.#batches = null;
    for (const batch of batches) batch.dispose();
    this.#registry.empty("table");
  }

  /** Like `dispose`, but waits for IPC writes in flight first. */
  async disposeAsync(): Promise<void> {
    const batches = this.#batches;
    if (batches === null) return;
    this.#batches = null;
    await Promise.all(batches.map((batch) => batch.disposeAsync()));
    this.#registry.empty("table");
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
    if (this.#batches === null) return "PooledTable(disposed)";
    return `PooledTable(numRows=${this.numRows}, batches=${this.#batches.length}) ${this.#schema
      .toString()
      .replace("PooledSchema ", "")}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #live(operation: string): readonly PooledRecordBatch[] {
    if (this.#batches === null) throw disposedError("table", operation);
    return this.#batches;
  }
}
