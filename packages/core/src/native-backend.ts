// The native backend: the addon's process-wide allocator of mmap'ed, size-classed regions
// (see backend.ts for the contract). Only reshapes values; the addon does the work.

import { isMainThread } from "node:worker_threads";

import type { Backend, BackendConfig, RawRegion, RawToken } from "./backend";
import { createError } from "./errors";
import type { NativeAddon } from "./native";

/** Where the native side identifies a region: an index and a generation, never a pointer. */
interface NativeHandle {
  readonly index: number;
  readonly generation: number;
}

/**
 * Initialises the addon for this thread and returns the backend, or `undefined` when this
 * runtime refuses external buffers (then the caller falls back).
 */
export function createNativeBackend(
  addon: NativeAddon,
  defaults: Partial<BackendConfig>,
): Backend | undefined {
  // `out`: the addon writes each new region's metadata there instead of building an array.
  // `native`: functions bound to this copy of the package (see NativeFunctions).
  const {
    externalBuffers,
    out,
    functions: native,
  } = addon.init(createError, isMainThread, defaults);
  if (!externalBuffers) return undefined;
  const raw = (buffer: ArrayBuffer): RawRegion => ({
    handle: { index: out[0]!, generation: out[1]! } satisfies NativeHandle,
    buffer,
    knownZero: out[2] === 1,
    sizeClassIndex: out[3]!,
  });
  const handleOf = (handle: unknown) => handle as NativeHandle;
  return {
    kind: "native",
    allocate: (byteLength) => raw(native.allocate(byteLength)),
    dispose: (handle, buffer) =>
      // A buffer that other code detached (a transferring structuredClone moves the
      // backing store to the clone) still owns the region through its backing store,
      // whose deleter returns it to the pool once the clone is collected: nothing to do.
      buffer.byteLength === 0
        ? false
        : native.dispose(handleOf(handle).index, handleOf(handle).generation, buffer),
    reallocate: (handle, buffer, byteLength) =>
      raw(
        native.reallocate(handleOf(handle).index, handleOf(handle).generation, buffer, byteLength),
      ),
    prefetch: (handle, byteOffset, byteLength) =>
      native.prefetch(handleOf(handle).index, handleOf(handle).generation, byteOffset, byteLength),
    transfer: (handle, buffer): RawToken => {
      const [id, anchor] = native.transfer(
        handleOf(handle).index,
        handleOf(handle).generation,
        buffer,
      );
      return { id, anchor };
    },
    adopt: (token) => raw(native.adopt(token.id)),
    releaseToken: (token) => native.releaseToken(token.id),
    configure: (update) => native.configure(update),
    config: () => native.config(),
    stats: () => native.stats(),
    trim: () => native.trim(),
    areas: () => native.areas(),
    flushThreadCache: () => native.flushThreadCache(),
  };
}
