// JS <-> core conversions for configuration and statistics.
#include "convert.h"

#include <cmath>

#include "env_data.h"

namespace lgalloc::node {
namespace {

constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53

Napi::Number number(Napi::Env env, std::uint64_t value) {
  return Napi::Number::New(env, static_cast<double>(value));
}

bool to_bool(Napi::Env env, Napi::Value value, const char* name) {
  if (!value.IsBoolean()) throw_invalid_arg(env, name, "of type boolean");
  return value.As<Napi::Boolean>().Value();
}

}  // namespace

std::uint64_t to_u64(Napi::Env env, Napi::Value value, const char* name) {
  if (!value.IsNumber()) throw_invalid_arg(env, name, "of type number");
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > kMaxSafeInteger || std::floor(d) != d) {
    throw_invalid_arg(env, name, "a non-negative safe integer");
  }
  return static_cast<std::uint64_t>(d);
}

ConfigUpdate to_config_update(Napi::Env env, Napi::Value value) {
  if (!value.IsObject()) throw_invalid_arg(env, "options", "of type object");
  Napi::Object options = value.As<Napi::Object>();
  ConfigUpdate update;
  const auto present = [&](const char* key) {
    return options.Has(key) && !options.Get(key).IsUndefined();
  };
  if (present("enabled")) update.enabled = to_bool(env, options.Get("enabled"), "enabled");
  if (present("eagerReturn")) {
    update.eager_return = to_bool(env, options.Get("eagerReturn"), "eagerReturn");
  }
  if (present("growthDampener")) {
    update.growth_dampener = to_u64(env, options.Get("growthDampener"), "growthDampener");
  }
  if (present("localBufferBytes")) {
    update.local_buffer_bytes = to_u64(env, options.Get("localBufferBytes"), "localBufferBytes");
  }
  if (present("maxAreaBytes")) {
    update.max_area_bytes = to_u64(env, options.Get("maxAreaBytes"), "maxAreaBytes");
  }
  if (present("memoryLimitBytes")) {
    update.memory_limit_bytes = to_u64(env, options.Get("memoryLimitBytes"), "memoryLimitBytes");
  }
  if (present("background")) {
    Napi::Value background = options.Get("background");
    if (background.IsNull()) {
      update.background = std::optional<BackgroundConfig>{};
    } else if (background.IsObject()) {
      Napi::Object object = background.As<Napi::Object>();
      BackgroundConfig config;
      config.interval_ns = to_u64(env, object.Get("intervalNs"), "background.intervalNs");
      config.clear_bytes = to_u64(env, object.Get("clearBytes"), "background.clearBytes");
      update.background = std::optional<BackgroundConfig>{config};
    } else {
      throw_invalid_arg(env, "background", "null or an object");
    }
  }
  return update;
}

Napi::Object from_config(Napi::Env env, const Config& config) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("enabled", Napi::Boolean::New(env, config.enabled));
  out.Set("eagerReturn", Napi::Boolean::New(env, config.eager_return));
  out.Set("growthDampener", number(env, config.growth_dampener));
  out.Set("localBufferBytes", number(env, config.local_buffer_bytes));
  if (config.background) {
    Napi::Object background = Napi::Object::New(env);
    background.Set("intervalNs", number(env, config.background->interval_ns));
    background.Set("clearBytes", number(env, config.background->clear_bytes));
    out.Set("background", background);
  } else {
    out.Set("background", env.Null());
  }
  out.Set("maxAreaBytes", number(env, config.max_area_bytes));
  out.Set("memoryLimitBytes", number(env, config.memory_limit_bytes));
  return out;
}

Napi::Object from_stats(Napi::Env env, const Stats& stats) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Array classes = Napi::Array::New(env, kSizeClassCount);
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    const SizeClassStats& s = stats.size_classes[i];
    Napi::Object c = Napi::Object::New(env);
    c.Set("regionBytes", number(env, s.region_bytes));
    c.Set("areas", number(env, s.areas));
    c.Set("areaTotalBytes", number(env, s.area_total_bytes));
    c.Set("freeRegions", number(env, s.free_regions));
    c.Set("cleanRegions", number(env, s.clean_regions));
    c.Set("globalRegions", number(env, s.global_regions));
    c.Set("threadRegions", number(env, s.thread_regions));
    c.Set("allocations", number(env, s.allocations));
    c.Set("slowPath", number(env, s.slow_path));
    c.Set("refill", number(env, s.refill));
    c.Set("deallocations", number(env, s.deallocations));
    c.Set("clearEagerTotal", number(env, s.clear_eager_total));
    c.Set("clearSlowTotal", number(env, s.clear_slow_total));
    c.Set("trimmedAreas", number(env, s.trimmed_areas));
    c.Set("madviseFailures", number(env, s.madvise_failures));
    classes.Set(i, c);
  }
  out.Set("sizeClasses", classes);
  out.Set("mappedBytes", number(env, stats.mapped_bytes));
  out.Set("memoryLimitBytes", number(env, stats.memory_limit_bytes));
  out.Set("mmapFailures", number(env, stats.mmap_failures));
  out.Set("backgroundPasses", number(env, stats.background_passes));
  out.Set("movedBytes", number(env, stats.moved_bytes));
  out.Set("copiedBytes", number(env, stats.copied_bytes));
  out.Set("lastOsErrno", Napi::Number::New(env, stats.last_os_errno));
  out.Set("hugePageAdviceFailed", Napi::Boolean::New(env, stats.hugepage_advice_failed));
  return out;
}

}  // namespace lgalloc::node
