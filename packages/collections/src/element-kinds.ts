// The 11 element kinds a `LargeVec` can hold, one per typed array constructor, and their
// value conversion. Conversion is exactly the typed array's own: a value is stored into a
// one-element scratch array of the same kind and read back, so that clamping, wrapping,
// rounding and `valueOf` calls behave as `new Float64Array(1)[0] = value` would. Doing the
// conversion before touching the vector also means user code (a `valueOf`) can never run
// halfway through a write.

import { types } from "node:util";

import {
  InvalidArgTypeError,
  TYPED_ARRAY_CONSTRUCTORS,
  type TypedArray,
  type TypedArrayConstructor,
} from "@lgalloc/core";

/** The element type of a typed array: `bigint` for the 64-bit integer kinds, else `number`. */
export type ElementOf<T extends TypedArray> = T extends BigInt64Array | BigUint64Array
  ? bigint
  : number;

/** What a vector needs to know about its element type. */
export interface ElementKind<T extends TypedArray = TypedArray> {
  readonly Ctor: TypedArrayConstructor<T>;
  /** The constructor's name, e.g. `"Float64Array"` (what tokens carry). */
  readonly name: string;
  readonly bytesPerElement: number;
  /** `typeof` of an element: `"number"` or `"bigint"`. */
  readonly primitive: "number" | "bigint";
  /** One element, used to convert values the way the typed array does. */
  readonly scratch: T;
}

const CONSTRUCTORS = TYPED_ARRAY_CONSTRUCTORS;

function describeKind(Ctor: TypedArrayConstructor): ElementKind {
  const scratch = new Ctor(new ArrayBuffer(Ctor.BYTES_PER_ELEMENT), 0, 1);
  const bigint = Ctor === (BigInt64Array as unknown) || Ctor === (BigUint64Array as unknown);
  return Object.freeze({
    Ctor,
    name: Ctor.name,
    bytesPerElement: Ctor.BYTES_PER_ELEMENT,
    primitive: bigint ? "bigint" : "number",
    scratch,
  });
}

const BY_CONSTRUCTOR: ReadonlyMap<unknown, ElementKind> = new Map(
  CONSTRUCTORS.map((Ctor) => [Ctor, describeKind(Ctor)]),
);

const BY_NAME: ReadonlyMap<string, ElementKind> = new Map(
  [...BY_CONSTRUCTOR.values()].map((kind) => [kind.name, kind]),
);

/** The names of the 11 typed array constructors, in the usual order. */
export const ELEMENT_TYPE_NAMES: readonly string[] = Object.freeze([...BY_NAME.keys()]);

/**
 * The kind of `value`, which must be one of the 11 typed array constructors themselves (not
 * a subclass such as `Buffer`). `TypeError` `ERR_INVALID_ARG_TYPE` otherwise.
 */
export function elementKindOf<T extends TypedArray>(value: unknown, name: string): ElementKind<T> {
  const kind = BY_CONSTRUCTOR.get(value);
  if (kind === undefined) {
    throw new InvalidArgTypeError(
      name,
      "one of the 11 typed array constructors (such as Float64Array)",
      value,
    );
  }
  return kind as unknown as ElementKind<T>;
}

/** The kind whose constructor is called `name`, or `undefined`. */
export function elementKindNamed(name: unknown): ElementKind | undefined {
  return typeof name === "string" ? BY_NAME.get(name) : undefined;
}

/**
 * `value` converted as storing it into a typed array of `kind` would, or a `TypeError`
 * `ERR_INVALID_ARG_TYPE` naming `name` where the typed array would throw (a bigint into a
 * number kind, a number into a bigint kind, a symbol, a string that is no integer into a
 * bigint kind). An error thrown by the value's own `valueOf` that is no `TypeError` passes
 * through unchanged.
 */
export function convertElement<T extends TypedArray>(
  kind: ElementKind<T>,
  value: unknown,
  name: string,
): ElementOf<T> {
  const scratch = kind.scratch as unknown as { [index: number]: unknown };
  try {
    scratch[0] = value;
  } catch (error) {
    throw conversionError(kind, name, value, error);
  }
  return scratch[0] as ElementOf<T>;
}

/**
 * The error for `value`, whose store into a typed array of `kind` threw `error`: typed
 * arrays throw `TypeError` for a wrong primitive type and `SyntaxError` for a string
 * `BigInt` cannot parse; both become `TypeError` `ERR_INVALID_ARG_TYPE` (with the original
 * as `cause`). Any other error is returned as it is.
 */
export function conversionError(
  kind: ElementKind,
  name: string,
  value: unknown,
  error: unknown,
): unknown {
  if (!(error instanceof TypeError || error instanceof SyntaxError)) return error;
  const wrapped = new InvalidArgTypeError(
    name,
    kind.primitive === "bigint"
      ? `of type bigint (or convertible to one, as ${kind.name} elements are)`
      : `of type number (or convertible to one, as ${kind.name} elements are)`,
    value,
  );
  Object.defineProperty(wrapped, "cause", { value: error, configurable: true, writable: true });
  return wrapped;
}

/** True if `value` is a typed array of any kind or realm (a `Buffer` too). */
export function isTypedArray(value: unknown): value is TypedArray {
  return types.isTypedArray(value);
}

/** True if `array` holds bigints. */
export function holdsBigInts(array: TypedArray): boolean {
  return types.isBigInt64Array(array) || types.isBigUint64Array(array);
}
