// Where a `LargeVec`'s elements live: an ordinary ArrayBuffer on the JS heap below 2 MiB
// (the smallest region), a pooled `Region` of @lgalloc/core from 2 MiB on. This module
// obtains storage of either sort and releases it so that views of it become empty.

import { MIN_REGION_BYTES, allocateUnsafe, type Region } from "@lgalloc/core";

import type { ElementKind } from "./element-kinds";
import { arrayBufferByteLength } from "./intrinsics";

/** Storage freshly obtained (or taken over from a token), before a vector installs it. */
export interface Storage {
  buffer: ArrayBuffer;
  /** The region that owns `buffer`, or `undefined` for a heap buffer. */
  region: Region | undefined;
  /** In elements. */
  capacity: number;
  /** Every byte is zero, so that new elements need no zeroing. */
  knownZero: boolean;
}

/**
 * Storage for at least `capacity` (> 0) elements of `kind`: exactly that many on the heap
 * below 2 MiB, else a region (a power of two bytes, so perhaps room for more).
 *
 * @throws the core's `ERR_LGALLOC_OUT_OF_MEMORY` / `ERR_LGALLOC_DISABLED` from 2 MiB on, a
 *   `RangeError` if the heap refuses the buffer; nothing is allocated then.
 */
export function newStorage(kind: ElementKind, capacity: number): Storage {
  const bytes = capacity * kind.bytesPerElement;
  if (bytes < MIN_REGION_BYTES) {
    return { buffer: new ArrayBuffer(bytes), region: undefined, capacity, knownZero: true };
  }
  // Unsafe: the vector zeroes what it exposes itself, skipping it where it overwrites or
  // where the region is known to be zero.
  const region = allocateUnsafe(bytes);
  return {
    buffer: region.buffer,
    region,
    capacity: region.capacity / kind.bytesPerElement,
    knownZero: region.knownZero,
  };
}

/** No storage at all: an empty heap buffer. */
export function emptyStorage(): Storage {
  return { buffer: new ArrayBuffer(0), region: undefined, capacity: 0, knownZero: true };
}

/**
 * Gives storage back: a region goes to the pool, a heap buffer is detached. Either way
 * every view of it has length 0 afterwards.
 */
export function releaseStorage(buffer: ArrayBuffer, region: Region | undefined): void {
  if (region !== undefined) region.dispose();
  else detach(buffer);
}

/**
 * Detaches a heap ArrayBuffer without copying and returns the buffer that now owns its
 * memory: Node 20 has no `ArrayBuffer#transfer`, but a transferring structured clone moves
 * the memory to a new buffer and leaves the original detached. `undefined` for a buffer of
 * length 0 (an empty or already detached one), which holds nothing to hide.
 */
export function detach(buffer: ArrayBuffer): ArrayBuffer | undefined {
  if (arrayBufferByteLength(buffer) === 0) return undefined;
  return structuredClone(buffer, { transfer: [buffer] });
}

/** True if `buffer` was detached (no view can be made over it). */
export function isDetached(buffer: ArrayBuffer): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}
