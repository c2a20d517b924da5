// Argument checks for every public function, in one place and one message format (Node's
// own), so that the native binding only converts. Each check throws before anything
// changes.

import {
  MAX_REGION_BYTES,
  MIN_REGION_BYTES,
  type TypedArray,
  type TypedArrayConstructor,
} from "./api";
import { types } from "node:util";

import {
  InvalidArgTypeError,
  InvalidArgValueError,
  LgallocRangeError,
  OutOfRangeError,
} from "./errors";

/** A safe integer in [min, max]; TypeError for a non-number, RangeError otherwise. */
export function validateInteger(
  value: unknown,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  if (!Number.isInteger(value)) throw new OutOfRangeError(name, "an integer", value);
  if (value < min || value > max) throw new OutOfRangeError(name, `>= ${min} && <= ${max}`, value);
  return value;
}

/** A finite number in (0, max]. */
export function validatePositiveNumber(value: unknown, name: string, max: number): number {
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  if (!(value > 0 && value <= max)) throw new OutOfRangeError(name, `> 0 && <= ${max}`, value);
  return value;
}

export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new InvalidArgTypeError(name, "of type boolean", value);
  return value;
}

/**
 * The own enumerable properties of a plain options object, every key in `known`, each read
 * exactly once (a getter runs once, so it cannot answer differently to two reads) into a
 * null-prototype record: an inherited property (`Object.prototype.memoryLimitBytes = 1`)
 * is never an option.
 */
export function validateOptions(
  value: unknown,
  name: string,
  known: readonly string[],
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgTypeError(name, "of type object", value);
  }
  const options: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (!known.includes(key)) {
      throw new InvalidArgValueError(
        `${name}.${key}`,
        `is not a known option (expected one of ${known.join(", ")})`,
        field,
      );
    }
    options[key] = field;
  }
  return options;
}

/** A request size: a safe integer, then within the size classes (ERR_LGALLOC_INVALID_SIZE). */
export function validateRegionSize(value: unknown, name = "byteLength"): number {
  const size = validateInteger(value, name);
  if (size < MIN_REGION_BYTES || size > MAX_REGION_BYTES) {
    throw new LgallocRangeError(
      "ERR_LGALLOC_INVALID_SIZE",
      `The value of "${name}" is out of range. It must be >= ${MIN_REGION_BYTES} (2 MiB) and <= ${MAX_REGION_BYTES} (64 GiB). Received ${size}`,
      { size },
    );
  }
  return size;
}

/** The 11 typed array constructors, in a fixed order (shared with @lgalloc/collections). */
export const TYPED_ARRAY_CONSTRUCTORS: readonly TypedArrayConstructor[] = Object.freeze([
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as unknown as TypedArrayConstructor[]);
const TYPED_ARRAY_CONSTRUCTOR_SET: ReadonlySet<unknown> = new Set(TYPED_ARRAY_CONSTRUCTORS);

/** Deeper than any real subclass chain (`Buffer` is 1 below Uint8Array). */
const MAX_SUBCLASS_DEPTH = 64;

/**
 * One of the 11 typed array constructors, or a subclass of one (such as `Buffer`), with the
 * intrinsic constructor it derives from (whose `BYTES_PER_ELEMENT` is the truth: a subclass
 * can redefine its own). A Proxy is refused without touching it: walking its prototypes
 * would run its traps, which may throw (a revoked Proxy) or never end (a trap that returns
 * a fresh Proxy each time).
 */
export function typedArrayConstructorBase(
  value: unknown,
  name: string,
): { Ctor: TypedArrayConstructor; Base: TypedArrayConstructor } {
  if (typeof value === "function" && !types.isProxy(value)) {
    let proto: unknown = value;
    for (let depth = 0; depth < MAX_SUBCLASS_DEPTH; depth++) {
      if (TYPED_ARRAY_CONSTRUCTOR_SET.has(proto)) {
        return { Ctor: value as TypedArrayConstructor, Base: proto as TypedArrayConstructor };
      }
      if (proto === null || proto === Function.prototype || types.isProxy(proto)) break;
      proto = Object.getPrototypeOf(proto);
    }
  }
  throw new InvalidArgTypeError(name, "a typed array constructor (such as Float64Array)", value);
}

/** One of the 11 typed array constructors, or a subclass of one (such as `Buffer`). */
export function validateTypedArrayConstructor<T extends TypedArray>(
  value: unknown,
  name: string,
): TypedArrayConstructor<T> {
  return typedArrayConstructorBase(value, name).Ctor as TypedArrayConstructor<T>;
}
