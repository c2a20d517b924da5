// The error classes of lgalloc. JS owns them: the native binding is handed `createError`
// at load and builds every error it throws through it, so a native error and a JS error
// of the same kind are the same class with the same stable `code`.
//
// They follow Node's own conventions: argument errors are `TypeError` / `RangeError`
// (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`, `ERR_INVALID_ARG_VALUE`, `ERR_INVALID_THIS`,
// and lgalloc's two range codes `ERR_LGALLOC_INVALID_SIZE` / `ERR_LGALLOC_OUT_OF_BOUNDS`),
// with Node's message format; the stack header and `toString()` show the code
// (`RangeError [ERR_OUT_OF_RANGE]: ...`) while `name` stays the class's; and optional
// details (`errno`, `syscall`, `size`, `limit`) are own properties only where they apply.

import { inspect, types } from "node:util";

/** Every `code` an lgalloc error can carry besides Node's argument codes. */
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
  | "ERR_LGALLOC_ADDON_LOAD"
  | "ERR_LGALLOC_BUFFER_DETACHED"
  | "ERR_LGALLOC_NOT_CLONEABLE"
  | "ERR_LGALLOC_CONCURRENT_MODIFICATION";

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

/** The codes that are argument errors of lgalloc's own, so `RangeError`s. */
const RANGE_CODES: ReadonlySet<string> = new Set([
  "ERR_LGALLOC_INVALID_SIZE",
  "ERR_LGALLOC_OUT_OF_BOUNDS",
]);

/**
 * Gives `error` Node's stack header `Name [CODE]: message`: V8 formats the header from
 * `name` on the first read of `stack`, so `name` carries the code for that read only.
 */
function stampCode(error: Error & { code: string }, name: string): void {
  Object.defineProperty(error, "name", {
    value: `${name} [${error.code}]`,
    configurable: true,
    writable: true,
  });
  void error.stack;
  delete (error as { name?: string }).name;
}

function attachDetails(error: object, details: LgallocErrorDetails): void {
  // Assigned only when given: `"errno" in error` is false where no errno applies.
  const target = error as Record<string, unknown>;
  if (details.errno !== undefined) target.errno = details.errno;
  if (details.syscall !== undefined) target.syscall = details.syscall;
  if (details.size !== undefined) target.size = details.size;
  if (details.limit !== undefined) target.limit = details.limit;
}

/** `Name [CODE]: message`, as Node's errors print. */
function codedToString(this: Error & { code?: string }): string {
  return `${this.name} [${this.code}]: ${this.message}`;
}

/** An allocator error with a stable `code` (not an argument error: see the classes below). */
export class LgallocError extends Error implements LgallocErrorDetails {
  /** What went wrong, stable across versions: compare this, not the message. */
  readonly code: LgallocErrorCode;
  // `declare`: a class field would make each an own property holding `undefined`.
  declare readonly errno?: number;
  declare readonly syscall?: string;
  declare readonly size?: number;
  declare readonly limit?: number;

  constructor(code: LgallocErrorCode, message: string, details: LgallocErrorDetails = {}) {
    super(message);
    this.code = code;
    attachDetails(this, details);
    stampCode(this, "LgallocError");
  }

  /** `"LgallocError"`. */
  override get name(): string {
    return "LgallocError";
  }

  override toString(): string {
    return codedToString.call(this);
  }
}

/**
 * A `RangeError` with one of lgalloc's own codes: `ERR_LGALLOC_INVALID_SIZE` (a size outside
 * the size classes; `size` says which) and `ERR_LGALLOC_OUT_OF_BOUNDS` (a byte range past a
 * region's end).
 */
export class LgallocRangeError extends RangeError implements LgallocErrorDetails {
  /** What was out of range, stable across versions: compare this, not the message. */
  readonly code: "ERR_LGALLOC_INVALID_SIZE" | "ERR_LGALLOC_OUT_OF_BOUNDS";
  declare readonly size?: number;

  constructor(
    code: "ERR_LGALLOC_INVALID_SIZE" | "ERR_LGALLOC_OUT_OF_BOUNDS",
    message: string,
    details: LgallocErrorDetails = {},
  ) {
    super(message);
    this.code = code;
    attachDetails(this, details);
    stampCode(this, "RangeError");
  }

  override toString(): string {
    return codedToString.call(this);
  }
}

/** `TypeError` with Node's `ERR_INVALID_ARG_TYPE`. */
export class InvalidArgTypeError extends TypeError {
  /** Node's code for an argument of the wrong type. */
  readonly code = "ERR_INVALID_ARG_TYPE";
  constructor(name: string, expected: string, received: unknown) {
    super(`The "${name}" argument must be ${expected}. Received ${describe(received)}`);
    stampCode(this, "TypeError");
  }

  override toString(): string {
    return codedToString.call(this);
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
    stampCode(this, "RangeError");
  }

  override toString(): string {
    return codedToString.call(this);
  }
}

/** `TypeError` with Node's `ERR_INVALID_ARG_VALUE`, for a value of the right type but wrong shape. */
export class InvalidArgValueError extends TypeError {
  /** Node's code for an argument of the right type but a wrong value. */
  readonly code = "ERR_INVALID_ARG_VALUE";
  constructor(name: string, reason: string, received: unknown) {
    super(`The argument '${name}' ${reason}. Received ${describeValue(received)}`);
    stampCode(this, "TypeError");
  }

  override toString(): string {
    return codedToString.call(this);
  }
}

/**
 * `TypeError` with Node's `ERR_INVALID_THIS`: a method or getter called on an object that is
 * not an instance of its class (`Region.prototype.dispose.call({})`).
 */
export class InvalidThisError extends TypeError {
  /** Node's code for a method called on an object of another class. */
  readonly code = "ERR_INVALID_THIS";
  constructor(type: string) {
    super(`Value of "this" must be of type ${type}`);
    stampCode(this, "TypeError");
  }

  override toString(): string {
    return codedToString.call(this);
  }
}

/**
 * `TypeError` `ERR_LGALLOC_NOT_CLONEABLE`: what `structuredClone` / `postMessage` of a
 * Region, LargeVec or ColumnBuffer throws, instead of silently making an empty object.
 */
export class NotCloneableError extends TypeError {
  /** The code of an attempt to structured-clone an object that owns pooled memory. */
  readonly code = "ERR_LGALLOC_NOT_CLONEABLE";
  constructor(type: string, instead: string) {
    super(
      `A ${type} cannot be cloned or posted (structuredClone and postMessage copy plain data ` +
        `only, and would lose its memory): ${instead}`,
    );
    stampCode(this, "TypeError");
  }

  override toString(): string {
    return codedToString.call(this);
  }
}

/** The name of the own property that makes an object refuse to be cloned. */
export const NOT_CLONEABLE_KEY = "[lgalloc: not cloneable, use transfer()]";

/**
 * Makes `structuredClone(target)` and `postMessage(target)` throw `NotCloneableError`: both
 * read every own enumerable property, so an own enumerable accessor that throws stops them
 * (the brand symbols are skipped, being symbols). Nothing else reads it, as long as nobody
 * spreads or `Object.assign`s the object (which would be a mistake for the same reason).
 * Costs a `defineProperty` per object (about 100 ns); a class can declare `cloneRefusal`
 * as a field instead, for nothing.
 */
export function refuseCloning(target: object, guard: () => never): void {
  Object.defineProperty(target, NOT_CLONEABLE_KEY, { enumerable: true, get: guard });
}

/**
 * The value for a class field `[NOT_CLONEABLE_KEY] = cloneRefusal(guard)`, shared by every
 * instance: a frozen object whose one enumerable accessor calls `guard`. Cloning the holder
 * clones each own enumerable property's value, so it reaches the accessor and throws. A class
 * field is one store into a shape every instance shares (issue 13: the two
 * `Object.defineProperty` calls per Region cost about 230 ns of a 0.6 µs allocate+dispose).
 */
export function cloneRefusal(guard: () => never): object {
  return Object.freeze(
    Object.defineProperty(Object.create(null), NOT_CLONEABLE_KEY, {
      enumerable: true,
      get: guard,
    }),
  );
}

/** The value as Node prints it in argument errors: `type string ('abc')`, `an instance of Foo`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${functionName(value)}`;
  if (typeof value === "object") {
    const constructorName = constructorNameOf(value);
    return constructorName ? `an instance of ${constructorName}` : inspect(value, { depth: -1 });
  }
  return `type ${typeof value} (${describeValue(value)})`;
}

/**
 * The constructor's name, read without running user code where it can be avoided (a Proxy
 * or a getter could throw, or lie): a Proxy is described as such.
 */
function constructorNameOf(value: object): string | undefined {
  if (types.isProxy(value)) return "Proxy";
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

function functionName(value: Function): string {
  try {
    const name = value.name;
    return typeof name === "string" && name !== "" ? name : "<anonymous>";
  } catch {
    return "<anonymous>";
  }
}

function describeValue(value: unknown): string {
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) > 2 ** 32) {
    // Node groups digits of large integers: 4_294_967_296.
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
  }
  let shown = inspect(value, { depth: 0, breakLength: Infinity, showProxy: true });
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
  RANGE_CODES.has(code)
    ? new LgallocRangeError(
        code as "ERR_LGALLOC_INVALID_SIZE" | "ERR_LGALLOC_OUT_OF_BOUNDS",
        message,
        details,
      )
    : new LgallocError(code, message, details);
