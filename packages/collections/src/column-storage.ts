// The value buffers of a `ColumnBuffer`, one class per physical layout: fixed-width values
// in a typed `LargeVec`, bit-packed booleans in a `Bitmap`, and Int32/Int64 offsets (an
// `OffsetsBuffer`) plus a `DataBuffer` for strings and bytes. The column owns validity, length and null count, and
// calls into a storage only with values its kind's converter has already accepted.
//
// Every `write*` either completes or throws with the storage unchanged (the LargeVec
// promise), and `truncate` undoes any number of them: that is how the column rolls back.

import { inspect } from "node:util";

import { MAX_REGION_BYTES, OutOfRangeError } from "@lgalloc/core";

import {
  KINDS,
  toBoolean,
  toBytes,
  toText,
  type ColumnKind,
  type FixedArray,
  type FixedKindInfo,
  type TimeUnit,
  type VariableKindInfo,
} from "./column-kinds";
import { AppendWindow } from "./column-window";
import { DataBuffer } from "./data-buffer";
import { isTypedArray } from "./element-kinds";
import { typedArrayKindName } from "./intrinsics";
import { createOffsets, type OffsetsBuffer } from "./offsets-buffer";
import { LargeVec, type ElementOf } from "./large-vec";
import { Bitmap } from "./validity-bitmap";

/** Bytes of a utf8/binary value shown by `toString`; longer values show a prefix. */
const PREVIEW_BYTES = 32;

/** Int32 offsets address at most this many bytes of data. */
export const INT32_MAX = 2 ** 31 - 1;

/** The name of the argument at `index` of `appendMany`, or `append`'s "value" (index -1). */
export function argumentName(index: number): string {
  return index < 0 ? "value" : `values[${index}]`;
}

export type Stored = number | bigint | boolean | string | Uint8Array;

/** What a column needs from its value buffers. */
export interface ColumnStorage {
  /** Bytes of the value buffers in use (not counting validity). */
  readonly byteLength: number;
  /** The most slots the buffers can hold (64 GiB each at most). */
  readonly maxSlots: number;
  /** Validates `value` and converts it to what `write` takes; changes nothing. */
  convert(value: unknown, name: string): Stored;
  /** Appends one converted value; `index` names the argument in errors. */
  write(value: Stored, index: number): void;
  /** Makes room for `slots` more slots (values or offsets; not data bytes). */
  reserve(slots: number): void;
  /** Makes room for `bytes` more data bytes (variable-width kinds; a no-op for others). */
  reserveData(bytes: number): void;
  /** Appends `count` null slots (zero values, or repeated offsets). */
  writeNulls(count: number): void;
  /**
   * Appends every element of `source` if it is a typed array this storage can copy as is
   * (no conversion, no validation) and returns how many; returns -1, changing nothing,
   * otherwise.
   */
  writeTypedArray(source: object): number;
  /** The value at slot `index` (< length). */
  read(index: number): number | bigint | boolean | string | Uint8Array;
  /** The value at slot `index` for display: at most a short prefix of a long one. */
  preview(index: number): string;
  /** Drops the slots from `length` on. */
  truncate(length: number): void;
  values(): FixedArray;
  offsets(): Int32Array | BigInt64Array | null;
  data(): Uint8Array | null;
  /**
   * Hands the buffers over (column-seal.ts), each at the smallest storage that holds its
   * used part; the storage must not be used afterwards. On error nothing is lost.
   */
  seal(padding: number): SealedStorage;
  dispose(): void;
}

/** The value buffers of a sealed column, now owned by the caller. */
export interface SealedStorage {
  /** Fixed-width values, bit-packed booleans (padded), or the data bytes. */
  readonly values: LargeVec<FixedArray>;
  readonly offsets: LargeVec<Int32Array> | LargeVec<BigInt64Array> | null;
}

class FixedStorage implements ColumnStorage {
  readonly #info: FixedKindInfo;
  readonly #unit: TimeUnit;
  /** The values (appended through a window: column-window.ts). */
  readonly #values: AppendWindow<FixedArray>;

  constructor(info: FixedKindInfo, unit: TimeUnit, vec?: LargeVec<FixedArray>) {
    this.#info = info;
    this.#unit = unit;
    this.#values = new AppendWindow(vec ?? LargeVec.withCapacity(info.ArrayType, 0));
  }

  get byteLength(): number {
    return this.#values.byteLength;
  }

  get maxSlots(): number {
    return MAX_REGION_BYTES / this.#info.ArrayType.BYTES_PER_ELEMENT;
  }

  convert(value: unknown, name: string): Stored {
    return this.#info.convert(value, name, this.#unit);
  }

  write(value: Stored): void {
    this.#values.push(value as ElementOf<FixedArray>);
  }

  reserve(slots: number): void {
    this.#values.reserve(slots);
  }

  reserveData(): void {
    // No data bytes: the values are reserved by slots.
  }

  writeNulls(count: number): void {
    // Explicit zeros: the slots past the length may hold values of a rolled-back append.
    this.#values.pushRun(
      (this.#info.ArrayType === BigInt64Array || this.#info.ArrayType === BigUint64Array
        ? 0n
        : 0) as ElementOf<FixedArray>,
      count,
    );
  }

  writeTypedArray(source: object): number {
    // The kind by the built-in tag, not `instanceof` (a Proxy's traps, a subclass's getters).
    if (!isTypedArray(source) || typedArrayKindName(source) !== this.#info.ArrayType.name) {
      return -1;
    }
    // (LargeVec#extend copies a view of its own storage before growing, so
    // `col.appendMany(col.values())` works.)
    return this.#values.extend(source as unknown as ArrayLike<never>);
  }

  read(index: number): number | bigint {
    return this.#values.get(index);
  }

  preview(index: number): string {
    return inspect(this.read(index));
  }

  truncate(length: number): void {
    this.#values.truncate(length);
  }

  values(): FixedArray {
    return this.#values.view();
  }

  offsets(): null {
    return null;
  }

  data(): null {
    return null;
  }

  seal(): SealedStorage {
    return { values: this.#values.seal(), offsets: null };
  }

  dispose(): void {
    this.#values.dispose();
  }
}

class BoolStorage implements ColumnStorage {
  readonly #bits: Bitmap;

  constructor(bits?: Bitmap) {
    this.#bits = bits ?? new Bitmap();
  }

  get byteLength(): number {
    return this.#bits.byteLength;
  }

  get maxSlots(): number {
    return MAX_REGION_BYTES * 8;
  }

  convert(value: unknown, name: string): Stored {
    return toBoolean(value, name);
  }

  write(value: Stored): void {
    this.#bits.push(value === true);
  }

  writeNulls(count: number): void {
    this.#bits.pushRun(false, count);
  }

  reserve(): void {
    // Bit-packed: an eighth of a byte per slot, not worth reserving.
  }

  reserveData(): void {
    // No data bytes.
  }

  writeTypedArray(): number {
    return -1;
  }

  read(index: number): boolean {
    return this.#bits.get(index);
  }

  preview(index: number): string {
    return String(this.read(index));
  }

  truncate(length: number): void {
    this.#bits.truncate(length);
  }

  values(): Uint8Array {
    return this.#bits.view();
  }

  offsets(): null {
    return null;
  }

  data(): null {
    return null;
  }

  seal(padding: number): SealedStorage {
    return { values: this.#bits.seal(padding), offsets: null };
  }

  dispose(): void {
    this.#bits.dispose();
  }
}

class VariableStorage implements ColumnStorage {
  readonly #kind: ColumnKind;
  readonly #info: VariableKindInfo;
  readonly #data: DataBuffer;
  readonly #offsets: OffsetsBuffer;
  /** The most data bytes the offsets can address. */
  readonly #limit: number;

  constructor(kind: ColumnKind, info: VariableKindInfo, sealed?: SealedStorage) {
    this.#kind = kind;
    this.#info = info;
    this.#data = new DataBuffer(sealed?.values as LargeVec<Uint8Array> | undefined);
    this.#offsets = createOffsets(info.large, sealed?.offsets ?? undefined);
    this.#limit = info.large ? Number.MAX_SAFE_INTEGER : INT32_MAX;
  }

  get byteLength(): number {
    return this.#offsets.byteLength + this.#data.length;
  }

  get maxSlots(): number {
    // length + 1 offsets of 4 or 8 bytes.
    return MAX_REGION_BYTES / (this.#info.large ? 8 : 4) - 1;
  }

  convert(value: unknown, name: string): Stored {
    return this.#info.text ? toText(value, name) : toBytes(value, name);
  }

  write(value: Stored, index: number): void {
    const data = this.#data;
    const text = typeof value === "string";
    // At least one byte per UTF-16 code unit: refuse before writing anything when possible.
    const least = text ? value.length : (value as Uint8Array).length;
    if (data.length + least > this.#limit) this.#overflow(value, index);
    const end = text ? data.writeText(value) : data.writeBytes(value as Uint8Array);
    if (end > this.#limit) this.#overflow(value, index);
    this.#offsets.push(end);
    data.commit(end);
  }

  writeNulls(count: number): void {
    this.#offsets.repeatLast(count);
  }

  reserve(slots: number): void {
    this.#offsets.reserve(slots);
  }

  reserveData(bytes: number): void {
    this.#data.reserve(bytes);
  }

  writeTypedArray(): number {
    return -1;
  }

  read(index: number): string | Uint8Array {
    const start = this.#offsets.get(index);
    const end = this.#offsets.get(index + 1);
    // Bytes are copied: a view would go stale (length 0) when the data buffer grows.
    return this.#info.text ? this.#data.text(start, end) : this.#data.bytes(start, end).slice();
  }

  preview(index: number): string {
    const start = this.#offsets.get(index);
    const end = this.#offsets.get(index + 1);
    if (end - start <= PREVIEW_BYTES) return inspect(this.read(index));
    // Only a prefix: a value may be gigabytes long.
    if (!this.#info.text) {
      const head = this.#data.bytes(start, start + 8);
      const hex = Array.from(head, (byte) => byte.toString(16).padStart(2, "0"));
      return `<${end - start} bytes: ${hex.join(" ")} ...>`;
    }
    // Cut at the start of a UTF-8 sequence (continuation bytes are 0b10xxxxxx).
    let cut = start + PREVIEW_BYTES;
    while (cut > start && (this.#data.bytes(cut, cut + 1)[0]! & 0xc0) === 0x80) cut--;
    return `${inspect(this.#data.text(start, cut))}... (${end - start} bytes)`;
  }

  truncate(length: number): void {
    this.#offsets.truncate(length + 1);
    this.#data.truncate(this.#offsets.get(length));
  }

  values(): Uint8Array {
    return this.#data.view();
  }

  offsets(): Int32Array | BigInt64Array {
    return this.#offsets.view();
  }

  data(): Uint8Array {
    return this.#data.view();
  }

  seal(): SealedStorage {
    return { values: this.#data.seal(), offsets: this.#offsets.seal() };
  }

  dispose(): void {
    this.#data.dispose();
    this.#offsets.dispose();
  }

  #overflow(value: Stored, index: number): never {
    const large = this.#kind === "utf8" ? "largeUtf8" : "largeBinary";
    throw new OutOfRangeError(
      argumentName(index),
      `small enough for the column's data to stay within ${INT32_MAX} bytes (${this.#kind} ` +
        `has Int32 offsets; use the "${large}" kind for more)`,
      value,
    );
  }
}

/**
 * The value buffers for a column of `kind`: empty, or holding `sealed` (the buffers of an
 * adopted column, `length` slots, already checked by column-transfer.ts).
 */
export function createStorage(
  kind: ColumnKind,
  unit: TimeUnit,
  sealed?: SealedStorage,
  length = 0,
): ColumnStorage {
  const info = KINDS[kind];
  switch (info.layout) {
    case "fixed":
      return new FixedStorage(info, unit, sealed?.values);
    case "bool":
      return new BoolStorage(
        sealed === undefined
          ? undefined
          : new Bitmap(sealed.values as unknown as LargeVec<Uint8Array>, length),
      );
    case "variable":
      return new VariableStorage(kind, info, sealed);
  }
}
