// The native backend: the addon's process-wide allocator of mmap'ed, size-classed regions
// (see backend.ts for the contract). Only reshapes values; the addon does the work.

import { isMainThread } from "node:worker_threads";

import type { Backend, BackendConfig, RawRegion, RawToken } from "./backend";
import { createError } from "./errors";
import type { NativeAddon } from "./native";

function raw([handle, buffer, knownZero, sizeClassIndex]: [
  unknown,
  ArrayBuffer,
  boolean,
  number,
]): RawRegion {
  return { handle, buffer, knownZero, sizeClassIndex };
}

/**
 * Initialises the addon for this thread and returns the backend, or `undefined` when this
 * runtime refuses external buffers (then the caller falls back).
 */
export function createNativeBackend(
  addon: NativeAddon,
  defaults: Partial<BackendConfig>,
): Backend | undefined {
  const { externalBuffers } = addon.init(createError, isMainThread, defaults);
  if (!externalBuffers) return undefined;
  return {
    kind: "native",
    allocate: (byteLength) => raw(addon.allocate(byteLength)),
    dispose: (handle, buffer) => addon.dispose(handle, buffer),
    prefetch: (handle, byteOffset, byteLength) => addon.prefetch(handle, byteOffset, byteLength),
    transfer: (handle, buffer): RawToken => ({ id: addon.transfer(handle, buffer) }),
    adopt: (token) => raw(addon.adopt(token.id)),
    releaseToken: (token) => addon.releaseToken(token.id),
    configure: (update) => addon.configure(update),
    config: () => addon.config(),
    stats: () => addon.stats(),
    trim: () => addon.trim(),
    areas: () => addon.areas(),
    flushThreadCache: () => addon.flushThreadCache(),
  };
}
