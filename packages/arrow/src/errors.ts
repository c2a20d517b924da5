// Errors of @lgalloc/arrow. Argument errors are the core's classes (Node's codes and
// message format); this module adds the two situations particular to Arrow: an input
// value that a column refuses, re-raised naming the column and the row, and an IPC byte
// stream that is not valid Arrow, naming the byte offset where decoding failed.

import { LgallocError } from "@lgalloc/core";

/** Facts attached to an error raised while appending or decoding. */
export interface ArrowErrorLocation {
  /** The column (field name). */
  column?: string;
  /** The row, counted from the builder's first row. */
  row?: number;
  /** The byte offset in the IPC input. */
  byteOffset?: number;
}

/**
 * The same kind of error as `error` (TypeError or RangeError, with its `code`), its
 * message prefixed with the column and row; the original is the `cause`. Allocator errors
 * (LgallocError) pass through unchanged.
 */
export function atColumn(error: unknown, column: string, row: number): unknown {
  if (!(error instanceof Error) || error instanceof LgallocError) return error;
  const message = `Column "${column}", row ${row}: ${error.message}`;
  const Base = error instanceof RangeError ? RangeError : TypeError;
  const wrapped = new Base(message, { cause: error }) as Error & ArrowErrorLocation;
  const code = (error as { code?: unknown }).code;
  Object.defineProperty(wrapped, "code", { value: code, enumerable: true });
  wrapped.column = column;
  wrapped.row = row;
  return wrapped;
}

/** A malformed or truncated Arrow IPC stream or file. Code `ERR_LGALLOC_INVALID_IPC`. */
export class InvalidIpcError extends Error {
  /** The error's stable code. */
  readonly code = "ERR_LGALLOC_INVALID_IPC";
  /** Where in the stream or file the malformed data starts. */
  readonly byteOffset: number;

  constructor(byteOffset: number, reason: string, cause?: unknown) {
    super(`Invalid Arrow IPC data at byte offset ${byteOffset}: ${reason}`, { cause });
    this.byteOffset = byteOffset;
  }

  /** `"InvalidIpcError"`. */
  override get name(): string {
    return "InvalidIpcError";
  }
}

/** apache-arrow (or flechette) could not be loaded. Code `ERR_LGALLOC_ARROW_UNAVAILABLE`. */
export class ArrowUnavailableError extends Error {
  /** The error's stable code. */
  readonly code = "ERR_LGALLOC_ARROW_UNAVAILABLE";
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** `ERR_LGALLOC_BUSY`: an IPC write still reads the memory being disposed. */
export function busyError(what: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_BUSY",
    `Cannot dispose the ${what}: an IPC write of it is in flight (await it, or call disposeAsync())`,
  );
}

export function disposedError(what: string, operation: string): LgallocError {
  return new LgallocError("ERR_LGALLOC_DISPOSED", `Cannot ${operation}: the ${what} was disposed`);
}
