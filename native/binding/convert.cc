// JS <-> core conversions for configuration and statistics.
#include "convert.h"

#include "errors.h"
#include "js.h"

namespace lgalloc::node {
namespace {

constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53

napi_value number(napi_env env, std::uint64_t value) {
  return js_number(env, static_cast<double>(value));
}

bool to_bool(napi_env env, napi_value value, const char* name) {
  if (js_type(env, value) != napi_boolean) throw_invalid_arg(env, name, "of type boolean");
  return js_bool_value(env, value);
}

}  // namespace

std::uint64_t to_u64(napi_env env, napi_value value, const char* name) {
  // V8's own checks rather than napi_typeof + napi_get_value_double: on every allocate and
  // dispose (three numbers per cycle), and about 8 ns cheaper each (issue 13).
  const v8::Local<v8::Value> local = to_v8(value);
  if (!local->IsNumber()) throw_invalid_arg(env, name, "of type number");
  const double d = local.As<v8::Number>()->Value();
  if (!(d >= 0) || d > kMaxSafeInteger) throw_invalid_arg(env, name, "a non-negative safe integer");
  // Exact for every double in [0, 2^53]; a fraction does not survive the round trip (and
  // std::floor without SSE4.1 is a dozen instructions).
  const auto n = static_cast<std::uint64_t>(d);
  if (static_cast<double>(n) != d) throw_invalid_arg(env, name, "a non-negative safe integer");
  return n;
}

ConfigUpdate to_config_update(napi_env env, napi_value value) {
  if (js_type(env, value) != napi_object) throw_invalid_arg(env, "options", "of type object");
  ConfigUpdate update;
  // Each option is read once; absent and undefined mean "unchanged".
  const auto field = [&](const char* key) -> napi_value {
    napi_value field_value = js_get(env, value, key);
    return js_type(env, field_value) == napi_undefined ? nullptr : field_value;
  };
  if (napi_value v = field("enabled")) update.enabled = to_bool(env, v, "enabled");
  if (napi_value v = field("eagerReturn")) update.eager_return = to_bool(env, v, "eagerReturn");
  if (napi_value v = field("growthDampener")) {
    update.growth_dampener = to_u64(env, v, "growthDampener");
  }
  if (napi_value v = field("localBufferBytes")) {
    update.local_buffer_bytes = to_u64(env, v, "localBufferBytes");
  }
  if (napi_value v = field("maxAreaBytes")) update.max_area_bytes = to_u64(env, v, "maxAreaBytes");
  if (napi_value v = field("memoryLimitBytes")) {
    update.memory_limit_bytes = to_u64(env, v, "memoryLimitBytes");
  }
  if (napi_value background = field("background")) {
    const napi_valuetype type = js_type(env, background);
    if (type == napi_null) {
      update.background = std::optional<BackgroundConfig>{};
    } else if (type == napi_object) {
      BackgroundConfig config;
      config.interval_ns =
          to_u64(env, js_get(env, background, "intervalNs"), "background.intervalNs");
      config.clear_bytes =
          to_u64(env, js_get(env, background, "clearBytes"), "background.clearBytes");
      update.background = std::optional<BackgroundConfig>{config};
    } else {
      throw_invalid_arg(env, "background", "null or an object");
    }
  }
  return update;
}

napi_value from_config(napi_env env, const Config& config) {
  napi_value out = js_object(env);
  js_set(env, out, "enabled", js_bool(env, config.enabled));
  js_set(env, out, "eagerReturn", js_bool(env, config.eager_return));
  js_set(env, out, "growthDampener", number(env, config.growth_dampener));
  js_set(env, out, "localBufferBytes", number(env, config.local_buffer_bytes));
  if (config.background) {
    napi_value background = js_object(env);
    js_set(env, background, "intervalNs", number(env, config.background->interval_ns));
    js_set(env, background, "clearBytes", number(env, config.background->clear_bytes));
    js_set(env, out, "background", background);
  } else {
    js_set(env, out, "background", js_null(env));
  }
  js_set(env, out, "maxAreaBytes", number(env, config.max_area_bytes));
  js_set(env, out, "memoryLimitBytes", number(env, config.memory_limit_bytes));
  return out;
}

napi_value from_stats(napi_env env, const Stats& stats) {
  napi_value out = js_object(env);
  napi_value classes;
  check(napi_create_array_with_length(env, kSizeClassCount, &classes));
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    const SizeClassStats& s = stats.size_classes[i];
    napi_value c = js_object(env);
    js_set(env, c, "regionBytes", number(env, s.region_bytes));
    js_set(env, c, "areas", number(env, s.areas));
    js_set(env, c, "areaTotalBytes", number(env, s.area_total_bytes));
    js_set(env, c, "freeRegions", number(env, s.free_regions));
    js_set(env, c, "cleanRegions", number(env, s.clean_regions));
    js_set(env, c, "globalRegions", number(env, s.global_regions));
    js_set(env, c, "threadRegions", number(env, s.thread_regions));
    js_set(env, c, "allocations", number(env, s.allocations));
    js_set(env, c, "slowPath", number(env, s.slow_path));
    js_set(env, c, "refill", number(env, s.refill));
    js_set(env, c, "deallocations", number(env, s.deallocations));
    js_set(env, c, "clearEagerTotal", number(env, s.clear_eager_total));
    js_set(env, c, "clearSlowTotal", number(env, s.clear_slow_total));
    js_set(env, c, "trimmedAreas", number(env, s.trimmed_areas));
    js_set(env, c, "madviseFailures", number(env, s.madvise_failures));
    check(napi_set_element(env, classes, i, c));
  }
  js_set(env, out, "sizeClasses", classes);
  js_set(env, out, "mappedBytes", number(env, stats.mapped_bytes));
  js_set(env, out, "memoryLimitBytes", number(env, stats.memory_limit_bytes));
  js_set(env, out, "mmapFailures", number(env, stats.mmap_failures));
  js_set(env, out, "backgroundPasses", number(env, stats.background_passes));
  js_set(env, out, "movedBytes", number(env, stats.moved_bytes));
  js_set(env, out, "copiedBytes", number(env, stats.copied_bytes));
  js_set(env, out, "lastOsErrno", js_number(env, stats.last_os_errno));
  js_set(env, out, "hugePageAdviceFailed", js_bool(env, stats.hugepage_advice_failed));
  return out;
}

}  // namespace lgalloc::node
