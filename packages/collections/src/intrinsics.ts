// The facts of caller-supplied typed arrays and Dates, read through the built-in getters
// captured when this module loads, never through properties: a typed array's `length`,
// `buffer` or `byteOffset` can be an own property or a subclass getter that lies (a
// `length` of 2^20 over one element would make a vector grow past what it copies and
// expose the pool's earlier bytes), and a Date's `getTime` can be overridden. A built-in
// getter reads the internal slot, runs no user code and cannot lie.

import { TYPED_ARRAY_CONSTRUCTORS, type TypedArray } from "@lgalloc/core";

/** `%TypedArray%.prototype`, the prototype every typed array kind inherits from. */
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

function getter<R>(prototype: object, key: PropertyKey): (target: unknown) => R {
  const get = Object.getOwnPropertyDescriptor(prototype, key)!.get!;
  return Function.prototype.call.bind(get) as (target: unknown) => R;
}

/** Elements in a typed array (0 once its buffer is detached). */
export const typedArrayLength = getter<number>(TypedArrayPrototype, "length");
export const typedArrayBuffer = getter<ArrayBufferLike>(TypedArrayPrototype, "buffer");
export const typedArrayByteOffset = getter<number>(TypedArrayPrototype, "byteOffset");
export const typedArrayByteLength = getter<number>(TypedArrayPrototype, "byteLength");
/** `"Float64Array"` etc. for a typed array; `undefined` for anything else. */
export const typedArrayKindName = getter<string | undefined>(
  TypedArrayPrototype,
  Symbol.toStringTag,
);

export const dataViewBuffer = getter<ArrayBufferLike>(DataView.prototype, "buffer");
export const dataViewByteOffset = getter<number>(DataView.prototype, "byteOffset");
export const dataViewByteLength = getter<number>(DataView.prototype, "byteLength");

export const arrayBufferByteLength = getter<number>(ArrayBuffer.prototype, "byteLength");
export const arrayBufferResizable = getter<boolean>(ArrayBuffer.prototype, "resizable");

/** `Date.prototype.getTime`: a Date's time value (NaN for an invalid Date). */
export const dateTimeValue = Function.prototype.call.bind(Date.prototype.getTime) as (
  date: Date,
) => number;

const INTRINSIC_CONSTRUCTORS: ReadonlyMap<string, new (...args: never[]) => TypedArray> = new Map(
  TYPED_ARRAY_CONSTRUCTORS.map((Ctor) => [
    Ctor.name,
    Ctor as unknown as new (...args: never[]) => TypedArray,
  ]),
);

/**
 * A plain typed array of the same kind over the same bytes as `source` (a typed array of
 * any subclass or realm): its methods and properties are the built-in ones, so using it
 * runs no code of the caller's (no species constructor, no getter).
 */
export function plainView(source: TypedArray): TypedArray {
  const length = typedArrayLength(source);
  const Ctor = INTRINSIC_CONSTRUCTORS.get(typedArrayKindName(source)!)! as unknown as new (
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ) => TypedArray;
  // A detached source has length 0 and a buffer no view can be made over.
  if (length === 0) return new Ctor(new ArrayBuffer(0), 0, 0);
  return new Ctor(typedArrayBuffer(source), typedArrayByteOffset(source), length);
}
