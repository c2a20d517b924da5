// `AppendWindow`: the append path of a column's buffers (fixed-width values, offsets,
// bitmap bytes). It keeps a `LargeVec` together with its own count of the elements in use:
// the vector's length runs ahead of that count (zero-filled, at most MAX_SLACK_BYTES
// beyond what was needed: little, since zero-filling a reused region touches its pages, and
// a sealed buffer that keeps its size class keeps them resident), and one cached view of the whole vector (`#window`) takes each
// appended element with a plain typed-array store.
//
// Why: `LargeVec#push` is quick only where V8 inlines it; called from the column code (one
// call site for every kind) it was not, and then it allocated its `arguments` object, about
// 180 bytes per value (measured with the sampling heap profiler): young garbage that made
// row-by-row building of a 10M-row table spend more time in the garbage collector than in
// appending. A store into the window allocates nothing.
//
// Safety: the window is a view the vector made, so it only ever covers the vector's own
// storage; when the vector reallocates or is disposed, the view is detached (length 0) and
// the next append takes the slow path, which asks the vector again (and throws
// `ERR_LGALLOC_DISPOSED` if it is gone). Every operation that changes the vector's length
// other than the run-ahead drops the window first. Elements past the count may hold values
// of truncated appends: `pushRun` writes its value explicitly, and `seal` / `view` expose only
// the count.

import type { TypedArray } from "@lgalloc/core";

import type { ElementOf, LargeVec } from "./large-vec";

/** The most zero-filled elements' bytes added beyond what an append needs. */
const MAX_SLACK_BYTES = 256 * 2 ** 10;
/** A typed array holds at most 2^32 elements: past that, appends take the slow path. */
const MAX_WINDOW_ELEMENTS = 2 ** 32;

type Store<T extends TypedArray> = { [index: number]: ElementOf<T>; readonly length: number };

export class AppendWindow<T extends TypedArray> {
  readonly #vec: LargeVec<T>;
  #length: number;
  #window: Store<T>;
  readonly #empty: Store<T>;
  readonly #slack: number;

  /** Appends after the elements `vec` holds (an adopted column's). */
  constructor(vec: LargeVec<T>) {
    this.#vec = vec;
    this.#length = vec.length;
    this.#empty = new (vec.elementType as unknown as new (length: number) => Store<T>)(0);
    this.#window = this.#empty;
    this.#slack = Math.max(1, MAX_SLACK_BYTES / vec.BYTES_PER_ELEMENT);
  }

  /** Elements in use. */
  get length(): number {
    return this.#length;
  }

  get byteLength(): number {
    return this.#length * this.#vec.BYTES_PER_ELEMENT;
  }

  /** Appends one element (already of the vector's element type). */
  push(value: ElementOf<T>): void {
    const at = this.#length;
    const window = this.#window;
    if (at < window.length) {
      window[at] = value;
      this.#length = at + 1;
      return;
    }
    this.#pushSlow(value);
  }

  /** Appends `count` copies of `value`. */
  pushRun(value: ElementOf<T>, count: number): void {
    const start = this.#length;
    const window = this.#window;
    if (start + count <= window.length && count <= 64) {
      // A few nulls (a row's): stores, without LargeVec#fill's argument checks.
      for (let at = start; at < start + count; at++) window[at] = value;
      this.#length = start + count;
      return;
    }
    this.#makeRoom(start + count);
    this.#vec.fill(value, start, start + count);
    this.#length = start + count;
  }

  get(index: number): ElementOf<T> {
    return this.#vec.get(index);
  }

  /** Replaces the element at `index` (< length). */
  set(index: number, value: ElementOf<T>): void {
    if (index < this.#window.length) this.#window[index] = value;
    else this.#vec.set(index, value);
  }

  /**
   * Throws what the vector throws for its elements (`ERR_LGALLOC_DISPOSED`,
   * `ERR_LGALLOC_BUFFER_DETACHED` for storage other code moved away): for an append that
   * writes nothing (a 0 bit in a partly used bitmap byte), which would otherwise succeed
   * over storage that is gone. A window over moved storage has length 0.
   */
  checkStorage(): void {
    if (this.#window.length === 0) this.#vec.view(0, 0);
  }

  /** Makes room for `additional` more elements, so that appending them does not grow. */
  reserve(additional: number): void {
    const vec = this.#vec;
    const required = this.#length + additional;
    if (required <= vec.capacity) return;
    this.#window = this.#empty;
    vec.reserve(required - vec.length);
  }

  /** Drops the elements from `length` on (no-op if `length >= this.length`). */
  truncate(length: number): void {
    if (length < this.#length) this.#length = length;
  }

  /**
   * Appends a typed array's elements (`LargeVec#extend`: one copy, its own aliasing rules);
   * returns how many.
   */
  extend(source: ArrayLike<ElementOf<T>>): number {
    const vec = this.#vec;
    this.#window = this.#empty;
    vec.truncate(this.#length);
    const added = vec.extend(source) - this.#length;
    this.#length = vec.length;
    return added;
  }

  /** The elements in use without a copy; valid until the next append. */
  view(): T {
    return this.#vec.view(0, this.#length);
  }

  /**
   * Hands the vector over, `length` elements long at the smallest storage that holds them
   * (`LargeVec#shrinkToFit`); the window must not be used afterwards. On error (out of
   * memory) the vector keeps its storage, and appending still works.
   */
  seal(): LargeVec<T> {
    this.#window = this.#empty;
    this.#vec.truncate(this.#length);
    this.#vec.shrinkToFit();
    return this.#vec;
  }

  dispose(): void {
    this.#window = this.#empty;
    this.#vec.dispose();
  }

  #pushSlow(value: ElementOf<T>): void {
    const at = this.#length;
    this.#makeRoom(at + 1);
    if (at < this.#window.length) this.#window[at] = value;
    else this.#vec.set(at, value);
    this.#length = at + 1;
  }

  /** Makes the vector at least `required` elements long and the window over it fresh. */
  #makeRoom(required: number): void {
    const vec = this.#vec;
    this.#window = this.#empty;
    if (vec.length < required) {
      // Doubling, as LargeVec#push grows, so that appends stay amortized O(1).
      if (required > vec.capacity) vec.reserve(Math.max(required, vec.capacity * 2) - vec.length);
      vec.resize(Math.max(required, Math.min(vec.capacity, required + this.#slack)));
    }
    const end = Math.min(vec.length, MAX_WINDOW_ELEMENTS);
    this.#window = vec.view(0, end) as unknown as Store<T>;
  }
}
