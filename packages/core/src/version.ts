// Version information reported by the native addon. A placeholder API until the allocator
// binding exists; it proves that the addon loads and which core it was built from.

import { loadAddon } from "./native";

/**
 * Returns the addon's version string, e.g. `"lgalloc-node 0.1.0 (core 0.7.0-node.1)"`.
 *
 * @throws Error with `code` `ERR_LGALLOC_ADDON_LOAD` when the addon cannot be loaded.
 */
export function nativeVersion(): string {
  return loadAddon().version();
}
