// Entry point of the lgalloc Node.js addon (build/Release/lgalloc.node): the functions JS
// calls. Glue only: check arguments, convert, call the core, raise the JS error for a
// status. The allocator is the core's process-wide one, shared by every worker thread, so
// a region can move between threads; each environment has its own instance data.
//
// A region reaches JS as a pair: an External handle (type-tagged, so no other External can
// pass for one) and an external ArrayBuffer over the region's memory. Both point at one
// RegionRecord, which makes the release happen exactly once, whichever comes first:
// dispose() (detaches the buffer, so every view becomes empty), transfer() (detaches and
// parks the region for another thread), or the buffer's garbage collection.
#include <napi.h>

#include <mutex>

#include "binding_counters.h"
#include "convert.h"
#include "env_data.h"
#include "lgalloc/lgalloc.h"
#include "lgalloc/version.h"
#include "region_record.h"
#include "token_table.h"

// Version of this binding (the npm package @lgalloc/core), kept in step with its
// package.json.
#define LGALLOC_NODE_VERSION "0.1.0"

namespace lgalloc::node {

BindingCounters& binding_counters() {
  static BindingCounters* const counters = new BindingCounters();  // never destroyed
  return *counters;
}

namespace {

// Marks Externals made by this addon as region handles (napi_type_tag_object).
constexpr napi_type_tag kRegionHandleTag = {0x6c67616c6c6f6331ULL, 0x9f3c2a1b5e7d4c01ULL};

Allocator& allocator() { return Allocator::process_default(); }

void check_napi(Napi::Env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

// The garbage-collection release: the buffer is unreachable, so no view can see the
// memory any more.
void finalize_buffer(napi_env /*env*/, void* /*data*/, void* hint) {
  auto* record = static_cast<RegionRecord*>(hint);
  if (record->claim(RegionRecord::State::kReleased)) {
    allocator().deallocate(record->region());
    binding_counters().collected.fetch_add(1, std::memory_order_relaxed);
    binding_counters().region_closed(record->region().capacity);
  }
  record->unref();
}

// [handle, buffer, knownZero, sizeClassIndex] for a region this thread now owns.
Napi::Value wrap_region(Napi::Env env, const Region& region) {
  auto* record = new RegionRecord(region);
  auto handle = Napi::External<RegionRecord>::New(
      env, record, [](Napi::Env, RegionRecord* r) { r->unref(); });
  handle.TypeTag(&kRegionHandleTag);

  napi_value buffer = nullptr;
  const napi_status status = napi_create_external_arraybuffer(
      env, region.ptr, region.capacity, finalize_buffer, record, &buffer);
  if (status != napi_ok) {
    // No buffer, so no finalizer will release the region: do it here.
    record->claim(RegionRecord::State::kReleased);
    allocator().deallocate(region);
    record->unref();
    check_napi(env, status);
  }
  binding_counters().region_opened(region.capacity);

  Napi::Array result = Napi::Array::New(env, 4);
  result.Set(0u, handle);
  result.Set(1u, Napi::Value(env, buffer));
  result.Set(2u, Napi::Boolean::New(env, region.known_zero));
  result.Set(3u, Napi::Number::New(env, region.size_class_index));
  return result;
}

RegionRecord* unwrap_handle(Napi::Env env, Napi::Value value) {
  if (!value.IsExternal()) throw_invalid_arg(env, "handle", "a region handle");
  auto handle = value.As<Napi::External<RegionRecord>>();
  if (!handle.CheckTypeTag(&kRegionHandleTag)) throw_invalid_arg(env, "handle", "a region handle");
  return handle.Data();
}

// The live region's own buffer. A live region's buffer is never detached (only dispose and
// transfer detach, after claiming), so a detached or foreign buffer is a caller's mistake.
Napi::ArrayBuffer own_buffer(Napi::Env env, const RegionRecord& record, Napi::Value value) {
  if (!value.IsArrayBuffer()) throw_invalid_arg(env, "buffer", "an ArrayBuffer");
  auto buffer = value.As<Napi::ArrayBuffer>();
  if (buffer.IsDetached() || buffer.Data() != record.region().ptr ||
      buffer.ByteLength() != record.region().capacity) {
    throw_invalid_arg(env, "buffer", "the region's own ArrayBuffer");
  }
  return buffer;
}

[[noreturn]] void throw_disposed(Napi::Env env, const char* operation) {
  throw_lgalloc_error(env, "ERR_LGALLOC_DISPOSED",
                      std::string(operation) + ": the region was disposed or transferred");
}

// init(createError, isMainThread, defaults) -> { externalBuffers, appliedDefaults }
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw_invalid_arg(env, "createError", "a function");
  if (!info[1].IsBoolean()) throw_invalid_arg(env, "isMainThread", "of type boolean");
  EnvData& data = env_data(env);
  data.create_error = Napi::Persistent(info[0].As<Napi::Function>());
  data.main_thread = info[1].As<Napi::Boolean>().Value();

  // The process-wide allocator takes the JS defaults once, from whichever thread loads the
  // package first; later loads (workers) must not undo a user's configure().
  static std::once_flag defaults_once;
  bool applied = false;
  ConfigUpdate defaults = to_config_update(env, info[2]);
  std::call_once(defaults_once, [&] {
    allocator().configure(defaults);
    applied = true;
  });

  if (data.main_thread) {
    // A natural exit of the main thread ends the process: give back regions that were
    // transferred but never adopted.
    env.AddCleanupHook([] {
      for (const Region& region : token_table().take_all()) {
        allocator().deallocate(region);
        binding_counters().pending_transfers.fetch_sub(1, std::memory_order_relaxed);
        binding_counters().pending_transfer_bytes.fetch_sub(region.capacity,
                                                            std::memory_order_relaxed);
        binding_counters().released_tokens.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }

  // Runtimes built with the V8 sandbox refuse buffers over outside memory.
  static char probe[8];
  napi_value ignored = nullptr;
  const bool external =
      napi_create_external_arraybuffer(env, probe, sizeof(probe), nullptr, nullptr, &ignored) ==
      napi_ok;

  Napi::Object result = Napi::Object::New(env);
  result.Set("externalBuffers", Napi::Boolean::New(env, external));
  result.Set("appliedDefaults", Napi::Boolean::New(env, applied));
  return result;
}

Napi::Value Allocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::uint64_t size = to_u64(env, info[0], "byteLength");
  Region region;
  ErrorDetail detail;
  const Status status = allocator().allocate(static_cast<std::size_t>(size), &region, &detail);
  if (status != Status::kOk) throw_status(env, status, detail, "allocate");
  return wrap_region(env, region);
}

// dispose(handle, buffer) -> true if this call released the region.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RegionRecord* record = unwrap_handle(env, info[0]);
  if (!record->live()) return Napi::Boolean::New(env, false);
  Napi::ArrayBuffer buffer = own_buffer(env, *record, info[1]);
  if (!record->claim(RegionRecord::State::kReleased)) return Napi::Boolean::New(env, false);
  // Detach first: from here on no view can reach the memory, then it may be reused.
  buffer.Detach();
  allocator().deallocate(record->region());
  binding_counters().disposed.fetch_add(1, std::memory_order_relaxed);
  binding_counters().region_closed(record->region().capacity);
  return Napi::Boolean::New(env, true);
}

Napi::Value Prefetch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RegionRecord* record = unwrap_handle(env, info[0]);
  const std::uint64_t offset = to_u64(env, info[1], "byteOffset");
  const std::uint64_t length = to_u64(env, info[2], "byteLength");
  if (!record->live()) throw_disposed(env, "prefetch");
  ErrorDetail detail;
  const Status status = allocator().prefetch(record->region(), offset, length, &detail);
  if (status == Status::kInvalidHandle) throw_disposed(env, "prefetch");
  if (status != Status::kOk) throw_status(env, status, detail, "prefetch");
  return env.Undefined();
}

// transfer(handle, buffer) -> token id
Napi::Value Transfer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RegionRecord* record = unwrap_handle(env, info[0]);
  if (!record->live()) throw_disposed(env, "transfer");
  Napi::ArrayBuffer buffer = own_buffer(env, *record, info[1]);
  if (!record->claim(RegionRecord::State::kTransferred)) throw_disposed(env, "transfer");
  buffer.Detach();
  Region region = record->region();
  // The receiver cannot know what the sender wrote.
  region.known_zero = false;
  const std::string id = token_table().park(region);
  BindingCounters& counters = binding_counters();
  counters.region_closed(region.capacity);
  counters.transferred.fetch_add(1, std::memory_order_relaxed);
  counters.pending_transfers.fetch_add(1, std::memory_order_relaxed);
  counters.pending_transfer_bytes.fetch_add(region.capacity, std::memory_order_relaxed);
  return Napi::String::New(env, id);
}

std::optional<Region> take_token(Napi::Env env, Napi::Value value) {
  if (!value.IsString()) throw_invalid_arg(env, "token.id", "of type string");
  const std::string id = value.As<Napi::String>().Utf8Value();
  if (!TokenTable::well_formed(id)) {
    throw_lgalloc_error(env, "ERR_LGALLOC_INVALID_TOKEN",
                        "The token is malformed: its id must be 32 lowercase hex digits");
  }
  std::optional<Region> region = token_table().take(id);
  if (region) {
    binding_counters().pending_transfers.fetch_sub(1, std::memory_order_relaxed);
    binding_counters().pending_transfer_bytes.fetch_sub(region->capacity, std::memory_order_relaxed);
  }
  return region;
}

// adopt(id) -> [handle, buffer, knownZero, sizeClassIndex]
Napi::Value Adopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::optional<Region> region = take_token(env, info[0]);
  if (!region) {
    throw_lgalloc_error(env, "ERR_LGALLOC_INVALID_TOKEN",
                        "The token is unknown or was already adopted or released");
  }
  binding_counters().adopted.fetch_add(1, std::memory_order_relaxed);
  return wrap_region(env, *region);
}

// releaseToken(id) -> true if the token was pending and its region went back to the pool.
Napi::Value ReleaseToken(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::optional<Region> region = take_token(env, info[0]);
  if (!region) return Napi::Boolean::New(env, false);
  allocator().deallocate(*region);
  binding_counters().released_tokens.fetch_add(1, std::memory_order_relaxed);
  return Napi::Boolean::New(env, true);
}

Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ConfigUpdate update = to_config_update(env, info[0]);
  ErrorDetail detail;
  const Status status = allocator().configure(update, &detail);
  if (status == Status::kOsError) {
    Napi::Object details = Napi::Object::New(env);
    details.Set("errno", Napi::Number::New(env, detail.os_errno));
    details.Set("syscall", Napi::String::New(env, "pthread_create"));
    throw_lgalloc_error(env, "ERR_LGALLOC_OS_ERROR",
                        "configure: the background worker thread could not be started",
                        details);
  }
  if (status != Status::kOk) throw_status(env, status, detail, "configure");
  return env.Undefined();
}

Napi::Value GetConfig(const Napi::CallbackInfo& info) {
  return from_config(info.Env(), allocator().config());
}

Napi::Value GetStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Stats stats;
  allocator().stats(&stats);
  Napi::Object out = from_stats(env, stats);
  const BindingCounters& c = binding_counters();
  const auto number = [&](const std::atomic<std::uint64_t>& value) {
    return Napi::Number::New(env, static_cast<double>(value.load(std::memory_order_relaxed)));
  };
  Napi::Object js = Napi::Object::New(env);
  js.Set("liveRegions", number(c.live_regions));
  js.Set("liveBytes", number(c.live_bytes));
  js.Set("disposed", number(c.disposed));
  js.Set("collected", number(c.collected));
  js.Set("transferred", number(c.transferred));
  js.Set("adopted", number(c.adopted));
  js.Set("pendingTransfers", number(c.pending_transfers));
  js.Set("pendingTransferBytes", number(c.pending_transfer_bytes));
  js.Set("releasedTokens", number(c.released_tokens));
  out.Set("js", js);
  return out;
}

Napi::Value Trim(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TrimResult result;
  if (allocator().trim(&result) != Status::kOk) {
    Stats stats;
    allocator().stats(&stats);
    Napi::Object details = Napi::Object::New(env);
    details.Set("errno", Napi::Number::New(env, stats.last_os_errno));
    details.Set("syscall", Napi::String::New(env, "munmap"));
    throw_lgalloc_error(env, "ERR_LGALLOC_OS_ERROR",
                        "trim: an area could not be unmapped; it stays in the pool", details);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("areasUnmapped", Napi::Number::New(env, static_cast<double>(result.areas_unmapped)));
  out.Set("bytesUnmapped", Napi::Number::New(env, static_cast<double>(result.bytes_unmapped)));
  return out;
}

// areas() -> [{ base, bytes, sizeClassIndex, noreserve }]; addresses fit a double exactly
// (user space is below 2^47).
Napi::Value Areas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<AreaInfo> areas = allocator().areas();
  Napi::Array out = Napi::Array::New(env, areas.size());
  for (std::size_t i = 0; i < areas.size(); ++i) {
    Napi::Object area = Napi::Object::New(env);
    area.Set("base", Napi::Number::New(
                         env, static_cast<double>(reinterpret_cast<std::uintptr_t>(areas[i].base))));
    area.Set("bytes", Napi::Number::New(env, static_cast<double>(areas[i].bytes)));
    area.Set("sizeClassIndex", Napi::Number::New(env, areas[i].size_class_index));
    area.Set("noreserve", Napi::Boolean::New(env, areas[i].noreserve));
    out.Set(static_cast<std::uint32_t>(i), area);
  }
  return out;
}

Napi::Value FlushThreadCache(const Napi::CallbackInfo& info) {
  allocator().flush_thread_cache();
  return info.Env().Undefined();
}

// version(): string, e.g. "lgalloc-node 0.1.0 (core 0.7.0-node.1)".
Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(),
                           "lgalloc-node " LGALLOC_NODE_VERSION " (core " LGALLOC_CORE_VERSION ")");
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  const auto add = [&](const char* name, Napi::Function::Callback callback) {
    exports.Set(name, Napi::Function::New(env, callback, name));
  };
  add("init", Init);
  add("allocate", Allocate);
  add("dispose", Dispose);
  add("prefetch", Prefetch);
  add("transfer", Transfer);
  add("adopt", Adopt);
  add("releaseToken", ReleaseToken);
  add("configure", Configure);
  add("config", GetConfig);
  add("stats", GetStats);
  add("trim", Trim);
  add("areas", Areas);
  add("flushThreadCache", FlushThreadCache);
  add("version", Version);
  return exports;
}

}  // namespace
}  // namespace lgalloc::node

// NODE_API_MODULE registers a context-aware module: it loads in worker threads too, each
// environment calling the init function once. The macro wants an unqualified name.
static Napi::Object InitLgalloc(Napi::Env env, Napi::Object exports) {
  return lgalloc::node::InitModule(env, exports);
}
NODE_API_MODULE(lgalloc, InitLgalloc)
