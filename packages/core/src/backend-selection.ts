// Which backend serves this thread, decided once when the package loads: the native addon
// when one loads and this runtime accepts external buffers, else the JS fallback, announced
// with one warning so that a missing addon is never a silent slowdown nor a late failure.
// `LGALLOC_BACKEND` forces either; forcing `native` where it cannot serve is an error at load.

import type { Backend, BackendConfig } from "./backend";
import { InvalidArgValueError } from "./errors";
import { createFallbackBackend } from "./fallback-backend";
import { ADDON_FIX, addonLoadError, lookUpAddon } from "./native";
import { createNativeBackend } from "./native-backend";

/** Environment variable that forces a backend: `native` or `fallback`. */
export const BACKEND_ENV = "LGALLOC_BACKEND";

/** `code` of the warning emitted when the fallback serves because no addon could. */
export const FALLBACK_WARNING_CODE = "LGALLOC_FALLBACK_BACKEND";

/** Why the native backend cannot serve, or `undefined` when it does. */
type NativeOutcome = { backend: Backend } | { reason: string };

function tryNative(defaults: Partial<BackendConfig>): NativeOutcome {
  const found = lookUpAddon();
  if (found.addon === undefined) return { reason: found.reason };
  const native = createNativeBackend(found.addon, defaults);
  if (native !== undefined) return { backend: native };
  return {
    reason: "this runtime refuses external ArrayBuffers (napi_no_external_buffers_allowed)",
  };
}

/**
 * The backend for `forced` (the value of `LGALLOC_BACKEND`, read once at load).
 *
 * @throws `ERR_INVALID_ARG_VALUE` for a value other than `native`, `fallback` or empty;
 *   `ERR_LGALLOC_ADDON_LOAD` when `native` is forced and cannot serve.
 */
export function selectBackend(
  forced: string | undefined,
  defaults: Partial<BackendConfig>,
): Backend {
  if (forced !== undefined && forced !== "" && forced !== "native" && forced !== "fallback") {
    throw new InvalidArgValueError(BACKEND_ENV, "must be 'native' or 'fallback'", forced);
  }
  if (forced !== "fallback") {
    const outcome = tryNative(defaults);
    if ("backend" in outcome) return outcome.backend;
    if (forced === "native") {
      throw addonLoadError(`${outcome.reason} (${BACKEND_ENV}=native)`);
    }
    process.emitWarning(
      `lgalloc: no native addon can serve here (${outcome.reason}); the JS fallback ` +
        "backend serves instead: ordinary ArrayBuffers pooled in JS, without huge pages " +
        "or sharing between threads.",
      { type: "LgallocWarning", code: FALLBACK_WARNING_CODE, detail: ADDON_FIX },
    );
  }
  const fallback = createFallbackBackend();
  fallback.configure(defaults);
  return fallback;
}
