// The kinds of a `ColumnBuffer`: for each Arrow type it can hold, its physical layout
// (fixed-width values, bit-packed booleans, or offsets + data), the typed array of its
// values or offsets, and the conversion of an appended JS value into the stored one. Every
// conversion validates first and throws Node-style argument errors; nothing here touches a
// column, so a failed conversion cannot leave one half-changed.
//
// Inputs, per kind (see also docs/collections-api.md):
// - int8 .. uint32: a number that is an integer within the type's range.
// - int64, uint64: a bigint within range, or a safe-integer number (|n| <= 2^53 - 1). Larger
//   numbers are refused rather than rounded: beyond 2^53 a number has already lost digits.
// - float32: any number whose float32 rounding is finite (or NaN/±Infinity themselves);
//   float64: any number.
// - date32 (days since the epoch, Int32): a Date (its UTC day, rounded down) or an integer
//   number of days. date64 (ms, Int64): a Date, a bigint or a safe-integer number.
// - timestamp (Int64 in the column's unit): a Date (converted to the unit; rounded down for
//   "s"), a bigint or a safe-integer number already in the unit.
// - bool: a boolean. utf8 / largeUtf8: a string. binary / largeBinary: an ArrayBuffer view
//   (its bytes) or an ArrayBuffer / SharedArrayBuffer.

import { types } from "node:util";

import { InvalidArgTypeError, OutOfRangeError, type TypedArrayConstructor } from "@lgalloc/core";

import {
  dataViewBuffer,
  dataViewByteLength,
  dataViewByteOffset,
  dateTimeValue,
  typedArrayBuffer,
  typedArrayByteLength,
  typedArrayByteOffset,
} from "./intrinsics";

/** The time unit of a `timestamp` column. */
export type TimeUnit = "s" | "ms" | "us" | "ns";

export const TIME_UNITS: readonly TimeUnit[] = ["s", "ms", "us", "ns"];

/** What each kind accepts, returns and stores. */
export interface ColumnKindTypes {
  int8: { input: number; value: number; values: Int8Array; offsets: null };
  int16: { input: number; value: number; values: Int16Array; offsets: null };
  int32: { input: number; value: number; values: Int32Array; offsets: null };
  int64: { input: bigint | number; value: bigint; values: BigInt64Array; offsets: null };
  uint8: { input: number; value: number; values: Uint8Array; offsets: null };
  uint16: { input: number; value: number; values: Uint16Array; offsets: null };
  uint32: { input: number; value: number; values: Uint32Array; offsets: null };
  uint64: { input: bigint | number; value: bigint; values: BigUint64Array; offsets: null };
  float32: { input: number; value: number; values: Float32Array; offsets: null };
  float64: { input: number; value: number; values: Float64Array; offsets: null };
  date32: { input: number | Date; value: number; values: Int32Array; offsets: null };
  date64: { input: bigint | number | Date; value: bigint; values: BigInt64Array; offsets: null };
  timestamp: {
    input: bigint | number | Date;
    value: bigint;
    values: BigInt64Array;
    offsets: null;
  };
  bool: { input: boolean; value: boolean; values: Uint8Array; offsets: null };
  utf8: { input: string; value: string; values: Uint8Array; offsets: Int32Array };
  binary: { input: BinaryInput; value: Uint8Array; values: Uint8Array; offsets: Int32Array };
  largeUtf8: { input: string; value: string; values: Uint8Array; offsets: BigInt64Array };
  largeBinary: {
    input: BinaryInput;
    value: Uint8Array;
    values: Uint8Array;
    offsets: BigInt64Array;
  };
}

/** Every kind a `ColumnBuffer` can hold. */
export type ColumnKind = keyof ColumnKindTypes;

/** What `append` takes for a kind (besides `null`). */
export type ColumnInput<K extends ColumnKind> = ColumnKindTypes[K]["input"];
/** What `get` returns for a valid slot of a kind. */
export type ColumnValue<K extends ColumnKind> = ColumnKindTypes[K]["value"];
/** The typed array `values()` returns for a kind. */
export type ColumnValues<K extends ColumnKind> = ColumnKindTypes[K]["values"];
/** What `offsets()` returns for a kind: null for kinds without offsets. */
export type ColumnOffsets<K extends ColumnKind> = ColumnKindTypes[K]["offsets"];
/** What `data()` returns for a kind: the bytes of variable-width kinds, else null. */
export type ColumnData<K extends ColumnKind> = ColumnKindTypes[K]["offsets"] extends null
  ? null
  : Uint8Array;

/** Bytes for a binary column. */
export type BinaryInput = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

type Stored = number | bigint;
type Converter = (value: unknown, name: string, unit: TimeUnit) => Stored;

/** The typed array types a fixed-width kind stores its values in. */
export type FixedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** Fixed-width values: one element of `ArrayType` per slot (zero for null slots). */
export interface FixedKindInfo {
  readonly layout: "fixed";
  readonly ArrayType: TypedArrayConstructor<FixedArray>;
  readonly convert: Converter;
}

/** Booleans: one bit per slot, LSB first, in a Uint8Array. */
export interface BoolKindInfo {
  readonly layout: "bool";
}

/** Offsets (length + 1 of them) into a byte buffer: strings or bytes. */
export interface VariableKindInfo {
  readonly layout: "variable";
  /** UTF-8 strings (utf8, largeUtf8) rather than bytes. */
  readonly text: boolean;
  /** 64-bit offsets (BigInt64Array) rather than 32-bit (Int32Array). */
  readonly large: boolean;
}

export type KindInfo = FixedKindInfo | BoolKindInfo | VariableKindInfo;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const MS_PER_DAY = 86_400_000;
/** The largest |time value| of a Date, in ms (ECMA-262 21.4.1.1). */
const MAX_TIME_VALUE = 8.64e15;

/** An integer number in [min, max] (the 8- to 32-bit kinds). */
function integer(min: number, max: number): Converter {
  return (value, name) => {
    if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
    if (!Number.isInteger(value)) throw new OutOfRangeError(name, "an integer", value);
    if (value < min || value > max) {
      throw new OutOfRangeError(name, `>= ${min} && <= ${max}`, value);
    }
    return value;
  };
}

/** A bigint in [min, max], or a safe-integer number in that range (the 64-bit kinds). */
function bigInteger(
  value: unknown,
  name: string,
  min: bigint,
  max: bigint,
  range: string,
  alsoDate = false,
): bigint {
  if (typeof value === "bigint") {
    if (value < min || value > max) throw new OutOfRangeError(name, range, value);
    return value;
  }
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new OutOfRangeError(name, "an integer", value);
    if (!Number.isSafeInteger(value)) {
      throw new OutOfRangeError(
        name,
        "a safe integer (|n| <= 2^53 - 1) when given as a number; pass a bigint for larger values",
        value,
      );
    }
    const big = BigInt(value);
    if (big < min || big > max) throw new OutOfRangeError(name, range, value);
    return big;
  }
  const expected = alsoDate
    ? "of type bigint or number, or an instance of Date"
    : "of type bigint or number";
  throw new InvalidArgTypeError(name, expected, value);
}

const int64: Converter = (value, name) =>
  bigInteger(value, name, INT64_MIN, INT64_MAX, ">= -(2n ** 63n) && < 2n ** 63n");

const uint64: Converter = (value, name) =>
  bigInteger(value, name, 0n, UINT64_MAX, ">= 0n && < 2n ** 64n");

const int32 = integer(-(2 ** 31), 2 ** 31 - 1);

const float32: Converter = (value, name) => {
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
    throw new OutOfRangeError(
      name,
      "within the float32 range (|x| <= 3.4028234663852886e+38)",
      value,
    );
  }
  return value;
};

const float64: Converter = (value, name) => {
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  return value;
};

/** Milliseconds since the epoch of a valid Date. */
function dateTime(value: Date, name: string): number {
  // The built-in getTime: an own or overridden `getTime` could return anything (2^62, a
  // fraction); the time value itself is always an integer within ±8.64e15 ms, or NaN.
  const time = dateTimeValue(value);
  if (!Number.isSafeInteger(time) || Math.abs(time) > MAX_TIME_VALUE) {
    throw new OutOfRangeError(name, "a valid Date", value);
  }
  return time;
}

const date32: Converter = (value, name) => {
  if (types.isDate(value)) return Math.floor(dateTime(value, name) / MS_PER_DAY);
  if (typeof value !== "number") {
    throw new InvalidArgTypeError(name, "of type number or an instance of Date", value);
  }
  return int32(value, name, "ms");
};

const date64: Converter = (value, name) => {
  if (types.isDate(value)) return BigInt(dateTime(value, name));
  return bigInteger(value, name, INT64_MIN, INT64_MAX, ">= -(2n ** 63n) && < 2n ** 63n", true);
};

/** A Date is converted to the column's unit (rounded down for seconds). */
const timestamp: Converter = (value, name, unit) => {
  if (types.isDate(value)) {
    const ms = dateTime(value, name);
    let stored: bigint;
    switch (unit) {
      case "s":
        stored = BigInt(Math.floor(ms / 1000));
        break;
      case "ms":
        stored = BigInt(ms);
        break;
      case "us":
        stored = BigInt(ms) * 1000n;
        break;
      case "ns":
        stored = BigInt(ms) * 1_000_000n;
        break;
    }
    if (stored < INT64_MIN || stored > INT64_MAX) {
      // Only nanoseconds can overflow: Int64 ns cover the years 1677 to 2262.
      throw new OutOfRangeError(
        name,
        `a Date whose ${unit} since the epoch fit in an int64`,
        value,
      );
    }
    return stored;
  }
  return bigInteger(value, name, INT64_MIN, INT64_MAX, ">= -(2n ** 63n) && < 2n ** 63n", true);
};

function fixed(ArrayType: TypedArrayConstructor<FixedArray>, convert: Converter): FixedKindInfo {
  return { layout: "fixed", ArrayType, convert };
}

/** The layout and conversion of every kind. */
export const KINDS: { readonly [K in ColumnKind]: KindInfo } = {
  int8: fixed(Int8Array, integer(-128, 127)),
  int16: fixed(Int16Array, integer(-32768, 32767)),
  int32: fixed(Int32Array, int32),
  int64: fixed(BigInt64Array, int64),
  uint8: fixed(Uint8Array, integer(0, 255)),
  uint16: fixed(Uint16Array, integer(0, 65535)),
  uint32: fixed(Uint32Array, integer(0, 2 ** 32 - 1)),
  uint64: fixed(BigUint64Array, uint64),
  float32: fixed(Float32Array, float32),
  float64: fixed(Float64Array, float64),
  date32: fixed(Int32Array, date32),
  date64: fixed(BigInt64Array, date64),
  timestamp: fixed(BigInt64Array, timestamp),
  bool: { layout: "bool" },
  utf8: { layout: "variable", text: true, large: false },
  binary: { layout: "variable", text: false, large: false },
  largeUtf8: { layout: "variable", text: true, large: true },
  largeBinary: { layout: "variable", text: false, large: true },
};

export const COLUMN_KINDS = Object.keys(KINDS) as readonly ColumnKind[];

export function isColumnKind(value: unknown): value is ColumnKind {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(KINDS, value);
}

/** A boolean for a `bool` column. */
export function toBoolean(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new InvalidArgTypeError(name, "of type boolean", value);
  return value;
}

/** A string for a `utf8` / `largeUtf8` column. */
export function toText(value: unknown, name: string): string {
  if (typeof value !== "string") throw new InvalidArgTypeError(name, "of type string", value);
  return value;
}

/**
 * The bytes (no copy) of a value for a `binary` / `largeBinary` column: a plain Uint8Array
 * over exactly the bytes the view covers, from the built-in getters (a `length` or
 * `byteLength` property of the caller's could claim megabytes more than it holds).
 */
export function toBytes(value: unknown, name: string): Uint8Array {
  if (types.isTypedArray(value)) {
    const byteLength = typedArrayByteLength(value);
    if (byteLength === 0) return new Uint8Array(0);
    return new Uint8Array(typedArrayBuffer(value), typedArrayByteOffset(value), byteLength);
  }
  if (types.isDataView(value)) {
    const byteLength = dataViewByteLength(value);
    if (byteLength === 0) return new Uint8Array(0);
    return new Uint8Array(dataViewBuffer(value), dataViewByteOffset(value), byteLength);
  }
  if (types.isAnyArrayBuffer(value)) return new Uint8Array(value);
  throw new InvalidArgTypeError(
    name,
    "an instance of Uint8Array, another ArrayBuffer view, or ArrayBuffer",
    value,
  );
}
