// `LargeVec<T>`: a growable vector of typed-array elements (docs/collections-api.md).
//
// Storage: below 2 MiB (the smallest region) an ordinary ArrayBuffer on the JS heap; from
// 2 MiB on a pooled `Region` of @lgalloc/core, whose capacity is a power of two. Growing
// doubles the capacity, copies with `TypedArray#set` and releases the old storage at once:
// a region is disposed, a heap buffer detached, so that a view taken before the move has
// length 0 instead of showing stale data. The core's region is the only owner of pooled
// memory; when a vector is dropped without `dispose`, its region's buffer being collected
// returns the region to the pool (no finalizer here, so nothing can be released twice).
//
// Speed: `push`, `get`, `set` and `pop` keep the first typed array (`#array`) in a field and
// take a fast path of one or two comparisons and one typed-array access; everything else
// (growth, conversion of non-primitive values, errors, disposal, storage beyond 2^32
// elements) is on slow paths in separate methods. A disposed vector has `#length` and
// `#fast` 0, so the fast paths fail over to the slow ones, which throw. Storage that other
// code detached reads as `undefined` on the fast paths (checked before a store), which
// fail over too (ERR_LGALLOC_BUFFER_DETACHED). What V8 does with all this (inlining, field
// types, maps) is measured in packages/collections/bench section 2b and pinned by
// test/src/large-vec-optimizer.test.ts (issue 8).
//
// Errors never lose data: every operation validates and converts its arguments (which may
// run user `valueOf` code) before it changes anything, and allocates new storage before it
// releases the old.

import { inspect, types } from "node:util";

import {
  InvalidArgTypeError,
  InvalidArgValueError,
  InvalidThisError,
  LgallocError,
  NotCloneableError,
  MAX_REGION_BYTES,
  MIN_REGION_BYTES,
  OutOfRangeError,
  refuseCloning,
  sizeClassOf,
  type Region,
  type TypedArray,
  type TypedArrayConstructor,
} from "@lgalloc/core";

import {
  checkIndex,
  checkInteger,
  checkOptionalFunction,
  checkRelativePosition,
} from "./argument-checks";
import {
  CHUNK_ELEMENTS,
  MAX_VIEW_ELEMENTS,
  chunkIndex,
  chunkViews,
  forEachSpan,
} from "./chunked-views";
import { keepMapsAlive } from "./map-anchors";
import {
  conversionError,
  convertElement,
  elementKindOf,
  holdsBigInts,
  isTypedArray,
  type ElementKind,
  type ElementOf,
} from "./element-kinds";

import { arrayBufferByteLength, plainView, typedArrayLength } from "./intrinsics";
import { makeToken, takeToken, type LargeVecToken } from "./large-vec-token";
import { convertSource } from "./source-blocks";
import { emptyStorage, newStorage, releaseStorage, type Storage } from "./vec-storage";

export type { ElementOf } from "./element-kinds";
export type { LargeVecToken } from "./large-vec-token";

/** Where a vector's elements live. */
export type LargeVecStorage = "heap" | "pooled";

/** Brand shared by every copy of this package, so `isLargeVec` works across duplicates. */
const BRAND = Symbol.for("lgalloc.LargeVec");

/** What `#array` holds before the constructor sets it (see there). */
const EMPTY_F64 = new Float64Array(0);

/** Fewest elements a growing vector allocates. */
const MIN_GROWTH = 8;

/** Elements per step of a reversal longer than one typed array. */
const REVERSE_BLOCK = 2 ** 20;

/** Values shown by `toString` / `util.inspect`. */
const SHOWN_VALUES = 10;

/** How the constructor fills the new elements. */
const enum Init {
  Zero,
  Unsafe,
  Capacity,
}

/** A private key: only this module can ask the constructor for `Init.Unsafe` / `Capacity`. */
const INIT_KEY = Symbol("LargeVec init");

/**
 * The typed-array operations the vector uses, for any element kind (the union of the 11
 * typed array types does not let TypeScript call them with an element of unknown kind).
 */
interface Elements {
  [index: number]: unknown;
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  fill(value: unknown, start?: number, end?: number): this;
  set(source: ArrayLike<unknown>, offset?: number): void;
  subarray(start?: number, end?: number): Elements;
  slice(start?: number, end?: number): Elements;
  indexOf(value: unknown, fromIndex?: number): number;
  includes(value: unknown, fromIndex?: number): boolean;
  sort(compare?: (a: never, b: never) => number): this;
  reverse(): this;
  join(separator?: string): string;
}

function disposedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_DISPOSED",
    `Cannot ${operation}: the LargeVec was disposed or transferred`,
  );
}

function bufferDetachedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_BUFFER_DETACHED",
    `Cannot ${operation}: the vector's storage (the buffer of its views: vec.view().buffer, ` +
      "or a column's values().buffer) was detached by other code, e.g. moved with " +
      "structuredClone(buffer, { transfer: [buffer] }) or postMessage; its memory now " +
      "belongs to whoever received it. Call dispose() to end the vector or column",
  );
}

function cloneGuard(): never {
  throw new NotCloneableError(
    "LargeVec",
    "move it to another thread with vec.transfer() and LargeVec.adopt(token) there, or " +
      "send a copy of its elements with vec.toTypedArray()",
  );
}

/** Thrown when a callback (a sort comparator) changed the vector it was called for. */
function modifiedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_CONCURRENT_MODIFICATION",
    `Cannot ${operation}: the vector was resized, reallocated or disposed by the callback`,
  );
}

function isPositiveZero(value: unknown): boolean {
  return value === 0n || (value === 0 && 1 / value > 0);
}

function formatElement(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  return Object.is(value, -0) ? "-0" : String(value);
}

/**
 * A growable vector of `T` elements (one of the 11 typed array types) on the JS heap while
 * small and on pooled lgalloc regions from 2 MiB on, up to 64 GiB.
 *
 * Every method and getter of a disposed (or transferred) vector throws `LgallocError`
 * `ERR_LGALLOC_DISPOSED`, except `dispose` (a no-op) and `disposed`. After any error the
 * vector is unchanged and usable.
 */
export class LargeVec<T extends TypedArray = Float64Array>
  implements Disposable, Iterable<ElementOf<T>>
{
  readonly #kind: ElementKind<T>;
  /** `typeof` an element: `"number"`, or `"bigint"` for the 64-bit integer kinds. */
  readonly #primitive: "number" | "bigint";
  /**
   * The first chunk of the storage (all of it unless it holds more than 2^32 elements).
   * Declared with a value: a field declared without one starts as `undefined`, and V8 then
   * records "any object" as the field's type, so that every loop that pushes checks the
   * array's class before each store (7% of a push in the benchmark). Starting as a
   * Float64Array (the default element type) keeps the type exact in a program whose vectors
   * all hold doubles; vectors of other kinds widen it to "any object" for all (issue 8).
   */
  #array: Elements = EMPTY_F64 as unknown as Elements;
  /** Elements `#array` covers; 0 once disposed, so that every fast path fails over. */
  #fast: number;
  /** Views covering the whole capacity; `[#array]` unless longer than 2^32 elements. */
  #chunks: Elements[];
  #length = 0;
  /** In elements. */
  #capacity = 0;
  #buffer: ArrayBuffer;
  #region: Region | undefined = undefined;
  /** Elements at or after `max(#dirtyEnd, #length)` are zero, so growing needs no zeroing. */
  #dirtyEnd = 0;
  #disposed = false;

  /**
   * `length` elements, zero-filled like `new Float64Array(length)` (zeroing is skipped when
   * the region is known to be zero).
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` if `elementType` is not one of the 11 typed
   *   array constructors or `length` not a number; `RangeError` `ERR_OUT_OF_RANGE` if
   *   `length` is not an integer from 0 to 64 GiB's worth of elements; the core's
   *   `ERR_LGALLOC_OUT_OF_MEMORY` / `ERR_LGALLOC_DISABLED` from 2 MiB on.
   */
  constructor(elementType: TypedArrayConstructor<T>, length?: number);
  constructor(
    elementType: TypedArrayConstructor<T>,
    length: number = 0,
    key?: symbol,
    init?: Init,
  ) {
    const kind = elementKindOf<T>(elementType, "elementType");
    const max = MAX_REGION_BYTES / kind.bytesPerElement;
    const count = checkInteger(
      length,
      key === INIT_KEY && init === Init.Capacity ? "capacity" : "length",
      0,
      max,
    );
    const mode = key === INIT_KEY && init !== undefined ? init : Init.Zero;
    this.#kind = kind;
    this.#primitive = kind.primitive;
    const storage = count === 0 ? emptyStorage() : newStorage(kind, count);
    this.#chunks = chunkViews(kind.Ctor, storage.buffer, storage.capacity) as unknown as Elements[];
    this.#array = this.#chunks[0]!;
    this.#fast = this.#array.length;
    this.#buffer = storage.buffer;
    this.#region = storage.region;
    this.#capacity = storage.capacity;
    if (mode === Init.Capacity) {
      this.#dirtyEnd = storage.knownZero ? 0 : storage.capacity;
    } else {
      if (mode === Init.Zero && !storage.knownZero) this.#zeroRange(0, count);
      this.#dirtyEnd = storage.knownZero ? 0 : storage.capacity;
      this.#length = count;
    }
    Object.defineProperty(this, BRAND, { value: true });
    refuseCloning(this, cloneGuard);
  }

  /**
   * An empty vector with room for `capacity` elements.
   *
   * @throws as the constructor, naming `capacity` instead of `length`.
   */
  static withCapacity<T extends TypedArray>(
    elementType: TypedArrayConstructor<T>,
    capacity: number,
  ): LargeVec<T> {
    return new (LargeVec as LargeVecInternalConstructor)<T>(
      elementType,
      capacity,
      INIT_KEY,
      Init.Capacity,
    );
  }

  /**
   * `length` elements whose contents are arbitrary, like `Buffer.allocUnsafe`: they may hold
   * bytes earlier users of the pool left behind (never bytes of another live owner). Write
   * every element before reading it, and never hand such a vector to code that trusts its
   * contents (it may disclose old data of this process).
   *
   * @throws as the constructor.
   */
  static allocUnsafe<T extends TypedArray>(
    elementType: TypedArrayConstructor<T>,
    length: number,
  ): LargeVec<T> {
    return new (LargeVec as LargeVecInternalConstructor)<T>(
      elementType,
      length,
      INIT_KEY,
      Init.Unsafe,
    );
  }

  /**
   * A vector holding a copy of `source`: a typed array, an array-like or an iterable.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for an `elementType` as in the constructor, a
   *   `source` that is a string or none of these, a bigint typed array into a number kind (or
   *   the reverse), or an element the typed array refuses (named `source[i]`); the core's
   *   allocation errors. Nothing stays allocated after an error.
   */
  static from<T extends TypedArray>(
    elementType: TypedArrayConstructor<T>,
    source: ArrayLike<unknown> | Iterable<unknown>,
  ): LargeVec<T> {
    // Room for exactly the elements when their number is known up front (a typed array's
    // internal length; an Array's own, unless a Proxy could lie about it).
    const known = isTypedArray(source)
      ? typedArrayLength(source)
      : Array.isArray(source) && !types.isProxy(source)
        ? source.length
        : 0;
    const vec = LargeVec.withCapacity(elementType, known);
    try {
      vec.#extend(source);
    } catch (error) {
      vec.dispose();
      throw error;
    }
    return vec;
  }

  /** True for a `LargeVec` of any copy of this package. */
  static isLargeVec(value: unknown): value is LargeVec<TypedArray> {
    return (
      typeof value === "object" &&
      value !== null &&
      Object.prototype.hasOwnProperty.call(value, BRAND)
    );
  }

  /**
   * Takes over a vector moved with `transfer()` (on any thread). A token works once.
   *
   * @throws `LgallocError` `ERR_LGALLOC_INVALID_TOKEN` for a malformed, spent or unknown token.
   */
  static adopt<T extends TypedArray = TypedArray>(token: LargeVecToken): LargeVec<T> {
    const { kind, length, storage } = takeToken<T>(token);
    const vec = LargeVec.withCapacity(kind.Ctor, 0);
    vec.#install(storage);
    vec.#length = length;
    return vec;
  }

  // ---- Properties ------------------------------------------------------------------

  /** Elements in the vector. */
  get length(): number {
    LargeVec.#alive(this, "read length");
    return this.#length;
  }

  /** Elements the current storage holds without reallocating. */
  get capacity(): number {
    LargeVec.#alive(this, "read capacity");
    return this.#capacity;
  }

  /** `"heap"` below 2 MiB, `"pooled"` on an lgalloc region. */
  get storage(): LargeVecStorage {
    LargeVec.#alive(this, "read storage");
    return this.#region === undefined ? "heap" : "pooled";
  }

  /** The typed array constructor of the elements. */
  get elementType(): TypedArrayConstructor<T> {
    LargeVec.#alive(this, "read elementType");
    return this.#kind.Ctor;
  }

  /** Bytes per element, as the element type's `BYTES_PER_ELEMENT`. */
  get BYTES_PER_ELEMENT(): number {
    LargeVec.#alive(this, "read BYTES_PER_ELEMENT");
    return this.#kind.bytesPerElement;
  }

  /** `length * BYTES_PER_ELEMENT`. */
  get byteLength(): number {
    LargeVec.#alive(this, "read byteLength");
    return this.#length * this.#kind.bytesPerElement;
  }

  /** True after `dispose()` or `transfer()`. */
  get disposed(): boolean {
    return LargeVec.#check(this).#disposed;
  }

  // ---- Elements --------------------------------------------------------------------

  /**
   * Appends the values (converted like the typed array converts them); the new length.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a value the typed array refuses (named
   *   `values[i]`; then none is appended); the core's `ERR_LGALLOC_OUT_OF_MEMORY` /
   *   `ERR_LGALLOC_DISABLED` when growing into a region.
   */
  push(...values: ElementOf<T>[]): number;
  push(value?: unknown): number {
    // The receiver check is the private field load itself: it throws for any object that
    // is not a vector, and a try costs nothing until it catches, where an `in` check before
    // it cost 25-35% of a push (measured: packages/collections/bench).
    let length: number;
    try {
      length = this.#length;
    } catch {
      throw new InvalidThisError("LargeVec");
    }
    // One primitive value: storing it runs no user code (a `valueOf` could change this very
    // vector midway). The wrong primitive (a bigint into a number kind, a number into a
    // bigint kind) makes the store throw before it writes anything. Comparing `typeof` with
    // constants is free where the value's type is known; with the kind's it was 20% slower.
    // Reading the element first catches storage that other code detached (a transferring
    // structuredClone of `view().buffer`), where the store would be dropped silently: it
    // reads `undefined` there and a number or bigint everywhere else, and optimized code
    // drops the read, whose checks the store makes anyway (issue 8).
    if (
      arguments.length === 1 &&
      length < this.#fast &&
      (typeof value === "number" || typeof value === "bigint") &&
      this.#array[length] !== undefined
    ) {
      try {
        this.#array[length] = value;
      } catch (error) {
        throw conversionError(this.#kind, "value", value, error);
      }
      return (this.#length = length + 1);
    }
    // Everything else (growth, conversion, several values, errors) is forwarded as it came:
    // TurboFan turns `apply` with the arguments object into a call that never creates that
    // object. `#pushSlow` must stay out of line (see there).
    return this.#pushSlow.apply(this, arguments as unknown as unknown[]);
  }

  /** Removes and returns the last element; `undefined` if empty. */
  pop(): ElementOf<T> | undefined {
    let length: number;
    try {
      length = this.#length; // the receiver check, as in push
    } catch {
      throw new InvalidThisError("LargeVec");
    }
    if (length > 0 && length <= this.#fast) {
      // `undefined`: storage detached by other code (see push); the slow path says so.
      const value = this.#array[length - 1];
      if (value !== undefined) {
        if (length > this.#dirtyEnd) this.#dirtyEnd = length;
        this.#length = length - 1;
        return value as ElementOf<T>;
      }
    }
    return this.#popSlow();
  }

  /**
   * The element at `index`.
   *
   * @throws `RangeError` `ERR_OUT_OF_RANGE` for an index that is negative, fractional, NaN
   *   or not below `length`; `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number.
   */
  get(index: number): ElementOf<T> {
    let length: number;
    try {
      length = this.#length; // the receiver check, as in push
    } catch {
      throw new InvalidThisError("LargeVec");
    }
    if (
      typeof index === "number" &&
      index >>> 0 === index &&
      index < length &&
      index < this.#fast
    ) {
      // `undefined`: storage detached by other code (see push); the slow path says so.
      const value = this.#array[index];
      if (value !== undefined) return value as ElementOf<T>;
    }
    return this.#getSlow(index);
  }

  /**
   * Stores `value` (converted like the typed array converts it) at `index`; or, like
   * `TypedArray#set(source, offset)`, copies the elements of `source` (a typed array, a
   * `LargeVec` or an Array, converted first) to `offset` (default 0) onwards, within the
   * length.
   *
   * @throws as `get` for the index; `TypeError` `ERR_INVALID_ARG_TYPE` for a value the
   *   typed array refuses (a bigint into a number kind, a number into a bigint kind);
   *   `RangeError` `ERR_OUT_OF_RANGE` for a source that does not fit before `length`.
   */
  set(index: number, value: ElementOf<T>): this;
  set(source: TypedArray | readonly ElementOf<T>[] | LargeVec<TypedArray>, offset?: number): this;
  set(index: unknown, value?: unknown): this {
    let length: number;
    try {
      length = this.#length; // the receiver check, as in push
    } catch {
      throw new InvalidThisError("LargeVec");
    }
    if (
      (typeof value === "number" || typeof value === "bigint") &&
      typeof index === "number" &&
      index >>> 0 === index &&
      index < length &&
      index < this.#fast &&
      this.#array[index] !== undefined // storage detached by other code, as in push
    ) {
      // As in push: a primitive stores without running user code, or throws storing nothing.
      try {
        this.#array[index] = value;
      } catch (error) {
        throw conversionError(this.#kind, "value", value, error);
      }
      return this;
    }
    // The typed-array form takes what `extend` takes but iterables and array-likes: an
    // object like `{ valueOf() {} }` stays an invalid index.
    if (
      isTypedArray(index) ||
      Array.isArray(index) ||
      (typeof index === "object" && index !== null && #disposed in index)
    ) {
      return this.#setFrom(index as object, value);
    }
    return this.#setSlow(index, value);
  }

  /**
   * The element at `index`, negative counting from the end; `undefined` if out of range.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number index; `RangeError`
   *   `ERR_OUT_OF_RANGE` for NaN or a fraction.
   */
  at(index: number): ElementOf<T> | undefined {
    LargeVec.#live(this, "call at()");
    if (typeof index !== "number") throw new InvalidArgTypeError("index", "of type number", index);
    if (Number.isNaN(index) || (Number.isFinite(index) && !Number.isInteger(index))) {
      throw new OutOfRangeError("index", "an integer (negative counts from the end)", index);
    }
    const length = this.#length;
    const position = index < 0 ? length + index : index;
    if (position < 0 || position >= length) return undefined;
    return this.#read(position);
  }

  // ---- Length and capacity ---------------------------------------------------------

  /**
   * Makes room for at least `additional` more elements (amortized: it may double).
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` / `RangeError` `ERR_OUT_OF_RANGE` for an
   *   `additional` that is not a safe integer >= 0 or goes past 64 GiB; the core's
   *   allocation errors.
   */
  reserve(additional: number): void {
    LargeVec.#live(this, "reserve");
    const more = checkInteger(additional, "additional", 0, Number.MAX_SAFE_INTEGER);
    const max = this.#maxLength();
    if (more > max - this.#length) {
      throw new OutOfRangeError(
        "additional",
        `<= ${max - this.#length} (64 GiB of elements)`,
        more,
      );
    }
    this.#ensure(this.#length + more);
  }

  /**
   * Sets the length to `length`; new elements are `fill` (converted) or zero.
   *
   * @throws `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` for a `length` as in the
   *   constructor; `ERR_INVALID_ARG_TYPE` for a `fill` the typed array refuses; the core's
   *   allocation errors.
   */
  resize(length: number, fill?: ElementOf<T>): void {
    LargeVec.#live(this, "resize");
    const target = checkInteger(length, "length", 0, this.#maxLength());
    const value = fill === undefined ? undefined : convertElement(this.#kind, fill, "fill");
    LargeVec.#live(this, "resize");
    const current = this.#length;
    if (target <= current) {
      this.#shorten(target);
      return;
    }
    this.#ensure(target);
    if (value === undefined || isPositiveZero(value)) {
      this.#zeroRange(current, Math.min(target, Math.max(current, this.#dirtyEnd)));
    } else {
      this.#fillRange(value, current, target);
    }
    this.#length = target;
  }

  /**
   * Shortens the vector to `length` elements; no-op if `length >= this.length`.
   *
   * @throws `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` unless `length` is a safe integer >= 0.
   */
  truncate(length: number): void {
    LargeVec.#live(this, "truncate");
    this.#shorten(checkInteger(length, "length", 0, Number.MAX_SAFE_INTEGER));
  }

  /** Removes every element (keeps the capacity). */
  clear(): void {
    LargeVec.#live(this, "clear");
    this.#shorten(0);
  }

  /**
   * Moves to the smallest storage that holds `length` elements (the heap below 2 MiB).
   *
   * @throws the core's allocation errors (the vector keeps its storage then).
   */
  shrinkToFit(): void {
    LargeVec.#live(this, "shrinkToFit");
    const length = this.#length;
    const bytes = length * this.#kind.bytesPerElement;
    if (bytes < MIN_REGION_BYTES) {
      if (this.#region === undefined && this.#capacity === length) return;
      this.#replaceStorage(length === 0 ? emptyStorage() : newStorage(this.#kind, length));
      return;
    }
    if (this.#region !== undefined && this.#region.capacity === sizeClassOf(bytes)) return;
    this.#resizeStorage(length);
  }

  // ---- Bulk operations -------------------------------------------------------------

  /**
   * Appends the elements of a typed array (one `set`), an array-like or an iterable; the new
   * length. On error (a value the typed array refuses, an iterator that throws) nothing is
   * appended.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a `source` as in `LargeVec.from` or an
   *   element the typed array refuses (named `source[i]`); the core's allocation errors.
   */
  extend(source: ArrayLike<ElementOf<T>> | Iterable<ElementOf<T>>): number {
    LargeVec.#live(this, "extend");
    return this.#extend(source);
  }

  /**
   * Sets elements [start, end) to `value`; negative positions count from the end.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number position or a value the typed
   *   array refuses; `RangeError` `ERR_OUT_OF_RANGE` for NaN or a fractional position.
   */
  fill(value: ElementOf<T>, start?: number, end?: number): this {
    LargeVec.#live(this, "fill");
    checkRelativePosition(start, "start", 0, 0);
    checkRelativePosition(end, "end", 0, 0);
    const converted = convertElement(this.#kind, value, "value");
    LargeVec.#live(this, "fill");
    const length = this.#length;
    const from = checkRelativePosition(start, "start", length, 0);
    const to = checkRelativePosition(end, "end", length, length);
    if (from < to) this.#fillRange(converted, from, to);
    return this;
  }

  /**
   * The first index of `value` (strict equality, like `TypedArray#indexOf`), or -1.
   *
   * @throws `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` for a `fromIndex` as in `fill`.
   */
  indexOf(value: ElementOf<T>, fromIndex?: number): number {
    LargeVec.#live(this, "call indexOf()");
    const length = this.#length;
    const from = checkRelativePosition(fromIndex, "fromIndex", length, 0);
    if (length <= this.#fast) return this.#array.subarray(0, length).indexOf(value, from);
    let found = -1;
    forEachSpan(this.#chunks, from, length, (chunk, start, end, base) => {
      const at = chunk.subarray(0, end).indexOf(value, start);
      if (at >= 0) found = base + at;
      return at >= 0;
    });
    return found;
  }

  /**
   * True if the vector holds `value` (SameValueZero, so NaN is found).
   *
   * @throws `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` for a `fromIndex` as in `fill`.
   */
  includes(value: ElementOf<T>, fromIndex?: number): boolean {
    LargeVec.#live(this, "call includes()");
    const length = this.#length;
    const from = checkRelativePosition(fromIndex, "fromIndex", length, 0);
    if (length <= this.#fast) return this.#array.subarray(0, length).includes(value, from);
    let found = false;
    forEachSpan(this.#chunks, from, length, (chunk, start, end) => {
      found = chunk.subarray(0, end).includes(value, start);
      return found;
    });
    return found;
  }

  /**
   * Sorts in place, numerically by default, like `TypedArray#sort`. If `compare` throws,
   * the order is unchanged.
   *
   * @throws `RangeError` `ERR_OUT_OF_RANGE` for more than 2^32 elements.
   */
  sort(compare?: (a: ElementOf<T>, b: ElementOf<T>) => number): this {
    LargeVec.#live(this, "sort");
    const comparator = checkOptionalFunction<(a: never, b: never) => number>(compare, "compare");
    const length = this.#length;
    if (length > MAX_VIEW_ELEMENTS) {
      throw new OutOfRangeError(
        "length",
        `<= ${MAX_VIEW_ELEMENTS} to sort (a typed array holds at most 2^32 elements)`,
        length,
      );
    }
    if (comparator === undefined) {
      // The built-in numeric order runs no user code.
      this.#viewUnchecked(0, length).sort();
      return this;
    }
    // The comparator is user code, which may push (reallocating the storage), shorten or
    // dispose the vector: sort a copy, and write it back only if the vector is as it was.
    const buffer = this.#buffer;
    const sorted = this.#viewUnchecked(0, length).slice().sort(comparator);
    LargeVec.#live(this, "sort");
    if (this.#buffer !== buffer || this.#length !== length) throw modifiedError("sort");
    this.#viewUnchecked(0, length).set(sorted as ArrayLike<unknown>);
    return this;
  }

  /** Reverses the elements in place. */
  reverse(): this {
    LargeVec.#live(this, "reverse");
    let low = 0;
    let high = this.#length;
    // Longer than a chunk (so possibly than a typed array): swap blocks from both ends, each
    // reversed, inwards, until the middle fits in one view.
    const block = Math.min(REVERSE_BLOCK, CHUNK_ELEMENTS / 2);
    while (high - low > CHUNK_ELEMENTS) {
      const left = this.#viewUnchecked(low, low + block);
      const right = this.#viewUnchecked(high - block, high);
      const saved = left.slice();
      left.set(right);
      left.reverse();
      right.set(saved);
      right.reverse();
      low += block;
      high -= block;
    }
    this.#viewUnchecked(low, high).reverse();
    return this;
  }

  // ---- Typed-array methods ---------------------------------------------------------
  //
  // The callbacks are user code: after each call the vector is checked again (disposed
  // meanwhile: `ERR_LGALLOC_DISPOSED`), and elements are read from the current storage, up
  // to the smaller of the length at the start and the current length (like an Array
  // method over an array that shrinks), so that a callback can never make them read memory
  // the vector no longer owns.

  /**
   * A typed array over elements [start, end) without a copy, positions as
   * `TypedArray#subarray` takes them (negative counting from the end, clamped). Valid
   * like `view()`: until the vector reallocates or is disposed.
   */
  subarray(start?: number, end?: number): T {
    LargeVec.#live(this, "call subarray()");
    const length = this.#length;
    const from = checkRelativePosition(start, "start", length, 0);
    const to = Math.max(from, checkRelativePosition(end, "end", length, length));
    return this.view(from, to);
  }

  /** A new vector with a copy of elements [start, end) (positions as `subarray`). */
  slice(start?: number, end?: number): LargeVec<T> {
    LargeVec.#live(this, "call slice()");
    const length = this.#length;
    const from = checkRelativePosition(start, "start", length, 0);
    const to = Math.max(from, checkRelativePosition(end, "end", length, length));
    const copy = LargeVec.withCapacity(this.#kind.Ctor, to - from);
    forEachSpan(this.#chunks, from, to, (chunk, spanFrom, spanTo) => {
      copy.#writeTyped(copy.#length, chunk.subarray(spanFrom, spanTo) as unknown as TypedArray);
      copy.#length += spanTo - spanFrom;
    });
    return copy;
  }

  /** Calls `callback(element, index, vector)` for each element. */
  forEach(
    callback: (value: ElementOf<T>, index: number, vec: this) => void,
    thisArg?: unknown,
  ): void {
    LargeVec.#check(this);
    const fn = this.#callback(callback, "forEach");
    this.#visit("forEach", (value, index) => {
      fn.call(thisArg, value, index, this);
      return false;
    });
  }

  /** A new vector of the same element type holding `callback`'s results (converted). */
  map(
    callback: (value: ElementOf<T>, index: number, vec: this) => ElementOf<T>,
    thisArg?: unknown,
  ): LargeVec<T> {
    LargeVec.#check(this);
    const fn = this.#callback(callback, "map");
    const result = LargeVec.withCapacity(this.#kind.Ctor, this.#length);
    try {
      this.#visit("map", (value, index) => {
        result.push(fn.call(thisArg, value, index, this) as ElementOf<T>);
        return false;
      });
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }

  /** A new vector of the elements for which `predicate` returns a truthy value. */
  filter(
    predicate: (value: ElementOf<T>, index: number, vec: this) => unknown,
    thisArg?: unknown,
  ): LargeVec<T> {
    LargeVec.#check(this);
    const fn = this.#callback(predicate, "filter");
    const result = LargeVec.withCapacity(this.#kind.Ctor, 0);
    try {
      this.#visit("filter", (value, index) => {
        if (fn.call(thisArg, value, index, this)) result.push(value);
        return false;
      });
    } catch (error) {
      result.dispose();
      throw error;
    }
    return result;
  }

  /**
   * Folds the elements from the first: `callback(accumulator, element, index, vector)`,
   * starting from `initialValue`, or from the first element when it is not given.
   *
   * @throws `TypeError` `ERR_INVALID_ARG_VALUE` for an empty vector without `initialValue`.
   */
  reduce(
    callback: (
      accumulator: ElementOf<T>,
      value: ElementOf<T>,
      index: number,
      vec: this,
    ) => ElementOf<T>,
  ): ElementOf<T>;
  reduce<U>(
    callback: (accumulator: U, value: ElementOf<T>, index: number, vec: this) => U,
    initialValue: U,
  ): U;
  reduce(callback: (...args: never[]) => unknown, ...initial: unknown[]): unknown {
    LargeVec.#check(this);
    const fn = this.#callback(callback, "reduce") as unknown as (
      accumulator: unknown,
      value: ElementOf<T>,
      index: number,
      vec: this,
    ) => unknown;
    let accumulator: unknown;
    let skipFirst = false;
    if (initial.length > 0) {
      accumulator = initial[0];
    } else {
      if (this.#length === 0) {
        throw new InvalidArgValueError(
          "initialValue",
          "must be given to reduce an empty vector",
          undefined,
        );
      }
      accumulator = this.#read(0);
      skipFirst = true;
    }
    this.#visit("reduce", (value, index) => {
      if (skipFirst && index === 0) return false;
      accumulator = fn(accumulator, value, index, this);
      return false;
    });
    return accumulator;
  }

  /** True if `predicate` returns a truthy value for every element (stops at the first falsy). */
  every(
    predicate: (value: ElementOf<T>, index: number, vec: this) => unknown,
    thisArg?: unknown,
  ): boolean {
    LargeVec.#check(this);
    const fn = this.#callback(predicate, "every");
    let all = true;
    this.#visit("every", (value, index) => {
      all = Boolean(fn.call(thisArg, value, index, this));
      return !all;
    });
    return all;
  }

  /** True if `predicate` returns a truthy value for some element (stops at the first). */
  some(
    predicate: (value: ElementOf<T>, index: number, vec: this) => unknown,
    thisArg?: unknown,
  ): boolean {
    return LargeVec.#check(this).findIndex(predicate as never, thisArg) !== -1;
  }

  /** The first element for which `predicate` returns a truthy value, or `undefined`. */
  find(
    predicate: (value: ElementOf<T>, index: number, vec: this) => unknown,
    thisArg?: unknown,
  ): ElementOf<T> | undefined {
    LargeVec.#check(this);
    const fn = this.#callback(predicate, "find");
    let found: ElementOf<T> | undefined;
    this.#visit("find", (value, index) => {
      if (!fn.call(thisArg, value, index, this)) return false;
      found = value;
      return true;
    });
    return found;
  }

  /** The index of the first element for which `predicate` returns a truthy value, or -1. */
  findIndex(
    predicate: (value: ElementOf<T>, index: number, vec: this) => unknown,
    thisArg?: unknown,
  ): number {
    LargeVec.#check(this);
    const fn = this.#callback(predicate, "findIndex");
    let found = -1;
    this.#visit("findIndex", (value, index) => {
      if (!fn.call(thisArg, value, index, this)) return false;
      found = index;
      return true;
    });
    return found;
  }

  /** The elements as strings (`String(element)`), joined by `separator` (default `","`). */
  join(separator?: string): string {
    LargeVec.#live(this, "call join()");
    if (separator !== undefined && typeof separator !== "string") {
      throw new InvalidArgTypeError("separator", "of type string", separator);
    }
    const between = separator ?? ",";
    const length = this.#length;
    if (length <= this.#fast) return this.#array.subarray(0, length).join(between);
    const parts: string[] = [];
    forEachSpan(this.#chunks, 0, length, (chunk, from, to) => {
      parts.push(chunk.subarray(from, to).join(between));
    });
    return parts.join(between);
  }

  /**
   * What `JSON.stringify` writes: the elements as an Array (so, like any Array of bigints,
   * a vector of a 64-bit integer kind makes JSON.stringify throw).
   */
  toJSON(): ElementOf<T>[] {
    LargeVec.#live(this, "call toJSON()");
    const out: ElementOf<T>[] = [];
    for (let i = 0; i < this.#length; i++) out.push(this.#read(i));
    return out;
  }

  #callback<F>(value: F, method: string): F {
    LargeVec.#live(this, `call ${method}()`);
    if (typeof value !== "function") {
      throw new InvalidArgTypeError("callback", "of type function", value);
    }
    return value;
  }

  /**
   * Calls `visit(element, index)` for each element in order until it returns true; after
   * each call, checks that the vector is still live and stops at its current length.
   */
  #visit(method: string, visit: (value: ElementOf<T>, index: number) => boolean): void {
    const end = this.#length;
    for (let index = 0; index < end && index < this.#length; index++) {
      if (visit(this.#read(index), index)) return;
      LargeVec.#live(this, `call ${method}()`);
    }
  }

  // ---- Iteration -------------------------------------------------------------------

  /** The elements, in order (throws `ERR_LGALLOC_DISPOSED` if disposed meanwhile). */
  values(): IterableIterator<ElementOf<T>> {
    LargeVec.#live(this, "call values()");
    return new LargeVec.#Iterator<ElementOf<T>>(this, Iteration.Values);
  }

  /** The indices 0 .. length - 1. */
  keys(): IterableIterator<number> {
    LargeVec.#live(this, "call keys()");
    return new LargeVec.#Iterator<number>(this, Iteration.Keys);
  }

  /** `[index, element]` pairs. */
  entries(): IterableIterator<[number, ElementOf<T>]> {
    LargeVec.#live(this, "call entries()");
    return new LargeVec.#Iterator<[number, ElementOf<T>]>(this, Iteration.Entries);
  }

  /** The same as `values()`, for `for ... of` and spreading. */
  [Symbol.iterator](): IterableIterator<ElementOf<T>> {
    LargeVec.#live(this, "iterate");
    return new LargeVec.#Iterator<ElementOf<T>>(this, Iteration.Values);
  }

  // ---- Typed arrays ----------------------------------------------------------------

  /**
   * A copy of the elements on the JS heap.
   *
   * @throws `RangeError` `ERR_OUT_OF_RANGE` for more than 2^32 elements.
   */
  toTypedArray(): T {
    LargeVec.#live(this, "call toTypedArray()");
    const length = this.#length;
    if (length > MAX_VIEW_ELEMENTS) {
      throw new OutOfRangeError(
        "length",
        `<= ${MAX_VIEW_ELEMENTS} for toTypedArray() (a typed array holds at most 2^32 elements)`,
        length,
      );
    }
    return this.#viewUnchecked(0, length).slice() as unknown as T;
  }

  /**
   * A typed array over elements [start, end), without a copy. Valid until the vector next
   * reallocates (grows past its capacity, `shrinkToFit`) or is disposed; after that it has
   * length 0 (its storage was detached), never showing freed or reused memory.
   *
   * @throws `RangeError` `ERR_OUT_OF_RANGE` for positions outside [0, length], `end < start`,
   *   or a range of more than 2^32 elements.
   */
  view(start: number = 0, end?: number): T {
    LargeVec.#live(this, "create a view");
    const length = this.#length;
    const from = checkInteger(start, "start", 0, length);
    const to = end === undefined ? length : checkInteger(end, "end", from, length);
    if (to - from > MAX_VIEW_ELEMENTS) {
      throw new OutOfRangeError(
        "end",
        `<= start + ${MAX_VIEW_ELEMENTS} (a typed array holds at most 2^32 elements)`,
        to,
      );
    }
    return this.#viewUnchecked(from, to) as unknown as T;
  }

  // ---- Lifetime --------------------------------------------------------------------

  /**
   * Releases the storage: a region goes back to the pool, a heap buffer is detached; every
   * view becomes length 0. Calling it again does nothing.
   */
  dispose(): void {
    if (LargeVec.#check(this).#disposed) return;
    this.#disposed = true;
    this.#releaseStorage();
    const empty = emptyStorage();
    this.#array = new this.#kind.Ctor(empty.buffer, 0, 0) as unknown as Elements;
    this.#chunks = [this.#array];
    this.#buffer = empty.buffer;
    this.#region = undefined;
    this.#fast = 0;
    this.#length = 0;
    this.#capacity = 0;
    this.#dirtyEnd = 0;
  }

  /** The same as `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    LargeVec.#check(this).dispose();
  }

  /**
   * Moves the vector out of this thread: pooled storage without a copy (the region's
   * token), heap storage as a copy in the token. This vector is disposed afterwards. Send
   * the token with `port.postMessage(token, token.transferList)` and `LargeVec.adopt` it.
   *
   * @throws `LgallocError` `ERR_LGALLOC_DISPOSED` if already disposed or transferred.
   */
  transfer(): LargeVecToken {
    LargeVec.#live(this, "transfer");
    const token = makeToken(this.#kind, this.#length, this.#region, this.#buffer);
    // The region (if any) is transferred, so disposed already: dispose() releases nothing twice.
    this.#region = undefined;
    this.dispose();
    return token;
  }

  // ---- Display ---------------------------------------------------------------------

  /** `LargeVec<Float64Array>(length=3, capacity=262144, storage=pooled) [1, 2, 3]`. */
  toString(): string {
    LargeVec.#live(this, "call toString()");
    const length = this.#length;
    const shown: string[] = [];
    for (let i = 0; i < Math.min(length, SHOWN_VALUES); i++) {
      shown.push(formatElement(this.#read(i)));
    }
    if (length > SHOWN_VALUES) shown.push("...");
    return `LargeVec<${this.#kind.name}>(length=${length}, capacity=${this.#capacity}, storage=${
      this.#region === undefined ? "heap" : "pooled"
    }) [${shown.join(", ")}]`;
  }

  /** As `toString`; a disposed vector shows as `LargeVec<Float64Array>(disposed)`. */
  [inspect.custom](): string {
    // `LargeVec.prototype` and objects inheriting from a vector are no vectors.
    if (!(#disposed in this)) return "LargeVec {}";
    if (this.#disposed) return `LargeVec<${this.#kind.name}>(disposed)`;
    if (this.#storageDetached()) return `LargeVec<${this.#kind.name}>(storage detached)`;
    return this.toString();
  }

  // ---- Slow paths and internals ----------------------------------------------------

  /** `value` as a vector of this package; `ERR_INVALID_THIS` for anything else. */
  static #check(value: unknown): LargeVec<TypedArray> {
    // `#disposed in` reads no property and runs no Proxy trap.
    if (typeof value === "object" && value !== null && #disposed in value) return value;
    throw new InvalidThisError("LargeVec");
  }

  /** `value` as a vector not disposed: `ERR_INVALID_THIS`, then `ERR_LGALLOC_DISPOSED`. */
  static #alive(value: unknown, operation: string): void {
    if (LargeVec.#check(value).#disposed) throw disposedError(operation);
  }

  /**
   * `value` as a vector whose elements can be used: as `#alive`, then
   * `ERR_LGALLOC_BUFFER_DETACHED` if other code detached its storage.
   */
  static #live(value: unknown, operation: string): void {
    const vec = LargeVec.#check(value);
    if (vec.#disposed) throw disposedError(operation);
    if (vec.#storageDetached()) throw bufferDetachedError(operation);
  }

  /**
   * True if other code detached the storage's buffer (a transferring `structuredClone` or
   * `postMessage` of `view().buffer`): its memory belongs to the receiver now. Heap storage
   * and the fallback backend's regions are ordinary ArrayBuffers; the vector itself only
   * detaches a buffer it no longer uses.
   */
  #storageDetached(): boolean {
    return this.#capacity !== 0 && arrayBufferByteLength(this.#buffer) === 0;
  }

  #maxLength(): number {
    return MAX_REGION_BYTES / this.#kind.bytesPerElement;
  }

  /**
   * `push` off its fast path: no value or several, a value to convert, growth, errors.
   *
   * V8 must not inline it into the loops that call `push`: inlined, its code and that of
   * everything it calls sits in every such loop once any vector has grown, with register
   * spills around it, and pushing to a vector that never grows took 1.25-1.35x as long
   * (issue 8; packages/collections/bench, section 2b). V8 inlines functions of up to 460
   * bytes of bytecode, so this one does the whole job itself, growth included, rather
   * than through `#ensure` (check with node --trace-turbo-inlining: no `#pushSlow` line).
   */
  #pushSlow(...values: unknown[]): number {
    LargeVec.#live(this, "push");
    const count = values.length;
    if (count === 0) return this.#length;
    // Convert every value first: a `valueOf` may run user code, even touch this vector.
    const converted: unknown[] = [];
    for (let i = 0; i < count; i++) {
      converted.push(convertElement(this.#kind, values[i], count === 1 ? "value" : `values[${i}]`));
    }
    LargeVec.#live(this, "push");
    const length = this.#length;
    const capacity = this.#capacity;
    const max = this.#maxLength();
    if (count > max - length) {
      throw new OutOfRangeError("length", `<= ${max} (64 GiB of elements)`, length + count);
    }
    if (length + count > capacity) {
      // Doubling, from MIN_GROWTH elements on, to at most 64 GiB (as #ensure grows).
      this.#resizeStorage(Math.min(max, Math.max(length + count, capacity * 2, MIN_GROWTH)));
    }
    if (length + count <= this.#fast) {
      for (let i = 0; i < count; i++) this.#array[length + i] = converted[i];
    } else {
      for (let i = 0; i < count; i++) this.#write(length + i, converted[i]);
    }
    return (this.#length = length + count);
  }

  #popSlow(): ElementOf<T> | undefined {
    LargeVec.#live(this, "pop");
    const length = this.#length;
    if (length === 0) return undefined;
    const value = this.#read(length - 1);
    if (length > this.#dirtyEnd) this.#dirtyEnd = length;
    this.#length = length - 1;
    return value;
  }

  #getSlow(index: unknown): ElementOf<T> {
    LargeVec.#live(this, "get");
    return this.#read(checkIndex(index, "index", this.#length));
  }

  #setSlow(index: unknown, value: unknown): this {
    LargeVec.#live(this, "set");
    checkIndex(index, "index", this.#length);
    const converted = convertElement(this.#kind, value, "value");
    // The conversion may have run user code that shortened or disposed the vector.
    LargeVec.#live(this, "set");
    this.#write(checkIndex(index, "index", this.#length), converted);
    return this;
  }

  #read(index: number): ElementOf<T> {
    if (index < this.#fast) return this.#array[index] as ElementOf<T>;
    const chunk = chunkIndex(index);
    return this.#chunks[chunk]![index - chunk * CHUNK_ELEMENTS] as ElementOf<T>;
  }

  #write(index: number, value: unknown): void {
    if (index < this.#fast) {
      this.#array[index] = value;
    } else {
      const chunk = chunkIndex(index);
      this.#chunks[chunk]![index - chunk * CHUNK_ELEMENTS] = value;
    }
  }

  /** A view of [start, end) (at most 2^32 elements) of the current storage. */
  #viewUnchecked(start: number, end: number): Elements {
    const Ctor = this.#kind.Ctor;
    return new Ctor(
      this.#buffer,
      start * this.#kind.bytesPerElement,
      end - start,
    ) as unknown as Elements;
  }

  #shorten(length: number): void {
    const current = this.#length;
    if (length >= current) return;
    if (current > this.#dirtyEnd) this.#dirtyEnd = current;
    this.#length = length;
  }

  #zeroRange(start: number, end: number): void {
    if (start < end) this.#fillRange(this.#primitive === "bigint" ? 0n : 0, start, end);
  }

  #fillRange(value: unknown, start: number, end: number): void {
    if (end <= this.#fast) {
      this.#array.fill(value, start, end);
      return;
    }
    forEachSpan(this.#chunks, start, end, (chunk, from, to) => {
      chunk.fill(value, from, to);
    });
  }

  /** Copies the typed array `source` to elements [at, at + source.length). */
  #writeTyped(at: number, source: TypedArray): void {
    const end = at + source.length;
    if (end <= this.#fast) {
      this.#array.set(source as ArrayLike<unknown>, at);
      return;
    }
    forEachSpan(this.#chunks, at, end, (chunk, from, to, base) => {
      chunk.set(source.subarray(base + from - at, base + to - at) as ArrayLike<unknown>, from);
    });
  }

  /**
   * The elements of `source` as typed arrays to copy, converted before anything changes:
   * a typed array as a plain view over its own bytes (its internal length, never its
   * `length` property), a vector as a view of its elements, anything else through
   * `convertSource` (which may run user code: iterators, getters, `valueOf`).
   */
  #blocksOf(source: unknown): TypedArray[] {
    if (isTypedArray(source)) return [this.#checkedKind(plainView(source), source)];
    if (typeof source === "object" && source !== null && #disposed in source) {
      const vec = source as LargeVec<TypedArray>;
      LargeVec.#live(vec, "read the source vector");
      const blocks: TypedArray[] = [];
      forEachSpan(vec.#chunks, 0, vec.#length, (chunk, from, to) => {
        blocks.push(this.#checkedKind(chunk.subarray(from, to) as unknown as TypedArray, vec));
      });
      return blocks;
    }
    if (typeof source !== "object" || source === null) {
      throw new InvalidArgTypeError(
        "source",
        "a typed array, an array-like object or an iterable",
        source,
      );
    }
    return convertSource(this.#kind, source);
  }

  /** `block` if its elements are of this vector's primitive type; `given` names it in errors. */
  #checkedKind(block: TypedArray, given: unknown): TypedArray {
    if (holdsBigInts(block) !== (this.#primitive === "bigint")) {
      throw new InvalidArgTypeError(
        "source",
        this.#primitive === "bigint"
          ? "a BigInt64Array, a BigUint64Array or a LargeVec of either (bigints and numbers do not mix)"
          : "a typed array or LargeVec of numbers (bigints and numbers do not mix)",
        given,
      );
    }
    return block;
  }

  #extend(source: unknown): number {
    let blocks = this.#blocksOf(source);
    // Converting may have run user code that disposed or changed this vector.
    LargeVec.#live(this, "extend");
    let count = 0;
    for (const block of blocks) count += block.length;
    const length = this.#length;
    if (count > this.#maxLength() - length) {
      throw new OutOfRangeError(
        "source",
        `at most ${this.#maxLength() - length} elements long`,
        count,
      );
    }
    if (length + count > this.#capacity) {
      // A view of this very storage would be detached by the growth: copy it first.
      blocks = blocks.map((block) => (block.buffer === this.#buffer ? block.slice() : block));
    }
    this.#ensure(length + count);
    let at = length;
    for (const block of blocks) {
      this.#writeTyped(at, block);
      at += block.length;
    }
    return (this.#length = at);
  }

  /** `set(source, offset)`: the typed-array form of `set`. */
  #setFrom(source: object, offset: unknown): this {
    LargeVec.#live(this, "set");
    const at =
      offset === undefined ? 0 : checkInteger(offset, "offset", 0, Number.MAX_SAFE_INTEGER);
    let blocks = this.#blocksOf(source);
    LargeVec.#live(this, "set");
    let count = 0;
    for (const block of blocks) count += block.length;
    const length = this.#length;
    if (at > length || count > length - at) {
      throw new OutOfRangeError(
        "offset",
        `such that offset + source length (${count}) <= ${length} (the vector's length)`,
        offset,
      );
    }
    // Overlapping views of this storage: copy first, so that each element is read before
    // it is overwritten.
    blocks = blocks.map((block) => (block.buffer === this.#buffer ? block.slice() : block));
    let position = at;
    for (const block of blocks) {
      this.#writeTyped(position, block);
      position += block.length;
    }
    return this;
  }

  /** Grows so that `required` elements fit: the rare slow path of `push` and friends. */
  #ensure(required: number): void {
    if (required <= this.#capacity) return;
    const max = this.#maxLength();
    if (required > max) {
      throw new OutOfRangeError("length", `<= ${max} (64 GiB of elements)`, required);
    }
    const target = Math.min(max, Math.max(required, this.#capacity * 2, MIN_GROWTH));
    this.#resizeStorage(target);
  }

  /**
   * Moves to storage for `capacity` elements (room for the length). From one region to
   * another, the core moves the pages (no copy, no page faults); else a copy.
   */
  #resizeStorage(capacity: number): void {
    const region = this.#region;
    const bytes = capacity * this.#kind.bytesPerElement;
    if (region === undefined || bytes < MIN_REGION_BYTES) {
      this.#replaceStorage(newStorage(this.#kind, capacity));
      return;
    }
    // Elements from `zeroFrom` on were zero before the move; those the new region did not
    // keep are zero if it says so.
    const zeroFrom = Math.max(this.#dirtyEnd, this.#length);
    const next = region.reallocate(bytes);
    const kept = Math.min(region.capacity, next.capacity) / this.#kind.bytesPerElement;
    this.#install({
      buffer: next.buffer,
      region: next,
      capacity: next.capacity / this.#kind.bytesPerElement,
      knownZero: false,
    });
    if (next.knownZero) this.#dirtyEnd = Math.min(zeroFrom, kept);
  }

  /** Copies the elements into `next`, releases the current storage and installs `next`. */
  #replaceStorage(next: Storage): void {
    const length = this.#length;
    const chunks = chunkViews(this.#kind.Ctor, next.buffer, next.capacity) as unknown as Elements[];
    if (length > 0) {
      // Chunks have the same size in both storages, so chunk c copies into chunk c.
      forEachSpan(this.#chunks, 0, length, (chunk, from, to, base) => {
        chunks[base / CHUNK_ELEMENTS]!.set(chunk.subarray(from, to), from);
      });
    }
    this.#releaseStorage();
    this.#install(next, chunks);
  }

  #install(storage: Storage, chunks?: Elements[]): void {
    if (this.#disposed) {
      // Never revive a vector that user code disposed meanwhile: the storage goes back.
      releaseStorage(storage.buffer, storage.region);
      throw disposedError("grow");
    }
    this.#chunks =
      chunks ??
      (chunkViews(this.#kind.Ctor, storage.buffer, storage.capacity) as unknown as Elements[]);
    this.#array = this.#chunks[0]!;
    this.#fast = this.#array.length;
    this.#buffer = storage.buffer;
    this.#region = storage.region;
    this.#capacity = storage.capacity;
    this.#dirtyEnd = storage.knownZero ? 0 : storage.capacity;
  }

  #releaseStorage(): void {
    releaseStorage(this.#buffer, this.#region);
  }

  /**
   * The iterator of `values()`, `keys()` and `entries()`. A class inside the class body, so
   * that it reads the vector's private fields: each step checks the current length and
   * storage, like an Array iterator (elements pushed meanwhile are visited; once done, it
   * stays done); a vector disposed meanwhile makes `next()` throw `ERR_LGALLOC_DISPOSED`.
   */
  static readonly #Iterator = class LargeVecIterator<E> implements IterableIterator<E> {
    readonly #vec: LargeVec<TypedArray>;
    readonly #what: Iteration;
    #index = 0;
    #done = false;

    constructor(vec: LargeVec<TypedArray>, what: Iteration) {
      this.#vec = vec;
      this.#what = what;
    }

    next(): IteratorResult<E, undefined> {
      const vec = this.#vec;
      if (this.#done) return { value: undefined, done: true };
      if (vec.#disposed) throw disposedError("iterate");
      const index = this.#index;
      if (index >= vec.#length) {
        this.#done = true;
        return { value: undefined, done: true };
      }
      this.#index = index + 1;
      const what = this.#what;
      if (what === Iteration.Keys) return { value: index as E, done: false };
      const value = index < vec.#fast ? vec.#array[index] : vec.#read(index);
      if (value === undefined) LargeVec.#live(vec, "iterate"); // storage detached
      return { value: (what === Iteration.Values ? value : [index, value]) as E, done: false };
    }

    [Symbol.iterator](): this {
      return this;
    }

    get [Symbol.toStringTag](): string {
      return "LargeVec Iterator";
    }
  };
}

/** What an iterator yields. */
const enum Iteration {
  Values,
  Keys,
  Entries,
}

/** The constructor with its internal parameters (module-private). */
type LargeVecInternalConstructor = new <T extends TypedArray>(
  elementType: TypedArrayConstructor<T>,
  length: number,
  key: symbol,
  init: Init,
) => LargeVec<T>;

/**
 * Fixes the size of every vector's object now, with all its fields inside it. V8 sizes a
 * class's instances by "slack tracking": its first few instances get room to spare, and on
 * a later construction it shrinks the size to what the instances use, found by walking the
 * map transitions from the class's initial map. Those transitions are weak, so where the
 * walk found none of the full maps, the size shrank to no fields at all and every vector
 * afterwards kept its fields in a separate property array: one more dependent load for each
 * of push's `#length`, `#fast` and `#array` (issue 8; test/src/large-vec-layout.test.ts).
 * The vectors made here stay alive until the tracking is over, and after it (map-anchors.ts),
 * so that their maps are never freed. They hold empty heap buffers and no region.
 */
function completeSlackTracking(): void {
  const alive: LargeVec[] = [];
  // V8 ends the tracking at the 7th construction; more cost nothing but a few microseconds.
  for (let i = 0; i < 16; i++) alive.push(new LargeVec(Float64Array));
  keepMapsAlive(...alive);
}
completeSlackTracking();
