// `LargeVecToken`: a vector in transit between threads. Pooled storage travels as the
// core's `RegionToken` (moved without a copy); heap storage (below 2 MiB) as a copy of the
// elements in an ArrayBuffer that `postMessage` transfers. Taking a token over validates
// its shape and makes it spent (the core refuses a region token twice; the heap buffer is
// detached on adoption).

import {
  LgallocError,
  MAX_REGION_BYTES,
  MIN_REGION_BYTES,
  adopt as adoptRegion,
  type Region,
  type RegionToken,
  type TypedArray,
} from "@lgalloc/core";

import { types } from "node:util";

import { arrayBufferByteLength, arrayBufferResizable } from "./intrinsics";
import { elementKindNamed, type ElementKind } from "./element-kinds";
import { detach, isDetached, type Storage } from "./vec-storage";

/**
 * A vector in transit between threads (`LargeVec#transfer`, `LargeVec.adopt`): a frozen,
 * structured-clone-safe plain object. Send it with
 * `port.postMessage(token, token.transferList)`.
 */
export interface LargeVecToken {
  /** Marks the object as a vector token. */
  readonly kind: "lgalloc.LargeVecToken";
  /** The element type's constructor name, e.g. `"Float64Array"`. */
  readonly elementType: string;
  /** Elements in the vector. */
  readonly length: number;
  /** The pooled storage, moved without a copy. */
  readonly region: RegionToken | undefined;
  /** A copy of a heap-stored vector's elements. */
  readonly heap: ArrayBuffer | undefined;
  /** Pass as postMessage's transfer list. */
  readonly transferList: readonly ArrayBuffer[];
}

const TOKEN_KIND = "lgalloc.LargeVecToken";

function invalidToken(reason: string): LgallocError {
  return new LgallocError("ERR_LGALLOC_INVALID_TOKEN", `The token is malformed: ${reason}`);
}

/**
 * The token for `length` elements of `kind` held by `region` (which this transfers: it is
 * disposed afterwards) or, without a region, by the heap buffer `buffer` (copied).
 */
export function makeToken(
  kind: ElementKind,
  length: number,
  region: Region | undefined,
  buffer: ArrayBuffer,
): LargeVecToken {
  const regionToken = region?.transfer();
  // At least one byte even for an empty vector: a buffer of length 0 cannot be detached,
  // and detaching is what makes the token spent.
  const bytes = length * kind.bytesPerElement;
  const heap =
    regionToken !== undefined
      ? undefined
      : bytes === 0
        ? new ArrayBuffer(1)
        : buffer.slice(0, bytes);
  return Object.freeze({
    kind: TOKEN_KIND,
    elementType: kind.name,
    length,
    region: regionToken,
    heap,
    transferList: Object.freeze(
      regionToken !== undefined ? [...regionToken.transferList] : [heap as ArrayBuffer],
    ),
  });
}

/** What a token carries, taken over. */
export interface TakenToken<T extends TypedArray> {
  kind: ElementKind<T>;
  length: number;
  storage: Storage;
}

/**
 * Validates `token` and takes its storage over (adopting the region, or detaching the heap
 * buffer into a new one), so that it cannot be taken twice.
 *
 * @throws `LgallocError` `ERR_LGALLOC_INVALID_TOKEN` for a malformed, spent or unknown token;
 *   nothing is taken then, except from a forged token whose region is smaller than its
 *   length: that region is adopted and released, so the token is spent.
 */
export function takeToken<T extends TypedArray>(token: unknown): TakenToken<T> {
  if (typeof token !== "object" || token === null) {
    throw invalidToken(`expected a LargeVecToken object. Received ${typeof token}`);
  }
  const fields = token as Record<string, unknown>;
  if (fields.kind !== TOKEN_KIND) throw invalidToken(`expected kind "${TOKEN_KIND}"`);
  const kind = elementKindNamed(fields.elementType) as ElementKind<T> | undefined;
  if (kind === undefined) {
    throw invalidToken("elementType is not the name of a typed array constructor");
  }
  const length = fields.length;
  const max = MAX_REGION_BYTES / kind.bytesPerElement;
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > max) {
    throw invalidToken("length is not an element count");
  }
  const bytes = length * kind.bytesPerElement;
  const { region: regionToken, heap } = fields;
  if (regionToken !== undefined && heap === undefined) {
    const region = adoptRegion(regionToken as RegionToken);
    if (region.capacity < bytes) {
      region.dispose();
      throw invalidToken("its region is smaller than its length");
    }
    const storage: Storage = {
      buffer: region.buffer,
      region,
      capacity: region.capacity / kind.bytesPerElement,
      knownZero: false,
    };
    return { kind, length, storage };
  }
  if (types.isArrayBuffer(heap) && regionToken === undefined) {
    if (isDetached(heap)) throw invalidToken("its heap buffer was already adopted or sent");
    // Only a buffer that detaching really moves makes the token single-use: a resizable
    // one could be shrunk under the vector, and one over WebAssembly memory is copied by
    // a transfer (it stays attached, so the token would work again).
    if (arrayBufferResizable(heap)) throw invalidToken("its heap buffer is resizable");
    const byteLength = arrayBufferByteLength(heap);
    if (byteLength < bytes || byteLength >= MIN_REGION_BYTES) {
      throw invalidToken("its heap buffer does not match its length");
    }
    let buffer: ArrayBuffer;
    try {
      buffer = detach(heap) ?? new ArrayBuffer(0);
    } catch (error) {
      throw Object.assign(invalidToken("its heap buffer cannot be detached"), { cause: error });
    }
    if (!isDetached(heap)) {
      throw invalidToken("its heap buffer cannot be detached (it was copied, not moved)");
    }
    const storage: Storage = {
      buffer,
      region: undefined,
      capacity: Math.floor(buffer.byteLength / kind.bytesPerElement),
      knownZero: false,
    };
    return { kind, length, storage };
  }
  throw invalidToken("expected either a region token or a heap ArrayBuffer");
}
