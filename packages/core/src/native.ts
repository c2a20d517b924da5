// Finds and loads the native addon, and describes its exports. Every other module reaches
// native code through `lookUpAddon()` / `loadAddon()`, so the path lookup and the load
// error live in one place. Installed packages carry a prebuilt addon per platform and Node
// ABI under prebuilds/, found by node-gyp-build the way most native packages do it.

import * as fs from "node:fs";
import * as path from "node:path";

/** node-gyp-build's lookup (it ships no types): the addon file for this runtime, or throws. */
const nodeGypBuild = require("node-gyp-build") as { resolve(dir: string): string };

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

/** What looking for the addon found: the module, or why there is none. */
export type AddonLookup =
  | { readonly addon: NativeAddon; readonly file: string }
  | { readonly addon: undefined; readonly reason: string };

/** This package's root: dist/native.js sits one directory below it. */
const PACKAGE_ROOT = path.resolve(__dirname, "..");

let lookup: AddonLookup | undefined;

/**
 * The node-gyp output of the source tree, when this package is the source tree's
 * packages/core (a clone being developed): `npm install` at the root builds the addon
 * there, and it must win over a prebuilt copy left in the package by an earlier `npm pack`.
 */
function sourceTreeBuild(): string | undefined {
  const root = path.resolve(PACKAGE_ROOT, "../..");
  const file = path.join(root, "build", "Release", "lgalloc.node");
  const isSourceTree =
    fs.existsSync(path.join(root, "binding.gyp")) &&
    path.resolve(root, "packages", "core") === PACKAGE_ROOT;
  return isSourceTree && fs.existsSync(file) ? file : undefined;
}

/**
 * Path the addon is loaded from, in this order: `$LGALLOC_ADDON_PATH` when set; the source
 * tree's build (see `sourceTreeBuild`); then what node-gyp-build finds in this package: an
 * addon built from source at install (`build/Release`), else the prebuilt addon for this
 * platform, architecture, libc and Node ABI (`prebuilds/<platform>-<arch>/`).
 *
 * @throws Error when none fits this runtime (node-gyp-build's message names the runtime).
 */
export function addonPath(): string {
  const override = process.env[ADDON_PATH_ENV];
  if (override !== undefined && override !== "") return path.resolve(override);
  return sourceTreeBuild() ?? nodeGypBuild.resolve(PACKAGE_ROOT);
}

function findAddon(): AddonLookup {
  let file: string;
  try {
    file = addonPath();
  } catch (cause) {
    return { addon: undefined, reason: firstLine(cause) };
  }
  try {
    return { addon: require(file) as NativeAddon, file };
  } catch (cause) {
    return { addon: undefined, reason: `${file}: ${firstLine(cause)}` };
  }
}

function firstLine(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.split("\n")[0]!.trim();
}

/** Looks for the addon once per thread and remembers what it found. Never throws. */
export function lookUpAddon(): AddonLookup {
  lookup ??= findAddon();
  return lookup;
}

/** How to get a native addon where none loads; part of every message about it. */
export const ADDON_FIX =
  "Prebuilt addons ship for linux-x64 (glibc) on Node 20; elsewhere the addon is built " +
  "from source when the package is installed with its install script allowed (a C++20 " +
  "compiler, make and python3 are needed): `npm rebuild @lgalloc/core --foreground-scripts`. " +
  `${ADDON_PATH_ENV} may name an addon file to load instead.`;

/**
 * Returns the loaded addon.
 *
 * @throws Error with `code` `ERR_LGALLOC_ADDON_LOAD` when no addon loads here; the message
 *   gives the reason and the fix.
 */
export function loadAddon(): NativeAddon {
  const found = lookUpAddon();
  if (found.addon !== undefined) return found.addon;
  throw addonLoadError(found.reason);
}

/** The `ERR_LGALLOC_ADDON_LOAD` error for `reason`. */
export function addonLoadError(reason: string): Error {
  const error = new Error(`Cannot load the lgalloc native addon: ${reason}. ${ADDON_FIX}`);
  return Object.assign(error, { code: ERR_LGALLOC_ADDON_LOAD });
}
