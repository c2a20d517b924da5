// Public entry point of @lgalloc/core. It only re-exports; each concept lives in its own
// module (see docs/core-api.md for the contract).

/**
 * Pooled large regions (2 MiB to 64 GiB) backed by anonymous mappings with huge page
 * hints, viewed as typed arrays without a copy: `allocate`, `Region`, `configure`,
 * `stats`, and moving regions between threads with `transfer` / `adopt`.
 *
 * @packageDocumentation
 * @module @lgalloc/core
 */

export type {
  BackgroundOptions,
  Config,
  ConfigureOptions,
  RegionToken,
  SizeClassStats,
  Stats,
  StatsOptions,
  TrimResult,
  TypedArray,
  TypedArrayConstructor,
} from "./api";
export { DEFAULT_CONFIG, MAX_REGION_BYTES, MIN_REGION_BYTES } from "./api";
export {
  adopt,
  allocate,
  allocateUnsafe,
  backendKind,
  config,
  configure,
  flushThreadCache,
  releaseToken,
  sizeClassOf,
  stats,
  trim,
  tryAllocate,
  tryAllocateUnsafe,
} from "./allocator";
export { BACKEND_ENV, FALLBACK_WARNING_CODE } from "./backend-selection";
export { Region, isRegion } from "./region";
export {
  InvalidArgTypeError,
  InvalidArgValueError,
  InvalidThisError,
  LgallocError,
  LgallocRangeError,
  NotCloneableError,
  OutOfRangeError,
} from "./errors";
export type { LgallocErrorCode, LgallocErrorDetails } from "./errors";
export { nativeVersion } from "./version";
export { formatStats } from "./format-stats";
export { registerMetrics } from "./metrics";
export type { MetricsOptions, MetricsRegistry, RegisteredMetrics } from "./metrics";
export { ADDON_PATH_ENV, ERR_LGALLOC_ADDON_LOAD } from "./native";
// Argument checks in Node's message format, shared with the sibling packages.
export { TYPED_ARRAY_CONSTRUCTORS, validateInteger, validateOptions } from "./validate";
// For the sibling packages: makes structuredClone of an object throw.
export { refuseCloning } from "./errors";
