// Conversions between JS values and the core's configuration and statistics. Checks
// types only; the JS layer has already validated ranges and explained any mistake.
#pragma once

#include <node_api.h>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

/// A non-negative integer Number no larger than 2^53, else a TypeError naming `name`.
std::uint64_t to_u64(napi_env env, napi_value value, const char* name);

/// {enabled?, eagerReturn?, growthDampener?, localBufferBytes?, background?: null |
/// {intervalNs, clearBytes}, maxAreaBytes?, memoryLimitBytes?}
ConfigUpdate to_config_update(napi_env env, napi_value value);

napi_value from_config(napi_env env, const Config& config);
napi_value from_stats(napi_env env, const Stats& stats);

}  // namespace lgalloc::node
