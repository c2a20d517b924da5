// Per-copy and per-environment state of the addon.
//
// A `Context` belongs to one `init()` call, that is to one copy of @lgalloc/core: two
// copies of the package in one process (or a cleared require.cache) load the same addon,
// and each must keep its own error factory and its own metadata array, or one copy reads
// the other's (issue 7, item 2). The functions `init` returns carry their context as their
// data pointer. Contexts live as long as their environment.
//
// The metadata array's memory is allocated and held natively: JS only gets a view of it,
// so moving or freeing the view's buffer from JS cannot make the binding write into freed
// memory (issue 7, item 4).
#pragma once

#include <node_api.h>
#include <v8.h>

#include <memory>
#include <vector>

#include "region_accounting.h"

namespace lgalloc::node {

struct Context {
  napi_ref create_error = nullptr;
  std::shared_ptr<v8::BackingStore> out_store;
  /// [index, generation, knownZero, sizeClassIndex] of the newest region; in out_store.
  double* out = nullptr;
  /// The environment's (EnvData::accounting): every copy in it shares one.
  RegionAccounting* accounting = nullptr;
};

struct EnvData {
  bool exit_hook_added = false;
  RegionAccounting accounting;
  std::vector<std::unique_ptr<Context>> contexts;
};

/// This environment's data, created on first use and freed with the environment.
EnvData& env_data(napi_env env);

}  // namespace lgalloc::node
