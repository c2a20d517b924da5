// Conversions between JS values and the core's configuration and statistics. Checks
// types only; the JS layer has already validated ranges and explained any mistake.
#pragma once

#include <napi.h>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

/// A non-negative integer Number no larger than 2^53, else a TypeError naming `name`.
std::uint64_t to_u64(Napi::Env env, Napi::Value value, const char* name);

/// {enabled?, eagerReturn?, growthDampener?, localBufferBytes?, background?: null |
/// {intervalNs, clearBytes}, maxAreaBytes?, memoryLimitBytes?}
ConfigUpdate to_config_update(Napi::Env env, Napi::Value value);

Napi::Object from_config(Napi::Env env, const Config& config);
Napi::Object from_stats(Napi::Env env, const Stats& stats);

}  // namespace lgalloc::node
