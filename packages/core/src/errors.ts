// The error classes of lgalloc. JS owns them: the native binding is handed `createError`
// at load and builds every error it throws through it, so a native error and a JS error
// of the same kind are the same class with the same stable `code`.
//
// Argument errors follow Node's own conventions (`TypeError` with `ERR_INVALID_ARG_TYPE`,
// `RangeError` with `ERR_OUT_OF_RANGE` or `ERR_INVALID_ARG_VALUE`), with Node's message
// format, so they read like the errors of `Buffer` or `fs`.

import { inspect } from "node:util";

/** Every `code` an {@link LgallocError} can carry. */
export type LgallocErrorCode =
  | "ERR_LGALLOC_INVALID_SIZE"
  | "ERR_LGALLOC_DISABLED"
  | "ERR_LGALLOC_OUT_OF_MEMORY"
  | "ERR_LGALLOC_DISPOSED"
  | "ERR_LGALLOC_INVALID_TOKEN"
  | "ERR_LGALLOC_INVALID_HANDLE"
  | "ERR_LGALLOC_OUT_OF_BOUNDS"
  | "ERR_LGALLOC_OS_ERROR"
  | "ERR_LGALLOC_INVALID_ARGUMENT"
  | "ERR_LGALLOC_BUSY"
  | "ERR_LGALLOC_ADDON_LOAD";

/** Optional facts attached to an error, each present only where it applies. */
export interface LgallocErrorDetails {
  /** The `errno` the kernel reported. */
  errno?: number;
  /** The syscall that failed, e.g. `"mmap"`. */
  syscall?: string;
  /** The requested size in bytes. */
  size?: number;
  /** The memory limit in bytes that was reached. */
  limit?: number;
}

/** An allocator error with a stable `code`. */
export class LgallocError extends Error implements LgallocErrorDetails {
  /** What went wrong, stable across versions: compare this, not the message. */
  readonly code: LgallocErrorCode;
  readonly errno?: number;
  readonly syscall?: string;
  readonly size?: number;
  readonly limit?: number;

  constructor(code: LgallocErrorCode, message: string, details: LgallocErrorDetails = {}) {
    super(message);
    this.code = code;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.size !== undefined) this.size = details.size;
    if (details.limit !== undefined) this.limit = details.limit;
  }

  /** `"LgallocError"`. */
  override get name(): string {
    return "LgallocError";
  }
}

/** `TypeError` with Node's `ERR_INVALID_ARG_TYPE`. */
export class InvalidArgTypeError extends TypeError {
  /** Node's code for an argument of the wrong type. */
  readonly code = "ERR_INVALID_ARG_TYPE";
  constructor(name: string, expected: string, received: unknown) {
    super(`The "${name}" argument must be ${expected}. Received ${describe(received)}`);
  }
}

/** `RangeError` with Node's `ERR_OUT_OF_RANGE`. */
export class OutOfRangeError extends RangeError {
  /** Node's code for a number outside its range. */
  readonly code = "ERR_OUT_OF_RANGE";
  constructor(name: string, expected: string, received: unknown) {
    super(
      `The value of "${name}" is out of range. It must be ${expected}. Received ${describeValue(received)}`,
    );
  }
}

/** `TypeError` with Node's `ERR_INVALID_ARG_VALUE`, for a value of the right type but wrong shape. */
export class InvalidArgValueError extends TypeError {
  /** Node's code for an argument of the right type but a wrong value. */
  readonly code = "ERR_INVALID_ARG_VALUE";
  constructor(name: string, reason: string, received: unknown) {
    super(`The argument '${name}' ${reason}. Received ${describeValue(received)}`);
  }
}

/** The value as Node prints it in argument errors: `type string ('abc')`, `an instance of Foo`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${value.name || "<anonymous>"}`;
  if (typeof value === "object") {
    const constructorName = (value as { constructor?: { name?: string } }).constructor?.name;
    return constructorName ? `an instance of ${constructorName}` : inspect(value, { depth: -1 });
  }
  return `type ${typeof value} (${describeValue(value)})`;
}

function describeValue(value: unknown): string {
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) > 2 ** 32) {
    // Node groups digits of large integers: 4_294_967_296.
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
  }
  let shown = inspect(value, { depth: 0, breakLength: Infinity });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return shown;
}

/**
 * Builds an error for the native binding from a code and its details; the binding calls
 * it for every error it raises, so that JS decides the class and the message.
 */
export type NativeErrorFactory = (
  code: LgallocErrorCode,
  message: string,
  details?: LgallocErrorDetails,
) => Error;

export const createError: NativeErrorFactory = (code, message, details) =>
  new LgallocError(code, message, details);
