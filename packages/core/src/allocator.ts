// The allocator functions of @lgalloc/core: choosing the backend, allocate, adopt,
// configure, stats and trim. Each validates its arguments (validate.ts) before the backend
// sees them.

import type {
  Config,
  ConfigureOptions,
  RegionToken,
  SizeClassStats,
  Stats,
  StatsOptions,
  TrimResult,
} from "./api";
import { DEFAULT_CONFIG, MIN_REGION_BYTES } from "./api";
import { overlay, type Backend, type BackendConfig, type BackendSizeClassStats } from "./backend";
import { LgallocError } from "./errors";
import { hugePageBytes } from "./huge-pages";
import { BACKEND_ENV, selectBackend } from "./backend-selection";
import { Region, parseToken } from "./region";
import {
  validateBoolean,
  validateInteger,
  validateOptions,
  validatePositiveNumber,
  validateRegionSize,
} from "./validate";

const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof Config)[];
const MAX_INTERVAL_MS = 1e9;

/**
 * Chosen when the package loads (not at first use), so that a missing addon shows at once:
 * as the fallback's warning, or as an error when `LGALLOC_BACKEND=native` forces it.
 */
const selected: Backend = selectBackend(process.env[BACKEND_ENV], toBackendConfig(DEFAULT_CONFIG));

function backend(): Backend {
  return selected;
}

/**
 * The update as the backends take it, in null-prototype objects: the addon reads fields
 * with ordinary property lookups, which would find `Object.prototype.memoryLimitBytes`.
 */
function toBackendConfig(config: ConfigureOptions): Partial<BackendConfig> {
  const { background, ...plain } = config;
  const update: Partial<BackendConfig> = overlay(Object.create(null), plain);
  if (background !== undefined) {
    update.background =
      background === false
        ? null
        : Object.assign(Object.create(null), {
            intervalNs: Math.max(1, Math.round(background.intervalMs * 1e6)),
            clearBytes: background.clearBytes,
          });
  }
  return update;
}

/**
 * Which backend serves this thread: the addon (`"native"`), or ArrayBuffers pooled in JS
 * (`"fallback"`) where external buffers are refused or `LGALLOC_BACKEND=fallback` is set.
 *
 * @throws `ERR_INVALID_ARG_VALUE` when `LGALLOC_BACKEND` is set to something other than
 *   `native` or `fallback` (as does every function that needs the backend).
 */
export function backendKind(): "native" | "fallback" {
  return backend().kind;
}

/** Typed arrays hold at most 2^32 elements: zero a 64 GiB region in pieces. */
const ZERO_PIECE_BYTES = 2 ** 32;

/** Sets every byte of `buffer` to 0 (a memset per piece). */
function zeroFill(buffer: ArrayBuffer): void {
  const bytes = buffer.byteLength;
  for (let offset = 0; offset < bytes; offset += ZERO_PIECE_BYTES) {
    new Uint8Array(buffer, offset, Math.min(ZERO_PIECE_BYTES, bytes - offset)).fill(0);
  }
}

/**
 * A region of at least `byteLength` bytes (rounded up to a power of two, 2 MiB to 64 GiB),
 * every byte zero, like `Buffer.alloc`. The zeroing is skipped when the pool knows the
 * region is zero already (fresh or cleared pages); `allocateUnsafe` skips it always.
 *
 * @throws `RangeError` `ERR_LGALLOC_INVALID_SIZE` outside the size classes, `TypeError`
 *   `ERR_INVALID_ARG_TYPE` / `RangeError` `ERR_OUT_OF_RANGE` for a byteLength that is not a
 *   safe integer, `LgallocError` `ERR_LGALLOC_DISABLED` / `ERR_LGALLOC_OUT_OF_MEMORY`.
 */
export function allocate(byteLength: number): Region {
  const size = validateRegionSize(byteLength);
  const source = backend();
  const raw = source.allocate(size);
  if (raw.knownZero) return Region.create(source, raw);
  zeroFill(raw.buffer);
  return Region.create(source, { ...raw, knownZero: true });
}

/**
 * Like `allocate`, without the zeroing, like `Buffer.allocUnsafe`: the bytes may be what an
 * earlier owner in this process left (never another live owner's); `knownZero` says when
 * they are all zero anyway. Write before you read, and never hand such a region to code
 * that trusts its contents.
 */
export function allocateUnsafe(byteLength: number): Region {
  const size = validateRegionSize(byteLength);
  const source = backend();
  return Region.create(source, source.allocate(size));
}

function unlessOutOfMemory(make: () => Region): Region | undefined {
  try {
    return make();
  } catch (error) {
    if (error instanceof LgallocError && error.code === "ERR_LGALLOC_OUT_OF_MEMORY")
      return undefined;
    throw error;
  }
}

/**
 * Like `allocate`, but `undefined` instead of `ERR_LGALLOC_OUT_OF_MEMORY`.
 *
 * @throws every other error of `allocate`: `ERR_LGALLOC_INVALID_SIZE`,
 *   `ERR_LGALLOC_DISABLED`, `ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`.
 */
export function tryAllocate(byteLength: number): Region | undefined {
  return unlessOutOfMemory(() => allocate(byteLength));
}

/**
 * Like `allocateUnsafe`, but `undefined` instead of `ERR_LGALLOC_OUT_OF_MEMORY`.
 *
 * @throws every other error of `allocateUnsafe`, as `tryAllocate` does.
 */
export function tryAllocateUnsafe(byteLength: number): Region | undefined {
  return unlessOutOfMemory(() => allocateUnsafe(byteLength));
}

/**
 * The capacity `allocate(byteLength)` would give: the next power of two, at least 2 MiB.
 *
 * @throws `ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE` and `ERR_LGALLOC_INVALID_SIZE` as
 *   `allocate` does for the same byteLength.
 */
export function sizeClassOf(byteLength: number): number {
  const size = validateRegionSize(byteLength);
  let capacity = MIN_REGION_BYTES;
  while (capacity < size) capacity *= 2;
  return capacity;
}

/**
 * Takes over a region moved with `Region#transfer`, on this thread. Single use.
 *
 * @throws `ERR_LGALLOC_INVALID_TOKEN` for a malformed token, or one already adopted or
 *   released.
 */
export function adopt(token: RegionToken): Region {
  const raw = parseToken(token);
  const source = backend();
  return Region.create(source, source.adopt(raw));
}

/**
 * Returns a transferred, never adopted region to the pool; false if already taken.
 *
 * @throws `ERR_LGALLOC_INVALID_TOKEN` for a malformed token.
 */
export function releaseToken(token: RegionToken): boolean {
  return backend().releaseToken(parseToken(token));
}

/**
 * Changes the given settings and returns the whole configuration. Nothing changes on error.
 *
 * @throws `ERR_INVALID_ARG_TYPE` for options that are not an object or a field of the wrong
 *   type; `ERR_INVALID_ARG_VALUE` for an unknown field; `ERR_OUT_OF_RANGE` for a number out
 *   of its range (see {@link Config} for each field and its default).
 */
export function configure(options: ConfigureOptions): Config {
  const given = validateOptions(options, "options", CONFIG_KEYS);
  const update: ConfigureOptions = {};
  const present = (key: keyof Config) => given[key] !== undefined;
  if (present("enabled")) update.enabled = validateBoolean(given.enabled, "options.enabled");
  if (present("eagerReturn"))
    update.eagerReturn = validateBoolean(given.eagerReturn, "options.eagerReturn");
  for (const key of [
    "growthDampener",
    "localBufferBytes",
    "maxAreaBytes",
    "memoryLimitBytes",
  ] as const) {
    if (present(key)) update[key] = validateInteger(given[key], `options.${key}`);
  }
  if (present("background")) {
    const background = given.background;
    if (background === false) {
      update.background = false;
    } else {
      const fields = validateOptions(background, "options.background", [
        "intervalMs",
        "clearBytes",
      ]);
      update.background = {
        intervalMs: validatePositiveNumber(
          fields.intervalMs,
          "options.background.intervalMs",
          MAX_INTERVAL_MS,
        ),
        clearBytes: validateInteger(fields.clearBytes, "options.background.clearBytes"),
      };
    }
  }
  backend().configure(toBackendConfig(update));
  return config();
}

/** The whole current configuration. */
export function config(): Config {
  const raw = backend().config();
  return {
    enabled: raw.enabled,
    eagerReturn: raw.eagerReturn,
    growthDampener: raw.growthDampener,
    localBufferBytes: raw.localBufferBytes,
    background:
      raw.background === null
        ? false
        : { intervalMs: raw.background.intervalNs / 1e6, clearBytes: raw.background.clearBytes },
    maxAreaBytes: raw.maxAreaBytes,
    memoryLimitBytes: raw.memoryLimitBytes,
  };
}

function sumClasses(classes: readonly BackendSizeClassStats[]): SizeClassStats {
  const totals: SizeClassStats = {
    regionBytes: 0,
    areas: 0,
    areaTotalBytes: 0,
    freeRegions: 0,
    cleanRegions: 0,
    globalRegions: 0,
    threadRegions: 0,
    allocations: 0,
    slowPath: 0,
    refill: 0,
    deallocations: 0,
    clearEagerTotal: 0,
    clearSlowTotal: 0,
    trimmedAreas: 0,
    madviseFailures: 0,
  };
  for (const entry of classes) {
    for (const key of Object.keys(totals) as (keyof SizeClassStats)[]) {
      if (key !== "regionBytes") totals[key] += entry[key];
    }
  }
  return totals;
}

/**
 * The pools' figures, per size class and in total, and what JS holds.
 *
 * @throws `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for options that are not an
 *   object, an unknown option, or a `hugePages` that is not a boolean.
 */
export function stats(options: StatsOptions = {}): Stats {
  const given = validateOptions(options, "options", ["hugePages"]);
  const wantHugePages =
    given.hugePages === undefined ? false : validateBoolean(given.hugePages, "options.hugePages");
  const source = backend();
  const raw = source.stats();
  return {
    backend: source.kind,
    sizeClasses: raw.sizeClasses.map((entry) => ({ ...entry })),
    totals: sumClasses(raw.sizeClasses),
    mappedBytes: raw.mappedBytes,
    memoryLimitBytes: raw.memoryLimitBytes,
    mmapFailures: raw.mmapFailures,
    backgroundPasses: raw.backgroundPasses,
    lastOsErrno: raw.lastOsErrno,
    hugePageAdviceFailed: raw.hugePageAdviceFailed,
    movedBytes: raw.movedBytes,
    copiedBytes: raw.copiedBytes,
    liveRegions: raw.js.liveRegions,
    liveBytes: raw.js.liveBytes,
    disposedRegions: raw.js.disposed,
    collectedRegions: raw.js.collected,
    transferredRegions: raw.js.transferred,
    adoptedRegions: raw.js.adopted,
    pendingTransfers: raw.js.pendingTransfers,
    pendingTransferBytes: raw.js.pendingTransferBytes,
    releasedTokens: raw.js.releasedTokens,
    hugePageBytes: wantHugePages ? hugePageBytes(source.areas()) : undefined,
  };
}

/** Unmaps every area whose regions are all pooled. */
export function trim(): TrimResult {
  return backend().trim();
}

/** Moves this thread's cached regions to the global pool (before a thread idles). */
export function flushThreadCache(): void {
  backend().flushThreadCache();
}
