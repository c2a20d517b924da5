// Helpers of the ColumnBuffer tests: a snapshot of everything observable about a column
// (to prove that a failed call changed nothing), value comparison that treats NaN, -0,
// bigints and byte arrays exactly, and the Arrow layout rules checked buffer by buffer.

import { expect } from "chai";
import type { ColumnBuffer } from "@lgalloc/collections";

/** Same value for a column: Object.is for numbers (NaN, -0), byte-wise for bytes. */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual instanceof Uint8Array && expected instanceof Uint8Array) {
    return Buffer.from(actual).equals(Buffer.from(expected));
  }
  return Object.is(actual, expected);
}

export function expectSameValue(actual: unknown, expected: unknown, what: string): void {
  if (!sameValue(actual, expected)) {
    expect.fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Uint8Array) return `Uint8Array[${Array.from(value).join(",")}]`;
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

/** A copy of every buffer and value of a column. */
export interface ColumnSnapshot {
  length: number;
  nullCount: number;
  byteLength: number;
  values: number[];
  validity: number[] | null;
  offsets: string[] | null;
  data: number[] | null;
  got: unknown[];
}

function bytesOf(view: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

export function snapshot(column: ColumnBuffer): ColumnSnapshot {
  const validity = column.validity();
  const offsets = column.offsets();
  const data = column.data();
  const got: unknown[] = [];
  for (let i = 0; i < column.length; i++) got.push(column.get(i));
  return {
    length: column.length,
    nullCount: column.nullCount,
    byteLength: column.byteLength,
    values: bytesOf(column.values()),
    validity: validity === null ? null : Array.from(validity),
    offsets: offsets === null ? null : Array.from(offsets as ArrayLike<number | bigint>, String),
    data: data === null ? null : Array.from(data),
    got,
  };
}

/** The column still holds exactly what `before` recorded. */
export function expectUnchanged(column: ColumnBuffer, before: ColumnSnapshot): void {
  const after = snapshot(column);
  expect(after.length, "length").to.equal(before.length);
  expect(after.nullCount, "nullCount").to.equal(before.nullCount);
  expect(after.byteLength, "byteLength").to.equal(before.byteLength);
  expect(after.values, "values bytes").to.deep.equal(before.values);
  expect(after.validity, "validity bytes").to.deep.equal(before.validity);
  expect(after.offsets, "offsets").to.deep.equal(before.offsets);
  expect(after.data, "data bytes").to.deep.equal(before.data);
  after.got.forEach((value, i) => expectSameValue(value, before.got[i], `get(${i})`));
}

/** Bit `index` of an Arrow bitmap: bit index % 8 (least significant first) of byte index >> 3. */
export function arrowBit(bitmap: Uint8Array, index: number): boolean {
  return ((bitmap[index >> 3]! >> (index % 8)) & 1) === 1;
}

/**
 * The validity bitmap follows Arrow's rules against the expected nulls: absent while there
 * are none; otherwise exactly ceil(length / 8) bytes, LSB order, 1 = valid, and (our own
 * invariant) zero bits past the length.
 */
export function expectValidityLayout(column: ColumnBuffer, isNull: readonly boolean[]): void {
  const validity = column.validity();
  const nulls = isNull.filter(Boolean).length;
  expect(column.nullCount, "nullCount").to.equal(nulls);
  if (nulls === 0) {
    expect(validity, "validity() without nulls").to.equal(null);
    return;
  }
  expect(validity, "validity()").to.be.an.instanceof(Uint8Array);
  expectBitmap(
    validity!,
    isNull.map((n) => !n),
    "validity",
  );
}

/** A bit-packed buffer holds exactly `bits`: ceil(n / 8) bytes, LSB order, zero tail bits. */
export function expectBitmap(bitmap: Uint8Array, bits: readonly boolean[], what: string): void {
  expect(bitmap.length, `${what} byte length`).to.equal(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) {
    if (arrowBit(bitmap, i) !== bits[i]) expect.fail(`${what} bit ${i}: expected ${bits[i]}`);
  }
  for (let i = bits.length; i < bitmap.length * 8; i++) {
    if (arrowBit(bitmap, i)) expect.fail(`${what} bit ${i} past the length is set`);
  }
}

/**
 * Offsets follow Arrow's rules: length + 1 of them, starting at 0, never decreasing, the
 * last one the data length; each slot's bytes are its value's, and a null slot is empty.
 */
export function expectOffsetsLayout(
  column: ColumnBuffer,
  expected: readonly (Uint8Array | null)[],
): void {
  const offsets = Array.from(column.offsets() as ArrayLike<number | bigint>, Number);
  const data = column.data()!;
  expect(offsets.length, "offsets length").to.equal(column.length + 1);
  expect(offsets[0], "first offset").to.equal(0);
  for (let i = 0; i < column.length; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end < start) expect.fail(`offsets decrease at ${i}: ${start} > ${end}`);
    const bytes = expected[i];
    if (bytes === null || bytes === undefined) {
      if (end !== start) expect.fail(`null slot ${i} has ${end - start} bytes`);
    } else if (!Buffer.from(data.subarray(start, end)).equals(Buffer.from(bytes))) {
      expect.fail(`slot ${i} bytes differ`);
    }
  }
  expect(offsets[column.length], "last offset").to.equal(data.length);
}

/** The UTF-8 bytes of a string as the column stores them (lone surrogates as U+FFFD). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A string as the column gives it back: well-formed (lone surrogates become U+FFFD). */
export function wellFormed(text: string): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(utf8(text));
}
