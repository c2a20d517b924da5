// `Region`: one pooled block of memory as JS sees it: its ArrayBuffer, typed views over it,
// and the three ways to give it back (dispose, `using`, garbage collection) plus moving it
// to another thread (transfer). A region is released exactly once, whichever way comes
// first; the backend enforces that even against a racing finalizer.
//
// Hostile callers are expected: its facts (capacity, size class, knownZero) live in private
// fields behind getters, so no assignment can change what reallocate or transfer trust;
// every method and getter checks that `this` is a real region (`ERR_INVALID_THIS`); a buffer
// that other code moved away (a transferring `structuredClone` of `region.buffer` on the
// fallback backend) is reported as such (`ERR_LGALLOC_BUFFER_DETACHED`), and `dispose()`
// still succeeds; cloning a region throws instead of making an empty copy.

import { inspect, types } from "node:util";

import type { RegionToken, TypedArray, TypedArrayConstructor } from "./api";
import type { Backend, RawRegion, RawToken } from "./backend";
import {
  InvalidThisError,
  LgallocError,
  NOT_CLONEABLE_KEY,
  NotCloneableError,
  OutOfRangeError,
  cloneRefusal,
} from "./errors";
import { typedArrayConstructorBase, validateInteger, validateRegionSize } from "./validate";

/**
 * Brand shared by every copy of this package, so `isRegion` works across duplicates. Its
 * value on a region is the check of the copy that made it (see `isRegion`).
 */
const REGION_BRAND: unique symbol = Symbol.for("lgalloc.Region");

/** Only this package may construct regions. */
const CONSTRUCTION_KEY = Symbol("lgalloc.Region construction");

/** A typed array holds at most 2^32 elements on Node 20. */
const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

/** `ArrayBuffer.prototype.byteLength`, captured before user code could replace it. */
const arrayBufferByteLength = Function.prototype.call.bind(
  Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!,
) as (buffer: ArrayBuffer) => number;

export function disposedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_DISPOSED",
    `Cannot ${operation}: the region was disposed or transferred`,
  );
}

function bufferDetachedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_BUFFER_DETACHED",
    `Cannot ${operation}: the region's buffer (region.buffer) was detached by other code, ` +
      "e.g. moved with structuredClone(buffer, { transfer: [buffer] }) or postMessage; its " +
      "memory now belongs to whoever received it. Call region.dispose() to end the region",
  );
}

function cloneGuard(): never {
  throw new NotCloneableError(
    "Region",
    "move it to another thread with region.transfer() and adopt(token) there, or copy " +
      "its bytes with region.view(Uint8Array).slice()",
  );
}

const REGION_CLONE_REFUSAL = cloneRefusal(cloneGuard);

/**
 * One pooled block of memory: a power of two from 2 MiB to 64 GiB, viewed as typed arrays
 * without a copy. Get one with `allocate` or `adopt`; give it back with `dispose()`, the end
 * of a `using` scope, or `transfer()`; garbage collection of its buffer is the backstop.
 */
export class Region implements Disposable {
  // The brand and the clone refusal are class fields, not `Object.defineProperty` calls:
  // every region then shares one shape and construction costs two stores (issue 13).
  /** @internal The brand: an own property, so that objects inheriting from a region are not regions. */
  private readonly [REGION_BRAND] = Region.#isOwn;
  /** @internal Makes `structuredClone` and `postMessage` of a region throw (see `cloneRefusal`). */
  private readonly [NOT_CLONEABLE_KEY] = REGION_CLONE_REFUSAL;
  readonly #capacity: number;
  readonly #sizeClass: number;
  readonly #knownZero: boolean;
  readonly #backend: Backend;
  readonly #handle: unknown;
  #buffer: ArrayBuffer | undefined;

  /** Use `allocate` or `adopt`; private, so that the declarations offer no constructor. */
  private constructor(key: symbol, backend: Backend, raw: RawRegion) {
    if (key !== CONSTRUCTION_KEY) {
      throw Object.assign(
        new TypeError("Illegal constructor: use allocate() or adopt() to get a Region"),
        {
          code: "ERR_ILLEGAL_CONSTRUCTOR",
        },
      );
    }
    this.#backend = backend;
    this.#handle = raw.handle;
    this.#buffer = raw.buffer;
    this.#capacity = arrayBufferByteLength(raw.buffer);
    this.#sizeClass = raw.sizeClassIndex + 21;
    this.#knownZero = raw.knownZero;
  }

  /** @internal */
  static create(backend: Backend, raw: RawRegion): Region {
    return new Region(CONSTRUCTION_KEY, backend, raw);
  }

  /** Bytes in the region: a power of two from 2^21 to 2^36. */
  get capacity(): number {
    return Region.#check(this).#capacity;
  }

  /** log2 of the capacity, 21 (2 MiB) to 36 (64 GiB). */
  get sizeClass(): number {
    return Region.#check(this).#sizeClass;
  }

  /**
   * Every byte was zero when the region was handed out (always so from `allocate`), so
   * zeroing can be skipped. For a region from `reallocate`: every byte past the ones it kept.
   */
  get knownZero(): boolean {
    return Region.#check(this).#knownZero;
  }

  /** True once disposed or transferred. */
  get disposed(): boolean {
    return Region.#check(this).#buffer === undefined;
  }

  /**
   * The region's memory, without a copy.
   *
   * @throws `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  get buffer(): ArrayBuffer {
    return Region.#check(this).#live("read region.buffer");
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
  view(Ctor: typeof Buffer, byteOffset?: number, length?: number): Buffer;
  view<T extends TypedArray>(
    Ctor: TypedArrayConstructor<T>,
    byteOffset?: number,
    length?: number,
  ): T;
  view<T extends TypedArray>(
    Ctor: TypedArrayConstructor<T> | typeof Buffer,
    byteOffset: number = 0,
    length?: number,
  ): T {
    const self = Region.#check(this);
    const { Ctor: Constructor, Base } = typedArrayConstructorBase(Ctor, "Ctor");
    // The intrinsic's element size: a subclass may redefine its own BYTES_PER_ELEMENT.
    const elementBytes = Base.BYTES_PER_ELEMENT;
    const capacity = self.#capacity;
    const offset = validateInteger(byteOffset, "byteOffset", 0, capacity);
    if (offset % elementBytes !== 0) {
      throw new OutOfRangeError(
        "byteOffset",
        `a multiple of ${elementBytes} (${Base.name}.BYTES_PER_ELEMENT)`,
        byteOffset,
      );
    }
    const fit = Math.floor((capacity - offset) / elementBytes);
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
    const buffer = self.#live("create a view");
    // `new Buffer(...)` is deprecated (DEP0005); Buffer.from makes the same view.
    if (Constructor === (Buffer as unknown))
      return Buffer.from(buffer, offset, count) as unknown as T;
    return new Constructor(buffer, offset, count) as unknown as T;
  }

  /**
   * Like `realloc`: a region for `byteLength` bytes that holds this one's first
   * min(capacities) bytes; this region is disposed (its views become empty). Whole 2 MiB
   * pieces move by remapping their pages, so growing a large buffer copies nothing and
   * faults no pages in (the fallback backend copies). The bytes past the kept ones are
   * zero only where the new region's `knownZero` says so. On error (invalid size, out of
   * memory, `ERR_LGALLOC_BUSY`) this region is untouched and still usable.
   *
   * @throws as `allocate` for `byteLength` (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`,
   *   `ERR_LGALLOC_INVALID_SIZE`, `ERR_LGALLOC_DISABLED`, `ERR_LGALLOC_OUT_OF_MEMORY`);
   *   `ERR_LGALLOC_BUSY` while native code holds the buffer; `ERR_LGALLOC_DISPOSED`.
   */
  reallocate(byteLength: number): Region {
    const self = Region.#check(this);
    const size = validateRegionSize(byteLength);
    const buffer = self.#live("reallocate");
    const raw = self.#backend.reallocate(self.#handle, buffer, size);
    self.#buffer = undefined;
    // Only the bytes past the kept ones can still be zero.
    const capacity = arrayBufferByteLength(raw.buffer);
    const knownZero = raw.knownZero && Math.min(self.#capacity, capacity) < capacity;
    return Region.create(self.#backend, { ...raw, knownZero });
  }

  /**
   * Asks the kernel to read ahead a byte range (`MADV_WILLNEED`).
   *
   * @throws `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` for offsets that are not safe
   *   integers >= 0; `ERR_LGALLOC_OUT_OF_BOUNDS` for a range outside the region;
   *   `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  prefetch(byteOffset: number = 0, byteLength?: number): void {
    const self = Region.#check(this);
    const offset = validateInteger(byteOffset, "byteOffset");
    const length =
      byteLength === undefined
        ? Math.max(0, self.#capacity - offset)
        : validateInteger(byteLength, "byteLength");
    self.#live("prefetch");
    self.#backend.prefetch(self.#handle, offset, length);
  }

  /**
   * Detaches the buffer, so every view of it becomes empty, and returns the region to the
   * pool. Calling it again does nothing. A buffer that other code detached (see
   * `ERR_LGALLOC_BUFFER_DETACHED`) has no memory left to return: the region just ends.
   */
  dispose(): void {
    const self = Region.#check(this);
    const buffer = self.#buffer;
    if (buffer === undefined) return;
    self.#buffer = undefined;
    self.#backend.dispose(self.#handle, buffer);
  }

  /** The same as `dispose()`, for `using` declarations. */
  [Symbol.dispose](): void {
    Region.#check(this).dispose();
  }

  /**
   * Moves the region out of this thread without copying: detaches the buffer here and
   * returns a single-use token for `adopt` (on any thread). Send it with
   * `port.postMessage(token, token.transferList)`.
   *
   * @throws `ERR_LGALLOC_DISPOSED` once disposed or transferred.
   */
  transfer(): RegionToken {
    const self = Region.#check(this);
    const buffer = self.#live("transfer");
    const raw = self.#backend.transfer(self.#handle, buffer);
    self.#buffer = undefined;
    return makeToken(raw, self.#capacity);
  }

  /** What `JSON.stringify` shows: the region's facts, not its bytes. */
  toJSON(): {
    /** The region's capacity in bytes. */
    capacity: number;
    /** The pool it came from: log2 of its size class. */
    sizeClass: number;
    /** Whether its bytes are known to be zero. */
    knownZero: boolean;
    /** Whether it was disposed. */
    disposed: boolean;
  } {
    const self = Region.#check(this);
    return {
      capacity: self.#capacity,
      sizeClass: self.#sizeClass,
      knownZero: self.#knownZero,
      disposed: self.#buffer === undefined,
    };
  }

  /** `Region { capacity: 2097152, sizeClass: 21, knownZero: true, disposed: false }`. */
  toString(): string {
    const { capacity, sizeClass, knownZero, disposed } = Region.#check(this).toJSON();
    return `Region { capacity: ${capacity}, sizeClass: ${sizeClass}, knownZero: ${knownZero}, disposed: ${disposed} }`;
  }

  /** What `util.inspect` shows: the same as `toString()`, never the bytes. */
  [inspect.custom](): string {
    // `Region.prototype` and objects inheriting from a region are no regions.
    return #handle in this ? this.toString() : "Region {}";
  }

  /** `value` as a region of this package; `ERR_INVALID_THIS` for anything else. */
  static #check(value: unknown): Region {
    // `#handle in` reads no property and runs no Proxy trap.
    if (typeof value === "object" && value !== null && #handle in value) return value;
    throw new InvalidThisError("Region");
  }

  #live(operation: string): ArrayBuffer {
    const buffer = this.#buffer;
    if (buffer === undefined) throw disposedError(operation);
    // A live region's buffer is never detached by us: 0 means someone else moved it.
    if (arrayBufferByteLength(buffer) !== this.#capacity) throw bufferDetachedError(operation);
    return buffer;
  }

  /** True for a region of this copy of the package (see `isRegion` for any copy). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && #handle in value;
  }

  /** A region of this copy: the brand's value, which every copy's `isRegion` calls. */
  static #isOwn(value: unknown): boolean {
    return typeof value === "object" && value !== null && #handle in value;
  }
}

/**
 * True for a region of any copy of this package: an object carrying the brand as an own
 * data property (so `Object.create(region)` is not one) whose value, the check of the copy
 * that made the region, accepts it (so a copy made by spreading a region is not one). A
 * Proxy is never a region.
 */
export function isRegion(value: unknown): value is Region {
  if (typeof value !== "object" || value === null || types.isProxy(value)) return false;
  // A descriptor, so that no getter of a look-alike runs here.
  const check: unknown = Object.getOwnPropertyDescriptor(value, REGION_BRAND)?.value;
  return typeof check === "function" && check(value) === true;
}

function makeToken(raw: RawToken, byteLength: number): RegionToken {
  const moved = raw.buffer ?? raw.anchor;
  const transferList = Object.freeze(moved === undefined ? [] : [moved]);
  const token = { kind: "lgalloc.RegionToken" as const, id: raw.id, byteLength, transferList };
  return Object.freeze(raw.buffer === undefined ? token : { ...token, buffer: raw.buffer });
}

const TOKEN_ID = /^[0-9a-f]{32}$/;

/**
 * The backend's view of a token; ERR_LGALLOC_INVALID_TOKEN unless it has the right shape.
 * Each field is read exactly once, so a getter cannot pass the check with one value and
 * hand the backend another.
 */
export function parseToken(value: unknown): RawToken {
  if (typeof value !== "object" || value === null) {
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_TOKEN",
      `The token is malformed: expected a RegionToken object. Received ${typeof value}`,
    );
  }
  const token = value as Record<string, unknown>;
  const kind = token.kind;
  const id = kind === "lgalloc.RegionToken" ? token.id : undefined;
  if (kind !== "lgalloc.RegionToken" || typeof id !== "string" || !TOKEN_ID.test(id)) {
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_TOKEN",
      'The token is malformed: expected kind "lgalloc.RegionToken" and an id of 32 lowercase hex digits',
    );
  }
  const buffer = token.buffer;
  if (buffer !== undefined && !types.isArrayBuffer(buffer)) {
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_TOKEN",
      "The token is malformed: its buffer is not an ArrayBuffer",
    );
  }
  return buffer === undefined ? { id } : { id, buffer };
}
