// `ColumnBuffer`: a nullable, append-only column with Apache Arrow's memory layout, on
// `LargeVec`s (so on pooled memory once a buffer passes 2 MiB). It owns the column's
// length, null count and validity bitmap, validates every argument, and makes each append
// atomic; the value buffers of each layout live in column-storage.ts, the kinds and their
// conversions in column-kinds.ts.
//
// Layout (Arrow "Columnar Format"): fixed-width values, one per slot (zero in null slots);
// `bool` values bit-packed; utf8/binary as length + 1 offsets (Int32, or BigInt64 for the
// large kinds) into a byte buffer, a null slot repeating the previous offset. Validity is a
// bitmap, bit i % 8 of byte i >> 3, 1 = valid, allocated at the first null (earlier slots
// backfilled with 1s); with no nulls there is no bitmap and `validity()` is null.
//
// Values: what each kind accepts is listed in column-kinds.ts (64-bit kinds take bigints or
// safe-integer numbers; dates and timestamps also take Dates). `get` returns what is stored:
// numbers, bigints for the 64-bit kinds (date64 and timestamp included, in their unit),
// days for date32, booleans, strings, and copies of the bytes for binary kinds. Only `null`
// is a null: `undefined` is refused like any other value of the wrong type, so that a hole
// (`array[i]` past the end) cannot slip in silently.

import { inspect } from "node:util";

import {
  InvalidArgTypeError,
  InvalidArgValueError,
  InvalidThisError,
  LgallocError,
  MAX_REGION_BYTES,
  NotCloneableError,
  OutOfRangeError,
  refuseCloning,
  validateOptions,
} from "@lgalloc/core";

import {
  COLUMN_KINDS,
  TIME_UNITS,
  isColumnKind,
  type ColumnData,
  type ColumnInput,
  type ColumnKind,
  type ColumnOffsets,
  type ColumnValue,
  type ColumnValues,
  type TimeUnit,
} from "./column-kinds";
import { checkInteger } from "./argument-checks";
import { argumentName, createStorage, INT32_MAX, type ColumnStorage } from "./column-storage";
import { sealBuffers, type SealedColumn } from "./column-seal";
import { makeColumnToken, takeColumnToken, type ColumnBufferToken } from "./column-transfer";
import { Bitmap } from "./validity-bitmap";

/** Brand shared by every copy of this package, so `isColumnBuffer` works across duplicates. */
const COLUMN_BUFFER_BRAND = Symbol.for("lgalloc.ColumnBuffer");

/** The validity bitmap's bits: 64 GiB of them. */
const VALIDITY_MAX_SLOTS = MAX_REGION_BYTES * 8;

/** Values shown by `toString` / `util.inspect`. */
const INSPECT_VALUES = 10;

function cloneGuard(): never {
  throw new NotCloneableError(
    "ColumnBuffer",
    "send its buffers instead (column.values(), validity(), offsets(), data(): copy them " +
      "with .slice(), or move the Arrow data), or its values with column.toArray()",
  );
}

function disposedError(operation: string): LgallocError {
  return new LgallocError("ERR_LGALLOC_DISPOSED", `Cannot ${operation}: the column was disposed`);
}

function pinnedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_BUSY",
    `Cannot ${operation}: the column is pinned (an Arrow vector views its buffers; release it with releaseArrowVector, or let it be garbage collected)`,
  );
}

/** A pin on a `ColumnBuffer` (see `ColumnBuffer#pin`). */
export interface ColumnPin extends Disposable {
  /** Lets go of the pin; the column can change again once no pin is held. */
  release(): void;
  /** True after `release()`. */
  readonly released: boolean;
}

/** Options of `ColumnBuffer.create`. */
export interface ColumnBufferOptions {
  /**
   * The unit of a `timestamp` column's Int64 values; only valid for that kind.
   * @defaultValue "ms"
   */
  unit?: TimeUnit;
}

/**
 * A nullable column in Arrow's layout. Append with `append`, `appendMany`, `appendNull`;
 * read with `get` / `isValid`; hand the buffers to Arrow with `values()`, `validity()`,
 * `offsets()`, `data()` (zero-copy views, valid until the column next grows or is
 * disposed; a stale view has length 0, never freed memory).
 *
 * Every method and getter of a disposed column throws `LgallocError` `ERR_LGALLOC_DISPOSED`,
 * except `dispose` (a no-op), `disposed`, `toString` and `util.inspect`.
 */
export class ColumnBuffer<K extends ColumnKind = ColumnKind>
  implements Disposable, Iterable<ColumnValue<K> | null>
{
  readonly #kind: K;
  readonly #unit: TimeUnit | null;
  /** Null once disposed. */
  #storage: ColumnStorage | null;
  /** Allocated at the first null. */
  #validity: Bitmap | null = null;
  #length = 0;
  #nullCount = 0;
  /** True while appendMany runs its iterable (user code): pinning then is refused. */
  #iterating = false;
  /** Pins held (`pin`): while any is, the buffers must not change. */
  #pins = 0;
  /** Set by `dispose` while pinned: releases the memory once the last pin goes. */
  #releaseWhenUnpinned: (() => void) | null = null;

  /**
   * A new, empty column of `kind`.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a `kind` that is not a string or options
   *   that are not a plain object; `ERR_INVALID_ARG_VALUE` for an unknown kind, an unknown
   *   option, or a `unit` that is not `"s"`, `"ms"`, `"us"` or `"ns"` (or given for a kind
   *   other than `timestamp`).
   */
  static create<K extends ColumnKind>(kind: K, options?: ColumnBufferOptions): ColumnBuffer<K> {
    return new ColumnBuffer(kind, options);
  }

  /** True for a `ColumnBuffer` of any copy of this package. */
  static isColumnBuffer(value: unknown): value is ColumnBuffer {
    return (
      typeof value === "object" &&
      value !== null &&
      Object.prototype.hasOwnProperty.call(value, COLUMN_BUFFER_BRAND)
    );
  }

  /**
   * Takes over a column sent from another thread (or this one) with `transfer()`; a
   * malformed, forged or spent token is an `LgallocError` `ERR_LGALLOC_INVALID_TOKEN`.
   */
  static adopt(token: ColumnBufferToken): ColumnBuffer {
    const taken = takeColumnToken(token);
    const column = new ColumnBuffer(
      taken.kind,
      taken.kind === "timestamp" ? { unit: taken.unit ?? "ms" } : undefined,
    );
    column.#storage!.dispose();
    column.#storage = createStorage(taken.kind, taken.unit ?? "ms", taken.storage, taken.length);
    column.#validity = taken.validity === null ? null : new Bitmap(taken.validity, taken.length);
    column.#length = taken.length;
    column.#nullCount = taken.nullCount;
    return column;
  }

  /**
   * Same as `ColumnBuffer.create(kind, options)`.
   *
   * @throws as `ColumnBuffer.create`.
   */
  constructor(kind: K, options?: ColumnBufferOptions) {
    if (typeof kind !== "string") throw new InvalidArgTypeError("kind", "of type string", kind);
    if (!isColumnKind(kind)) {
      throw new InvalidArgValueError(
        "kind",
        `must be one of ${COLUMN_KINDS.map((name) => `'${name}'`).join(", ")}`,
        kind,
      );
    }
    const unit = parseUnit(kind, options);
    this.#kind = kind;
    this.#unit = unit;
    this.#storage = createStorage(kind, unit ?? "ms");
    // An own property, so that the prototype and objects inheriting from a column are not
    // columns (as for LargeVec); non-enumerable, so that it does not show in inspection.
    Object.defineProperty(this, COLUMN_BUFFER_BRAND, { value: true });
    refuseCloning(this, cloneGuard);
  }

  /** The column's kind, e.g. `"utf8"`. */
  get kind(): K {
    ColumnBuffer.#live(this, "read kind");
    return this.#kind;
  }

  /** The time unit of a `timestamp` column; null for other kinds. */
  get unit(): TimeUnit | null {
    ColumnBuffer.#live(this, "read unit");
    return this.#unit;
  }

  /** Slots, null or not. */
  get length(): number {
    ColumnBuffer.#live(this, "read length");
    return this.#length;
  }

  /** Slots that hold null. */
  get nullCount(): number {
    ColumnBuffer.#live(this, "read nullCount");
    return this.#nullCount;
  }

  /** Bytes in use by all buffers: values (or offsets + data) and validity. */
  get byteLength(): number {
    const storage = ColumnBuffer.#live(this, "read byteLength");
    return storage.byteLength + (this.#validity?.byteLength ?? 0);
  }

  /** True after `dispose()`. */
  get disposed(): boolean {
    return ColumnBuffer.#check(this).#storage === null;
  }

  /**
   * Data bytes utf8/binary values can still take before the Int32 offsets overflow (a
   * value longer than this would be refused); Infinity for the large and fixed kinds. A
   * builder checks it to start a new column before that happens (column-seal.ts).
   */
  get remainingDataBytes(): number {
    const storage = ColumnBuffer.#live(this, "read remainingDataBytes");
    if (this.#kind !== "utf8" && this.#kind !== "binary") return Infinity;
    return INT32_MAX - storage.data()!.length;
  }

  /**
   * Hands the buffers over, trimmed (see column-seal.ts), and leaves this column empty and
   * usable, of the same kind. On error (out of memory) the column is unchanged.
   */
  seal(): SealedColumn<K> {
    const storage = ColumnBuffer.#mutable(this, "seal");
    const fresh = createStorage(this.#kind, this.#unit ?? "ms");
    const sealed = sealBuffers(
      this.#kind,
      this.#unit,
      this.#length,
      this.#nullCount,
      storage,
      this.#validity,
    );
    this.#storage = fresh;
    this.#validity = null;
    this.#length = 0;
    this.#nullCount = 0;
    return sealed;
  }

  /**
   * Appends a value, or a null. Throws `TypeError` `ERR_INVALID_ARG_TYPE` for a value of
   * the wrong type and `RangeError` `ERR_OUT_OF_RANGE` for one outside the kind's range
   * (or that would overflow utf8/binary's Int32 offsets); the column is then unchanged.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE`, `RangeError` `ERR_OUT_OF_RANGE`, the core's
   *   allocation errors, `LgallocError` `ERR_LGALLOC_DISPOSED` on a disposed column.
   */
  append(value: ColumnInput<K> | null): this {
    const storage = ColumnBuffer.#mutable(this, "append");
    if (value === null) {
      // (A separate method: a closure here would make every append allocate its context.)
      this.#appendOneNull();
      return this;
    }
    const converted = storage.convert(value, "value");
    // (A Date's conversion reads no user code, but the check is what keeps that a detail.)
    if (this.#storage !== storage) throw disposedError("append");
    // The hot path of row-by-row building: no closure for #atomically, the same rollback.
    const length = this.#length;
    try {
      storage.write(converted, -1);
      this.#validity?.push(true);
    } catch (error) {
      storage.truncate(length);
      this.#validity?.truncate(length);
      throw error;
    }
    this.#length = length + 1;
    return this;
  }

  /**
   * Appends every element of an iterable (values and nulls), all or nothing: if an
   * element is invalid (the error names it, e.g. `values[3]`) or the iteration throws,
   * the column is left as it was. A typed array of the kind's own type (e.g. a
   * Float64Array into float64) is copied at once, without per-element checks.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for `values` that are not an iterable object;
   *   as `append` for each element; `ERR_LGALLOC_DISPOSED`, also when the column is disposed
   *   during the iteration.
   */
  appendMany(values: Iterable<ColumnInput<K> | null>): this {
    const storage = ColumnBuffer.#mutable(this, "appendMany");
    if (
      typeof values !== "object" ||
      values === null ||
      typeof (values as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function"
    ) {
      throw new InvalidArgTypeError("values", "an iterable object (such as an Array)", values);
    }
    this.#iterating = true;
    try {
      this.#appendManyAtomically(storage, values);
    } finally {
      this.#iterating = false;
    }
    return this;
  }

  #appendManyAtomically(storage: ColumnStorage, values: Iterable<ColumnInput<K> | null>): void {
    this.#atomically(() => {
      const start = this.#length;
      const added = storage.writeTypedArray(values);
      if (added >= 0) {
        this.#validity?.pushRun(true, added);
        this.#length = start + added;
        return;
      }
      let index = 0;
      for (const value of values) {
        // The iterator is user code: it may have disposed this column, or appended to it.
        if (this.#storage !== storage) throw disposedError("appendMany");
        if (this.#pins > 0) throw pinnedError("appendMany");
        if (value === null) {
          this.#appendNulls(1);
        } else {
          let converted;
          try {
            converted = storage.convert(value, "values");
          } catch {
            // Convert again, naming the element: only on this rare path do we pay for
            // building the name.
            converted = storage.convert(value, argumentName(index));
          }
          storage.write(converted, index);
          this.#validity?.push(true);
          this.#length++;
        }
        index++;
      }
    });
  }

  /**
   * Makes room for `slots` more values without growing on the way (the values buffer, or a
   * utf8/binary column's offsets; not its data bytes, nor the validity bitmap): for a
   * caller that knows how many are coming, so that no intermediate buffer is made,
   * copied and dropped. Changes nothing else.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number; `RangeError`
   *   `ERR_OUT_OF_RANGE` unless it is a safe integer >= 0 that fits the column; the core's
   *   allocation errors; `ERR_LGALLOC_BUSY` while pinned.
   */
  reserve(slots: number): void {
    const storage = ColumnBuffer.#mutable(this, "reserve");
    const room = Math.min(storage.maxSlots, VALIDITY_MAX_SLOTS) - this.#length;
    storage.reserve(checkInteger(slots, "slots", 0, room));
  }

  /**
   * Makes room for `bytes` more data bytes of a utf8/binary column (of any variable-width
   * kind) at once, without growing through intermediate sizes on the way: for a caller
   * that knows (or bounds from below) how many bytes are coming, e.g. the sum of a batch's
   * string lengths. A no-op for fixed-width kinds. Changes nothing else.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number; `RangeError`
   *   `ERR_OUT_OF_RANGE` unless it is a safe integer >= 0 within the column's 64 GiB; the
   *   core's allocation errors; `ERR_LGALLOC_BUSY` while pinned.
   */
  reserveData(bytes: number): void {
    const storage = ColumnBuffer.#mutable(this, "reserveData");
    const room = MAX_REGION_BYTES - (storage.data()?.length ?? 0);
    storage.reserveData(checkInteger(bytes, "bytes", 0, room));
  }

  /**
   * Appends `count` nulls (default 1).
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number `count`; `RangeError`
   *   `ERR_OUT_OF_RANGE` unless it is a safe integer >= 0 the column can hold.
   */
  appendNull(count: number = 1): this {
    ColumnBuffer.#mutable(this, "appendNull");
    if (typeof count !== "number") throw new InvalidArgTypeError("count", "of type number", count);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new OutOfRangeError("count", `an integer >= 0 && <= ${Number.MAX_SAFE_INTEGER}`, count);
    }
    if (count === 0) return this;
    // Checked before anything is allocated: the buffers hold at most 64 GiB each.
    const storage = ColumnBuffer.#mutable(this, "appendNull");
    const room = Math.min(storage.maxSlots, VALIDITY_MAX_SLOTS) - this.#length;
    if (count > room) {
      throw new OutOfRangeError(
        "count",
        `<= ${room} (the slots that still fit the column: its buffers hold at most 64 GiB each)`,
        count,
      );
    }
    try {
      this.#atomically(() => this.#appendNulls(count));
    } catch (error) {
      // The buffers refuse a length past their 64 GiB limit; name the argument that asked.
      if (!(error instanceof OutOfRangeError)) throw error;
      throw new OutOfRangeError(
        "count",
        `an integer such that length + count slots fit the column (its buffers hold at most 64 GiB)`,
        count,
      );
    }
    return this;
  }

  /**
   * Drops the slots from `length` on (no-op if `length >= this.length`), e.g. to undo the
   * values a failed row of a table left in its other columns. The null count follows.
   */
  truncate(length: number): void {
    const storage = ColumnBuffer.#mutable(this, "truncate");
    if (typeof length !== "number")
      throw new InvalidArgTypeError("length", "of type number", length);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new OutOfRangeError(
        "length",
        `an integer >= 0 && <= ${Number.MAX_SAFE_INTEGER}`,
        length,
      );
    }
    if (length >= this.#length) return;
    const validity = this.#validity;
    if (validity !== null) {
      let droppedNulls = 0;
      for (let i = length; i < this.#length; i++) if (!validity.get(i)) droppedNulls++;
      validity.truncate(length);
      this.#nullCount -= droppedNulls;
    }
    storage.truncate(length);
    this.#length = length;
  }

  /**
   * The value at `index`, or null for a null slot.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number index; `RangeError`
   *   `ERR_OUT_OF_RANGE` unless it is an integer in [0, length).
   */
  get(index: number): ColumnValue<K> | null {
    const storage = ColumnBuffer.#live(this, "get");
    this.#checkIndex(index);
    if (this.#validity !== null && !this.#validity.get(index)) return null;
    return storage.read(index) as ColumnValue<K>;
  }

  /**
   * False for a null slot.
   *
   * @throws as `get`.
   */
  isValid(index: number): boolean {
    ColumnBuffer.#live(this, "isValid");
    this.#checkIndex(index);
    return this.#validity === null || this.#validity.get(index);
  }

  /**
   * The values buffer without a copy: a typed array of the kind's type (for `bool`, the
   * bit-packed Uint8Array; for utf8/binary kinds, the data bytes, like arrow-js's
   * `Data.values`).
   */
  values(): ColumnValues<K> {
    return ColumnBuffer.#live(this, "values").values() as ColumnValues<K>;
  }

  /** The validity bitmap without a copy, or null while the column has no nulls. */
  validity(): Uint8Array | null {
    ColumnBuffer.#live(this, "validity");
    return this.#validity?.view() ?? null;
  }

  /** The length + 1 offsets of utf8/binary kinds without a copy; null for other kinds. */
  offsets(): ColumnOffsets<K> {
    return ColumnBuffer.#live(this, "offsets").offsets() as ColumnOffsets<K>;
  }

  /** The data bytes of utf8/binary kinds without a copy; null for other kinds. */
  data(): ColumnData<K> {
    return ColumnBuffer.#live(this, "data").data() as ColumnData<K>;
  }

  /**
   * Moves the column out of this thread (see column-transfer.ts): its buffers are sealed
   * and their vectors transferred into the token (pooled regions without a copy); this
   * column is disposed. Send it with `port.postMessage(token, token.transferList)`.
   */
  transfer(): ColumnBufferToken {
    const self = ColumnBuffer.#check(this);
    const token = makeColumnToken(self.seal());
    self.dispose();
    return token;
  }

  /** Releases the buffers (pooled regions go back to the pool). A second call does nothing. */
  dispose(): void {
    const storage = ColumnBuffer.#check(this).#storage;
    if (storage === null) return;
    this.#storage = null;
    const validity = this.#validity;
    this.#validity = null;
    const release = (): void => {
      storage.dispose();
      validity?.dispose();
    };
    // Pinned: the column is unusable from now on, but its memory stays for the pins'
    // holders (an Arrow vector viewing it) until the last one lets go.
    if (this.#pins > 0) this.#releaseWhenUnpinned = release;
    else release();
  }

  /**
   * Freezes the column's buffers for a holder that views them (`toArrowVectorPinned` of
   * @lgalloc/arrow): until the pin is released, reads work as usual and the views of
   * `values()`, `offsets()`, `validity()` stay valid, while every change (`append*`,
   * `truncate`, `seal`, `transfer`) throws `LgallocError` `ERR_LGALLOC_BUSY`, so that no
   * append can grow a buffer under the holder's views. `dispose()` while pinned makes the
   * column unusable at once and releases its memory when the last pin is released. Pins
   * count: the column is frozen while any is held. Releasing twice does nothing.
   *
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` on a disposed column; `ERR_LGALLOC_BUSY`
   *   from inside `appendMany`'s iterable (the column is half-way through an append).
   */
  pin(): ColumnPin {
    ColumnBuffer.#live(this, "pin");
    if (this.#iterating) {
      // From appendMany's iterator: the views would show a half-done, maybe rolled-back append.
      throw new LgallocError(
        "ERR_LGALLOC_BUSY",
        "Cannot pin: the column is in the middle of appendMany (a call from its iterator)",
      );
    }
    this.#pins++;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      if (--this.#pins === 0 && this.#releaseWhenUnpinned !== null) {
        const releaseMemory = this.#releaseWhenUnpinned;
        this.#releaseWhenUnpinned = null;
        releaseMemory();
      }
    };
    return Object.freeze({
      release,
      get released() {
        return !held;
      },
      [Symbol.dispose]: release,
    });
  }

  /** True while a pin is held (see `pin`). */
  get pinned(): boolean {
    return ColumnBuffer.#check(this).#pins > 0;
  }

  /** The same as `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    ColumnBuffer.#check(this).dispose();
  }

  /** `ColumnBuffer<utf8>(length=3, nullCount=1, byteLength=20) ['a', null, 'c']`. */
  toString(): string {
    ColumnBuffer.#check(this);
    const unit = this.#unit === null ? "" : `[${this.#unit}]`;
    const name = `ColumnBuffer<${this.#kind}${unit}>`;
    if (this.#storage === null) return `${name}(disposed)`;
    const storage = this.#storage;
    const shown: string[] = [];
    for (let i = 0; i < Math.min(this.#length, INSPECT_VALUES); i++) {
      shown.push(this.#validity?.get(i) === false ? "null" : storage.preview(i));
    }
    if (this.#length > INSPECT_VALUES) shown.push("...");
    return `${name}(length=${this.#length}, nullCount=${this.#nullCount}, byteLength=${this.byteLength}) [${shown.join(", ")}]`;
  }

  /** What `util.inspect` shows: as `toString()`, or `ColumnBuffer<utf8>(disposed)`. */
  [inspect.custom](): string {
    // `ColumnBuffer.prototype` and objects inheriting from a column are no columns.
    return #storage in this ? this.toString() : "ColumnBuffer {}";
  }

  /** The slots in order: values as `get` returns them, and nulls. */
  *[Symbol.iterator](): IterableIterator<ColumnValue<K> | null> {
    ColumnBuffer.#live(this, "iterate");
    for (let index = 0; index < this.#length; index++) {
      // Checked at each step: the loop body may have disposed the column.
      ColumnBuffer.#live(this, "iterate");
      yield this.get(index);
    }
  }

  /** The slots as an Array: values as `get` returns them, and nulls. */
  toArray(): (ColumnValue<K> | null)[] {
    const storage = ColumnBuffer.#live(this, "call toArray()");
    const out: (ColumnValue<K> | null)[] = [];
    const validity = this.#validity;
    for (let index = 0; index < this.#length; index++) {
      out.push(
        validity !== null && !validity.get(index) ? null : (storage.read(index) as ColumnValue<K>),
      );
    }
    return out;
  }

  /** What `JSON.stringify` writes: `toArray()`. */
  toJSON(): (ColumnValue<K> | null)[] {
    return ColumnBuffer.#check(this).toArray();
  }

  /** Runs `change`; if it throws, puts length, nulls and every buffer back as they were. */
  #atomically(change: () => void): void {
    const length = this.#length;
    const nullCount = this.#nullCount;
    const hadValidity = this.#validity !== null;
    try {
      change();
    } catch (error) {
      // A column disposed from inside the iterable has nothing left to restore.
      const storage = this.#storage;
      if (storage !== null) {
        storage.truncate(length);
        if (hadValidity) {
          this.#validity?.truncate(length);
        } else {
          this.#validity?.dispose();
          this.#validity = null;
        }
        this.#length = length;
        this.#nullCount = nullCount;
      }
      throw error;
    }
  }

  #appendOneNull(): void {
    this.#atomically(() => this.#appendNulls(1));
  }

  #appendNulls(count: number): void {
    const storage = this.#storage!;
    let validity = this.#validity;
    if (validity === null) {
      validity = new Bitmap();
      this.#validity = validity;
      validity.pushRun(true, this.#length);
    }
    validity.pushRun(false, count);
    storage.writeNulls(count);
    this.#length += count;
    this.#nullCount += count;
  }

  #checkIndex(index: number): void {
    if (typeof index !== "number") throw new InvalidArgTypeError("index", "of type number", index);
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
      throw new OutOfRangeError(
        "index",
        this.#length === 0
          ? "an index into a non-empty column"
          : `an integer >= 0 && < ${this.#length}`,
        index,
      );
    }
  }

  /** `value` as a column of this package; `ERR_INVALID_THIS` for anything else. */
  static #check(value: unknown): ColumnBuffer {
    // `#storage in` reads no property and runs no Proxy trap.
    if (typeof value === "object" && value !== null && #storage in value) return value;
    throw new InvalidThisError("ColumnBuffer");
  }

  /** As `#live`, for a change: also `ERR_LGALLOC_BUSY` while the column is pinned. */
  static #mutable(value: unknown, operation: string): ColumnStorage {
    const storage = ColumnBuffer.#live(value, operation);
    if ((value as ColumnBuffer).#pins > 0) throw pinnedError(operation);
    return storage;
  }

  /** The storage of `value`, a live column: `ERR_INVALID_THIS`, then `ERR_LGALLOC_DISPOSED`. */
  static #live(value: unknown, operation: string): ColumnStorage {
    const storage = ColumnBuffer.#check(value).#storage;
    if (storage === null) throw disposedError(operation);
    return storage;
  }
}

/** The unit of a column from its options; ERR_INVALID_ARG_* for anything else. */
function parseUnit(kind: ColumnKind, options: unknown): TimeUnit | null {
  // Own properties only, each read once (validateOptions).
  const unit =
    options === undefined ? undefined : validateOptions(options, "options", ["unit"]).unit;
  if (unit === undefined) return kind === "timestamp" ? "ms" : null;
  if (kind !== "timestamp") {
    throw new InvalidArgValueError("options.unit", "is only valid for the timestamp kind", unit);
  }
  if (typeof unit !== "string")
    throw new InvalidArgTypeError("options.unit", "of type string", unit);
  if (!(TIME_UNITS as readonly string[]).includes(unit)) {
    throw new InvalidArgValueError(
      "options.unit",
      `must be one of ${TIME_UNITS.map((name) => `'${name}'`).join(", ")}`,
      unit,
    );
  }
  return unit as TimeUnit;
}
