// Loads the native addon (build/Release/lgalloc.node at the repository root) and describes
// its exports. Every other module reaches native code through `loadAddon()`, so the path
// lookup and the load error live in one place.

import * as path from "node:path";

import type { BackendArea, BackendConfig, BackendStats } from "./backend";
import type { NativeErrorFactory } from "./errors";

/**
 * What `init` returns: the functions bound to this copy of the package. Each copy that
 * loads the addon (duplicate installs, a cleared require.cache) gets its own, with its own
 * error factory and metadata array, so copies never read each other's state.
 */
export interface NativeFunctions {
  allocate(byteLength: number): ArrayBuffer;
  dispose(index: number, generation: number, buffer: ArrayBuffer): boolean;
  prefetch(index: number, generation: number, byteOffset: number, byteLength: number): void;
  reallocate(
    index: number,
    generation: number,
    buffer: ArrayBuffer,
    byteLength: number,
  ): ArrayBuffer;
  /**
   * The token id and its anchor: a zero-length ArrayBuffer that belongs in the token's
   * transferList; when it is collected unadopted (the token was dropped, or the thread it
   * was posted to exited), the region goes back to the pool.
   */
  transfer(index: number, generation: number, buffer: ArrayBuffer): [string, ArrayBuffer];
  adopt(id: string): ArrayBuffer;
  releaseToken(id: string): boolean;
  configure(update: Partial<BackendConfig>): void;
  config(): BackendConfig;
  stats(): BackendStats;
  trim(): { areasUnmapped: number; bytesUnmapped: number };
  areas(): BackendArea[];
  flushThreadCache(): void;
}

/** Functions exported by `native/binding/addon.cc`; see there for each one's contract. */
export interface NativeAddon {
  /** Version of the binding and of the allocator core it was built from. */
  version(): string;
  /**
   * Binds a fresh set of functions to `createError`. `out` receives [index, generation,
   * knownZero, sizeClassIndex] of each new region; its memory is the addon's.
   * `appliedDefaults` is true for the first call in the process, if the defaults took
   * effect (including starting the background worker).
   */
  init(
    createError: NativeErrorFactory,
    isMainThread: boolean,
    defaults: Partial<BackendConfig>,
  ): {
    externalBuffers: boolean;
    appliedDefaults: boolean;
    out: Float64Array;
    functions: NativeFunctions;
  };
}

/** Environment variable that overrides where the addon is loaded from. */
export const ADDON_PATH_ENV = "LGALLOC_ADDON_PATH";

/** `code` of the Error thrown when the addon cannot be loaded. */
export const ERR_LGALLOC_ADDON_LOAD = "ERR_LGALLOC_ADDON_LOAD";

let addon: NativeAddon | undefined;

/**
 * Path the addon is loaded from: `$LGALLOC_ADDON_PATH` when set, otherwise the node-gyp
 * output at the repository root. This file compiles to packages/core/dist/native.js, so the
 * root is three directories up.
 */
export function addonPath(): string {
  const override = process.env[ADDON_PATH_ENV];
  if (override !== undefined && override !== "") {
    return path.resolve(override);
  }
  return path.resolve(__dirname, "../../../build/Release/lgalloc.node");
}

/**
 * Returns the loaded addon, loading it on first use.
 *
 * @throws Error with `code` `ERR_LGALLOC_ADDON_LOAD` (and the original error as `cause`) when
 *   the file is missing or is not a loadable addon; the message names the path tried.
 */
export function loadAddon(): NativeAddon {
  if (addon === undefined) {
    const file = addonPath();
    try {
      addon = require(file) as NativeAddon;
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const error = new Error(
        `Cannot load the lgalloc native addon from ${file}: ${reason}. ` +
          `Build it with \`npm run build:addon\`, or set ${ADDON_PATH_ENV} to its path.`,
        { cause },
      );
      throw Object.assign(error, { code: ERR_LGALLOC_ADDON_LOAD });
    }
  }
  return addon;
}
