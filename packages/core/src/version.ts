// Version information reported by the native addon: which binding and which allocator
// core it was built from, for bug reports and for checking that the addon loads.

import { loadAddon } from "./native";

/**
 * Returns the addon's version string, e.g. `"lgalloc-node 0.1.0 (core 0.7.0-node.1)"`.
 *
 * @throws Error with `code` `ERR_LGALLOC_ADDON_LOAD` when the addon cannot be loaded.
 */
export function nativeVersion(): string {
  return loadAddon().version();
}
