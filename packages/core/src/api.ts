// The public types of @lgalloc/core: options, configuration and statistics, each field
// documented with its default.

/** The background worker's schedule. */
export interface BackgroundOptions {
  /**
   * Milliseconds between two passes (> 0, at most 1e9).
   * @defaultValue 1000
   */
  intervalMs: number;
  /**
   * Bytes per size class moved from the dirty to the clean pool per pass, their pages
   * handed back to the kernel lazily (`MADV_FREE`). Rounded up to whole regions.
   * @defaultValue 33554432 (32 MiB)
   */
  clearBytes: number;
}

/** The allocator's configuration; process-wide in the native backend. */
export interface Config {
  /**
   * While false, `allocate` throws `ERR_LGALLOC_DISABLED`; disposing still works. On by
   * default, so that a program that never calls `configure` gets pooled memory.
   * @defaultValue true
   */
  enabled: boolean;
  /**
   * Release a region's pages (`MADV_DONTNEED`) as soon as it overflows its thread cache,
   * trading reuse speed for resident memory.
   * @defaultValue false
   */
  eagerReturn: boolean;
  /**
   * Area growth: each new area of a size class grows by `1 + 1/(n + 1)`; 0 doubles.
   * @defaultValue 0
   */
  growthDampener: number;
  /**
   * Bytes of free regions each thread keeps per size class before they go to the global
   * pool.
   * @defaultValue 33554432 (32 MiB)
   */
  localBufferBytes: number;
  /**
   * The background worker, or `false` for none.
   * @defaultValue { intervalMs: 1000, clearBytes: 33554432 }
   */
  background: BackgroundOptions | false;
  /**
   * Largest area (one `mmap`) in bytes; 0 means no cap. An area holds at least one region.
   * @defaultValue 0
   */
  maxAreaBytes: number;
  /**
   * Most bytes mapped across all size classes; 0 means no limit. Beyond it, allocation
   * throws `ERR_LGALLOC_OUT_OF_MEMORY` instead of waking the OOM killer.
   * @defaultValue 0
   */
  memoryLimitBytes: number;
}

/** Fields to change; the others keep their values. */
export type ConfigureOptions = Partial<Config>;

/** The configuration a process starts with, frozen; `configure` changes the live one. */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  enabled: true,
  eagerReturn: false,
  growthDampener: 0,
  localBufferBytes: 32 * 2 ** 20,
  background: Object.freeze({ intervalMs: 1000, clearBytes: 32 * 2 ** 20 }),
  maxAreaBytes: 0,
  memoryLimitBytes: 0,
});

/** Figures of one size class (or, in `Stats.totals`, of all). */
export interface SizeClassStats {
  /** Bytes per region of this class (0 in totals). */
  regionBytes: number;
  /** Areas (one `mmap` each) of this class currently mapped. */
  areas: number;
  /** Bytes of those areas. */
  areaTotalBytes: number;
  /** cleanRegions + globalRegions + threadRegions. */
  freeRegions: number;
  /** In the global clean pool: pages handed back to the kernel, or never touched. */
  cleanRegions: number;
  /** In the global dirty pool. */
  globalRegions: number;
  /** In thread caches. */
  threadRegions: number;
  /** Successful allocations; allocations - deallocations regions are held. */
  allocations: number;
  /** Allocations the thread cache could not serve (they went to the global pools). */
  slowPath: number;
  /** Times the class mapped a new area because every pool was empty. */
  refill: number;
  /** Regions given back (disposed, collected, or released after a transfer). */
  deallocations: number;
  /** Regions whose pages were released at once because `eagerReturn` is on. */
  clearEagerTotal: number;
  /** Regions whose pages the background worker handed back to the kernel. */
  clearSlowTotal: number;
  /** Areas unmapped by `trim()`. */
  trimmedAreas: number;
  /** `madvise` calls that failed (the region stayed in the dirty pool). */
  madviseFailures: number;
}

/** Options of `stats()`. */
export interface StatsOptions {
  /**
   * Also sum `AnonHugePages` of the pools' mappings from /proc/self/smaps (reads and parses
   * the whole file: milliseconds, not microseconds).
   * @defaultValue false
   */
  hugePages?: boolean;
}

/** What `stats()` returns: the pools' figures and what JS holds. */
export interface Stats {
  /** Which backend serves this thread. */
  backend: "native" | "fallback";
  /** 16 entries: 2 MiB, 4 MiB, ... 64 GiB. */
  sizeClasses: SizeClassStats[];
  /** The sum of every size class (`regionBytes` 0). */
  totals: SizeClassStats;
  /** Bytes of address space the pools have mapped. */
  mappedBytes: number;
  /** The configured limit on `mappedBytes` (0: none). */
  memoryLimitBytes: number;
  /** `mmap` calls that failed. */
  mmapFailures: number;
  /** Passes the background worker has made. */
  backgroundPasses: number;
  /** errno of the most recent failed system call; 0 if none. */
  lastOsErrno: number;
  /** True when the kernel refused `MADV_HUGEPAGE` for an area. */
  hugePageAdviceFailed: boolean;
  /** Bytes `Region#reallocate` moved by remapping pages, without copying them. */
  movedBytes: number;
  /** Bytes `Region#reallocate` copied (the fallback backend copies them all). */
  copiedBytes: number;
  /** Regions held by JS (not disposed, not collected, not in transfer). */
  liveRegions: number;
  /** Capacity in bytes of the regions in `liveRegions`. */
  liveBytes: number;
  /** Regions returned by `dispose()` (or the end of a `using` scope). */
  disposedRegions: number;
  /** Regions returned because their buffer was garbage collected. */
  collectedRegions: number;
  /** Regions moved out with `Region#transfer`. */
  transferredRegions: number;
  /** Regions taken over with `adopt`. */
  adoptedRegions: number;
  /** Transferred but not yet adopted or released. */
  pendingTransfers: number;
  /** Capacity in bytes of the regions in `pendingTransfers`. */
  pendingTransferBytes: number;
  /** Tokens given back with `releaseToken` without being adopted. */
  releasedTokens: number;
  /** Only with `{ hugePages: true }`: bytes of the pools backed by huge pages. */
  hugePageBytes: number | undefined;
}

/** What `trim()` unmapped. */
export interface TrimResult {
  /** Areas handed back to the kernel (`munmap`). */
  areasUnmapped: number;
  /** Their bytes. */
  bytesUnmapped: number;
}

/** A region in transit between threads; see `Region#transfer` and `adopt`. */
export interface RegionToken {
  /** Marks the object as a region token. */
  readonly kind: "lgalloc.RegionToken";
  /** 32 lowercase hex digits. */
  readonly id: string;
  /** The region's capacity in bytes. */
  readonly byteLength: number;
  /** Pass as postMessage's transfer list (empty in the native backend). */
  readonly transferList: readonly ArrayBuffer[];
}

/** Any of the 11 typed array types a region can be viewed as. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A typed array constructor such as `Float64Array`, as `Region#view` takes it. */
export interface TypedArrayConstructor<T extends TypedArray = TypedArray> {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  /** Bytes per element, e.g. 8 for `Float64Array`. */
  readonly BYTES_PER_ELEMENT: number;
  /** The constructor's name, e.g. `"Float64Array"`, used in error messages. */
  readonly name: string;
}

/** The smallest region, 2 MiB (2^21 bytes): the smallest size class. */
export const MIN_REGION_BYTES = 2 ** 21;
/** The largest region, 64 GiB (2^36 bytes): the largest size class. */
export const MAX_REGION_BYTES = 2 ** 36;
