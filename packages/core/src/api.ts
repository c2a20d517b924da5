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
  areas: number;
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
  slowPath: number;
  refill: number;
  deallocations: number;
  clearEagerTotal: number;
  clearSlowTotal: number;
  trimmedAreas: number;
  madviseFailures: number;
}

export interface StatsOptions {
  /**
   * Also sum `AnonHugePages` of the pools' mappings from /proc/self/smaps (reads and parses
   * the whole file: milliseconds, not microseconds).
   * @defaultValue false
   */
  hugePages?: boolean;
}

export interface Stats {
  backend: "native" | "fallback";
  /** 16 entries: 2 MiB, 4 MiB, ... 64 GiB. */
  sizeClasses: SizeClassStats[];
  totals: SizeClassStats;
  mappedBytes: number;
  memoryLimitBytes: number;
  mmapFailures: number;
  backgroundPasses: number;
  /** errno of the most recent failed system call; 0 if none. */
  lastOsErrno: number;
  hugePageAdviceFailed: boolean;
  /** Bytes `Region#reallocate` moved by remapping pages (none copied), and bytes it copied. */
  movedBytes: number;
  copiedBytes: number;
  /** Regions held by JS (not disposed, not collected, not in transfer). */
  liveRegions: number;
  liveBytes: number;
  disposedRegions: number;
  /** Regions returned because their buffer was garbage collected. */
  collectedRegions: number;
  transferredRegions: number;
  adoptedRegions: number;
  /** Transferred but not yet adopted or released. */
  pendingTransfers: number;
  pendingTransferBytes: number;
  releasedTokens: number;
  /** Only with `{ hugePages: true }`: bytes of the pools backed by huge pages. */
  hugePageBytes: number | undefined;
}

export interface TrimResult {
  areasUnmapped: number;
  bytesUnmapped: number;
}

/** A region in transit between threads; see `Region#transfer` and `adopt`. */
export interface RegionToken {
  readonly kind: "lgalloc.RegionToken";
  /** 32 lowercase hex digits. */
  readonly id: string;
  readonly byteLength: number;
  /** Pass as postMessage's transfer list (empty in the native backend). */
  readonly transferList: readonly ArrayBuffer[];
}

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

export interface TypedArrayConstructor<T extends TypedArray = TypedArray> {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

export const MIN_REGION_BYTES = 2 ** 21;
export const MAX_REGION_BYTES = 2 ** 36;
