// Public entry point of @lgalloc/core. It only re-exports; each concept lives in its own
// module.

export { nativeVersion } from "./version";
export { ADDON_PATH_ENV, ERR_LGALLOC_ADDON_LOAD } from "./native";
