// The seam between the public API and where memory comes from. Two backends implement it
// with the same semantics: `native` (the addon: pooled mmap'ed regions with huge pages,
// shared by every thread of the process) and `fallback` (ordinary ArrayBuffers pooled in
// JS, for runtimes that refuse external buffers, or when forced for testing).
//
// Backends work with raw values; `Region` and the exported functions validate arguments
// and hold the safety promises on top of them.

import type { SizeClassStats } from "./api";

/** A freshly allocated or adopted region, as the backend returns it. */
export interface RawRegion {
  /** Opaque identity of the region inside the backend. */
  readonly handle: unknown;
  /** The region's memory; its byteLength is the region's capacity. */
  readonly buffer: ArrayBuffer;
  /** Every byte is known to be zero. */
  readonly knownZero: boolean;
  /** 0 for 2 MiB, 15 for 64 GiB. */
  readonly sizeClassIndex: number;
}

/** What a transfer produces: an id, plus the buffer itself where memory cannot be shared. */
export interface RawToken {
  readonly id: string;
  readonly buffer?: ArrayBuffer;
  /**
   * Native only: a zero-length buffer that travels in the token's transferList; when it
   * dies unadopted (token dropped, receiver exited) the addon reclaims the region.
   */
  readonly anchor?: ArrayBuffer;
}

/** The configuration as the backends take it (times in nanoseconds, `null` is off). */
export interface BackendConfig {
  enabled: boolean;
  eagerReturn: boolean;
  growthDampener: number;
  localBufferBytes: number;
  background: { intervalNs: number; clearBytes: number } | null;
  maxAreaBytes: number;
  memoryLimitBytes: number;
}

/** Per size class, the figures are the public ones (see `SizeClassStats` in api.ts). */
export type BackendSizeClassStats = SizeClassStats;

export interface BackendStats {
  sizeClasses: BackendSizeClassStats[];
  mappedBytes: number;
  memoryLimitBytes: number;
  mmapFailures: number;
  backgroundPasses: number;
  lastOsErrno: number;
  hugePageAdviceFailed: boolean;
  movedBytes: number;
  copiedBytes: number;
  js: {
    liveRegions: number;
    liveBytes: number;
    disposed: number;
    collected: number;
    transferred: number;
    adopted: number;
    pendingTransfers: number;
    pendingTransferBytes: number;
    releasedTokens: number;
  };
}

export interface BackendArea {
  base: number;
  bytes: number;
  sizeClassIndex: number;
}

/**
 * Every method may throw the errors of `errors.ts` (built through `createError`): an
 * `LgallocError` with a stable code. Arguments have been validated by the caller.
 */
export interface Backend {
  readonly kind: "native" | "fallback";
  allocate(byteLength: number): RawRegion;
  /** Detaches `buffer` and returns the region to the pool; false if it was already released. */
  dispose(handle: unknown, buffer: ArrayBuffer): boolean;
  prefetch(handle: unknown, byteOffset: number, byteLength: number): void;
  /**
   * A new region for `byteLength` bytes holding the first min(capacities) bytes of this
   * one, which is then released (`buffer` detached). `knownZero` is the new region's as
   * allocated, before the kept bytes moved in. On error the old region is untouched.
   */
  reallocate(handle: unknown, buffer: ArrayBuffer, byteLength: number): RawRegion;
  /** Detaches `buffer` and parks the region for `adopt`, on any thread. */
  transfer(handle: unknown, buffer: ArrayBuffer): RawToken;
  adopt(token: RawToken): RawRegion;
  releaseToken(token: RawToken): boolean;
  /** Applies the fields that are present. */
  configure(update: Partial<BackendConfig>): void;
  config(): BackendConfig;
  stats(): BackendStats;
  trim(): { areasUnmapped: number; bytesUnmapped: number };
  areas(): BackendArea[];
  flushThreadCache(): void;
}

/** `base` with every field of `update` that is not undefined laid over it. */
export function overlay<T extends object>(base: T, update: Partial<T>): T {
  // Keeps `base`'s prototype (null for what goes to the addon: see toBackendConfig).
  const next = Object.assign(Object.create(Object.getPrototypeOf(base)), base) as T;
  for (const key of Object.keys(update) as (keyof T)[]) {
    const value = update[key];
    if (value !== undefined) next[key] = value as T[keyof T];
  }
  return next;
}
