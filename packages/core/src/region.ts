// `Region`: one pooled block of memory as JS sees it: its ArrayBuffer, typed views over it,
// and the three ways to give it back (dispose, `using`, garbage collection) plus moving it
// to another thread (transfer). A region is released exactly once, whichever way comes
// first; the backend enforces that even against a racing finalizer.

import { inspect } from "node:util";

import type { RegionToken, TypedArray, TypedArrayConstructor } from "./api";
import type { Backend, RawRegion, RawToken } from "./backend";
import { LgallocError, OutOfRangeError } from "./errors";
import { validateInteger, validateRegionSize, validateTypedArrayConstructor } from "./validate";

/** Brand shared by every copy of this package, so `isRegion` works across duplicates. */
const REGION_BRAND = Symbol.for("lgalloc.Region");

/** Only this package may construct regions. */
const CONSTRUCTION_KEY = Symbol("lgalloc.Region construction");

/** A typed array holds at most 2^32 elements on Node 20. */
const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

export function disposedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_DISPOSED",
    `Cannot ${operation}: the region was disposed or transferred`,
  );
}

/**
 * One pooled block of memory: a power of two from 2 MiB to 64 GiB, viewed as typed arrays
 * without a copy. Get one with `allocate` or `adopt`; give it back with `dispose()`, the end
 * of a `using` scope, or `transfer()`; garbage collection of its buffer is the backstop.
 */
export class Region implements Disposable {
  /** Bytes in the region: a power of two from 2^21 to 2^36. */
  readonly capacity: number;
  /** log2 of the capacity, 21 (2 MiB) to 36 (64 GiB). */
  readonly sizeClass: number;
  /**
   * Every byte was zero when the region was handed out, so zeroing can be skipped. For a
   * region from `reallocate`: every byte past the ones it kept.
   */
  readonly knownZero: boolean;

  readonly #backend: Backend;
  readonly #handle: unknown;
  #buffer: ArrayBuffer | undefined;

  /** @internal Use `allocate` or `adopt`. */
  constructor(key: symbol, backend: Backend, raw: RawRegion) {
    if (key !== CONSTRUCTION_KEY) {
      throw Object.assign(
        new TypeError("Illegal constructor: use allocate() or adopt() to get a Region"),
        {
          code: "ERR_ILLEGAL_CONSTRUCTOR",
        },
      );
    }
    // An own property, so that objects merely inheriting from Region.prototype are not
    // regions; non-enumerable, so that it does not show in inspection.
    Object.defineProperty(this, REGION_BRAND, { value: true });
    this.#backend = backend;
    this.#handle = raw.handle;
    this.#buffer = raw.buffer;
    this.capacity = raw.buffer.byteLength;
    this.sizeClass = raw.sizeClassIndex + 21;
    this.knownZero = raw.knownZero;
  }

  /** @internal */
  static create(backend: Backend, raw: RawRegion): Region {
    return new Region(CONSTRUCTION_KEY, backend, raw);
  }

  /** True once disposed or transferred. */
  get disposed(): boolean {
    return this.#buffer === undefined;
  }

  /**
   * The region's memory, without a copy.
   *
   * @throws `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  get buffer(): ArrayBuffer {
    return this.#live("read region.buffer");
  }

  /**
   * A typed array over `length` elements at `byteOffset` (default: as many as fit). Valid
   * until the region is disposed or transferred; then it has length 0.
   *
   * @throws `ERR_INVALID_ARG_TYPE` when `Ctor` is not a typed array constructor or an offset
   *   or length is not a number; `ERR_OUT_OF_RANGE` for an offset or length that is
   *   negative, fractional, beyond the capacity, misaligned, or over 2^32 elements;
   *   `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  view<T extends TypedArray>(
    Ctor: TypedArrayConstructor<T>,
    byteOffset: number = 0,
    length?: number,
  ): T {
    const Constructor = validateTypedArrayConstructor<T>(Ctor, "Ctor");
    const elementBytes = Constructor.BYTES_PER_ELEMENT;
    const offset = validateInteger(byteOffset, "byteOffset", 0, this.capacity);
    if (offset % elementBytes !== 0) {
      throw new OutOfRangeError(
        "byteOffset",
        `a multiple of ${elementBytes} (${Constructor.name}.BYTES_PER_ELEMENT)`,
        byteOffset,
      );
    }
    const fit = Math.floor((this.capacity - offset) / elementBytes);
    let count: number;
    if (length === undefined) {
      if (fit > MAX_TYPED_ARRAY_LENGTH) {
        throw new OutOfRangeError(
          "length",
          `given when more than ${MAX_TYPED_ARRAY_LENGTH} elements would fit (a typed array holds at most 2^32)`,
          length,
        );
      }
      count = fit;
    } else {
      count = validateInteger(length, "length", 0, Math.min(fit, MAX_TYPED_ARRAY_LENGTH));
    }
    const buffer = this.#live("create a view");
    // `new Buffer(...)` is deprecated (DEP0005); Buffer.from makes the same view.
    if (Constructor === (Buffer as unknown))
      return Buffer.from(buffer, offset, count) as unknown as T;
    return new Constructor(buffer, offset, count);
  }

  /**
   * Like `realloc`: a region for `byteLength` bytes that holds this one's first
   * min(capacities) bytes; this region is disposed (its views become empty). Whole 2 MiB
   * pieces move by remapping their pages, so growing a large buffer copies nothing and
   * faults no pages in (the fallback backend copies). On error (invalid size, out of
   * memory, `ERR_LGALLOC_BUSY`) this region is untouched and still usable.
   *
   * @throws as `allocate` for `byteLength` (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`,
   *   `ERR_LGALLOC_INVALID_SIZE`, `ERR_LGALLOC_DISABLED`, `ERR_LGALLOC_OUT_OF_MEMORY`);
   *   `ERR_LGALLOC_BUSY` while native code holds the buffer; `ERR_LGALLOC_DISPOSED`.
   */
  reallocate(byteLength: number): Region {
    const size = validateRegionSize(byteLength);
    const buffer = this.#live("reallocate");
    const raw = this.#backend.reallocate(this.#handle, buffer, size);
    this.#buffer = undefined;
    // Only the bytes past the kept ones can still be zero.
    const capacity = raw.buffer.byteLength;
    const knownZero = raw.knownZero && Math.min(this.capacity, capacity) < capacity;
    return Region.create(this.#backend, { ...raw, knownZero });
  }

  /**
   * Asks the kernel to read ahead a byte range (`MADV_WILLNEED`).
   *
   * @throws `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` for offsets that are not safe
   *   integers >= 0; `ERR_LGALLOC_OUT_OF_BOUNDS` for a range outside the region;
   *   `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  prefetch(byteOffset: number = 0, byteLength?: number): void {
    const offset = validateInteger(byteOffset, "byteOffset");
    const length =
      byteLength === undefined
        ? Math.max(0, this.capacity - offset)
        : validateInteger(byteLength, "byteLength");
    this.#live("prefetch");
    this.#backend.prefetch(this.#handle, offset, length);
  }

  /**
   * Detaches the buffer, so every view of it becomes empty, and returns the region to the
   * pool. Calling it again does nothing.
   */
  dispose(): void {
    const buffer = this.#buffer;
    if (buffer === undefined) return;
    this.#buffer = undefined;
    this.#backend.dispose(this.#handle, buffer);
  }

  /** The same as `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Moves the region out of this thread without copying: detaches the buffer here and
   * returns a single-use token for `adopt` (on any thread). Send it with
   * `port.postMessage(token, token.transferList)`.
   *
   * @throws `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  transfer(): RegionToken {
    const buffer = this.#live("transfer");
    const raw = this.#backend.transfer(this.#handle, buffer);
    this.#buffer = undefined;
    return makeToken(raw, this.capacity);
  }

  /** `Region { capacity: 2097152, sizeClass: 21, knownZero: true, disposed: false }`. */
  toString(): string {
    return `Region { capacity: ${this.capacity}, sizeClass: ${this.sizeClass}, knownZero: ${this.knownZero}, disposed: ${this.disposed} }`;
  }

  /** What `util.inspect` shows: the same as `toString()`, never the bytes. */
  [inspect.custom](): string {
    return this.toString();
  }

  #live(operation: string): ArrayBuffer {
    if (this.#buffer === undefined) throw disposedError(operation);
    return this.#buffer;
  }
}

/** True for a `Region`, also one made by another copy of this package. */
export function isRegion(value: unknown): value is Region {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[REGION_BRAND] === true
  );
}

function makeToken(raw: RawToken, byteLength: number): RegionToken {
  const transferList = Object.freeze(raw.buffer === undefined ? [] : [raw.buffer]);
  const token = { kind: "lgalloc.RegionToken" as const, id: raw.id, byteLength, transferList };
  return Object.freeze(raw.buffer === undefined ? token : { ...token, buffer: raw.buffer });
}

const TOKEN_ID = /^[0-9a-f]{32}$/;

/** The backend's view of a token; ERR_LGALLOC_INVALID_TOKEN unless it has the right shape. */
export function parseToken(value: unknown): RawToken {
  if (typeof value !== "object" || value === null) {
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_TOKEN",
      `The token is malformed: expected a RegionToken object. Received ${typeof value}`,
    );
  }
  const token = value as Record<string, unknown>;
  if (
    token.kind !== "lgalloc.RegionToken" ||
    typeof token.id !== "string" ||
    !TOKEN_ID.test(token.id)
  ) {
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_TOKEN",
      'The token is malformed: expected kind "lgalloc.RegionToken" and an id of 32 lowercase hex digits',
    );
  }
  const buffer = token.buffer;
  if (buffer !== undefined && !(buffer instanceof ArrayBuffer)) {
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_TOKEN",
      "The token is malformed: its buffer is not an ArrayBuffer",
    );
  }
  return buffer === undefined ? { id: token.id } : { id: token.id, buffer };
}
