// Argument checks of the collections, in the core's message format (Node's own): indices,
// lengths and relative positions. The core exports its integer check; the
// collection-specific ones live here. Each throws before anything changes.

import { InvalidArgTypeError, OutOfRangeError } from "@lgalloc/core";

/** A safe integer in [min, max]: `TypeError` for a non-number, `RangeError` otherwise. */
export { validateInteger as checkInteger } from "@lgalloc/core";

/** An element index below `length`. */
export function checkIndex(value: unknown, name: string, length: number): number {
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  if (!Number.isInteger(value) || value < 0 || value >= length) {
    throw new OutOfRangeError(
      name,
      length === 0
        ? "an index into the vector, which is empty"
        : `an integer >= 0 && < ${length} (the length)`,
      value,
    );
  }
  return value;
}

/**
 * A position as `TypedArray#fill` or `#indexOf` take it: an integer (or ±Infinity), negative
 * counting from the end, clamped to [0, length]; `fallback` when `undefined`.
 */
export function checkRelativePosition(
  value: unknown,
  name: string,
  length: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new InvalidArgTypeError(name, "of type number", value);
  if (Number.isNaN(value) || (Number.isFinite(value) && !Number.isInteger(value))) {
    throw new OutOfRangeError(name, "an integer (negative counts from the end)", value);
  }
  return value < 0 ? Math.max(length + value, 0) : Math.min(value, length);
}

/** A function or `undefined`. */
export function checkOptionalFunction<F extends (...args: never[]) => unknown>(
  value: unknown,
  name: string,
): F | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new InvalidArgTypeError(name, "of type function", value);
  }
  return value as F | undefined;
}
