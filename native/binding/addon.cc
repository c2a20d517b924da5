// Entry point of the lgalloc Node.js addon (build/Release/lgalloc.node). It registers the
// functions JS can call; for now only `version()`, a placeholder until the allocator
// binding exists. The binding only checks arguments and converts values: the allocator
// core under native/core has no Node dependency.
#include <napi.h>

#include "lgalloc/version.h"

// Version of this binding (the npm package @lgalloc/core), kept in step with its
// package.json.
#define LGALLOC_NODE_VERSION "0.1.0"

namespace {

// version(): string, e.g. "lgalloc-node 0.1.0 (core 0.7.0-node.1)".
Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(),
                           "lgalloc-node " LGALLOC_NODE_VERSION " (core " LGALLOC_CORE_VERSION ")");
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  return exports;
}

}  // namespace

// NODE_API_MODULE registers a context-aware module: it loads in worker threads too, each
// environment calling Init once.
NODE_API_MODULE(lgalloc, Init)
