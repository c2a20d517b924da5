// The offsets of a variable-width column (utf8, binary and their large variants): length + 1
// positions into the data bytes, the first 0, never decreasing; value i is bytes
// [offsets[i], offsets[i + 1]). Int32 for utf8/binary, BigInt64 for the large kinds; both
// take and give plain numbers here (byte positions stay far below 2^53: 64 GiB at most).

import { AppendWindow } from "./column-window";
import { LargeVec } from "./large-vec";

export interface OffsetsBuffer {
  /** Offsets held: the column's length + 1. */
  readonly length: number;
  readonly byteLength: number;
  get(index: number): number;
  push(offset: number): void;
  /** Makes room for `additional` more offsets. */
  reserve(additional: number): void;
  /** Appends `count` copies of the last offset (empty values: nulls). */
  repeatLast(count: number): void;
  truncate(length: number): void;
  /** All offsets without a copy; valid until the buffer next grows. */
  view(): Int32Array | BigInt64Array;
  /** Hands the vector over for sealing, at the smallest storage that holds it. */
  seal(): LargeVec<Int32Array> | LargeVec<BigInt64Array>;
  dispose(): void;
}

class Offsets32 implements OffsetsBuffer {
  readonly #vec: AppendWindow<Int32Array>;

  constructor(vec?: LargeVec<Int32Array>) {
    this.#vec = new AppendWindow(vec ?? LargeVec.from(Int32Array, [0]));
  }

  get length(): number {
    return this.#vec.length;
  }

  get byteLength(): number {
    return this.#vec.byteLength;
  }

  get(index: number): number {
    return this.#vec.get(index);
  }

  push(offset: number): void {
    this.#vec.push(offset);
  }

  reserve(additional: number): void {
    this.#vec.reserve(additional);
  }

  repeatLast(count: number): void {
    const vec = this.#vec;
    vec.pushRun(vec.get(vec.length - 1), count);
  }

  truncate(length: number): void {
    this.#vec.truncate(length);
  }

  view(): Int32Array {
    return this.#vec.view();
  }

  seal(): LargeVec<Int32Array> {
    return this.#vec.seal();
  }

  dispose(): void {
    this.#vec.dispose();
  }
}

class Offsets64 implements OffsetsBuffer {
  readonly #vec: AppendWindow<BigInt64Array>;

  constructor(vec?: LargeVec<BigInt64Array>) {
    this.#vec = new AppendWindow(vec ?? LargeVec.from(BigInt64Array, [0n]));
  }

  get length(): number {
    return this.#vec.length;
  }

  get byteLength(): number {
    return this.#vec.byteLength;
  }

  get(index: number): number {
    return Number(this.#vec.get(index));
  }

  push(offset: number): void {
    this.#vec.push(BigInt(offset));
  }

  reserve(additional: number): void {
    this.#vec.reserve(additional);
  }

  repeatLast(count: number): void {
    const vec = this.#vec;
    vec.pushRun(vec.get(vec.length - 1), count);
  }

  truncate(length: number): void {
    this.#vec.truncate(length);
  }

  view(): BigInt64Array {
    return this.#vec.view();
  }

  seal(): LargeVec<BigInt64Array> {
    return this.#vec.seal();
  }

  dispose(): void {
    this.#vec.dispose();
  }
}

/**
 * Offsets holding just the initial 0 (or the offsets in `vec`, an adopted column's):
 * BigInt64 if `large`, else Int32.
 */
export function createOffsets(
  large: boolean,
  vec?: LargeVec<Int32Array> | LargeVec<BigInt64Array>,
): OffsetsBuffer {
  return large
    ? new Offsets64(vec as LargeVec<BigInt64Array> | undefined)
    : new Offsets32(vec as LargeVec<Int32Array> | undefined);
}
