// Public entry point of @lgalloc/collections. It only re-exports; each collection lives in
// its own module (see docs/collections-api.md for the contract).
export {};
