// Entry point of the lgalloc Node.js addon (build/Release/lgalloc.node): the functions JS
// calls. Glue only: check arguments, convert, call the core, raise the JS error for a
// status. The allocator is the core's process-wide one, shared by every worker thread, so
// a region can move between threads; each environment has its own instance data.
//
// A region reaches JS as an ArrayBuffer over its memory plus a handle (index, generation)
// into the handle table. The buffer owns a V8 backing store whose deleter is the one place
// a region goes back to the pool: dispose() detaches the buffer (every view becomes empty)
// and, unless native code still holds the backing store, the deleter runs right then; a
// buffer that becomes garbage runs it when collected; a transfer marks the handle so the
// deleter leaves the region to the token table.
//
// The buffers are made with V8's backing-store API rather than
// napi_create_external_arraybuffer, which on Node 20 builds a whole Buffer with a weak
// handle and a queued finalizer per call (about 3 µs, measured); the backing store is
// released synchronously on detach and needs no finalizer. Both APIs are refused alike by
// runtimes built with the V8 sandbox, which `init` detects through the N-API call.
#include <napi.h>
#include <v8.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "binding_counters.h"
#include "convert.h"
#include "env_data.h"
#include "handle_table.h"
#include "lgalloc/lgalloc.h"
#include "lgalloc/version.h"
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

Allocator& allocator() { return Allocator::process_default(); }

// napi_value is a v8::Local<v8::Value> in Node's implementation (js_native_api_v8.h).
v8::Local<v8::Value> to_v8(napi_value value) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(value));
  std::memcpy(static_cast<void*>(&local), &value, sizeof(value));
  return local;
}
napi_value from_v8(v8::Local<v8::Value> local) {
  napi_value value;
  std::memcpy(static_cast<void*>(&value), &local, sizeof(local));
  return value;
}

void* encode(Handle handle) {
  return reinterpret_cast<void*>(std::uintptr_t{handle.generation} << 32 | handle.index);
}
Handle decode(void* data) {
  const auto bits = reinterpret_cast<std::uintptr_t>(data);
  return Handle{static_cast<std::uint32_t>(bits), static_cast<std::uint32_t>(bits >> 32)};
}

// The backing store's deleter: runs exactly once per buffer, on detach or after garbage
// collection, possibly on a V8 background thread (the core is thread-safe).
void release_backing_store(void* /*data*/, std::size_t /*length*/, void* deleter_data) {
  Region region;
  BindingCounters& counters = binding_counters();
  switch (handle_table().close(decode(deleter_data), &region)) {
    case HandleState::kLive:
      counters.collected.fetch_add(1, std::memory_order_relaxed);
      break;
    case HandleState::kDisposing:
      counters.disposed.fetch_add(1, std::memory_order_relaxed);
      break;
    case HandleState::kTransferred:
    case HandleState::kFree:
      return;
  }
  counters.region_closed(region.capacity);
  allocator().deallocate(region);
}

// The buffer over a region this thread now owns; writes [index, generation, knownZero,
// sizeClassIndex] into the environment's out array, which saves building a JS array per
// call.
Napi::Value wrap_region(Napi::Env env, const Region& region) {
  if (env_data(env).out == nullptr) {
    allocator().deallocate(region);
    throw_lgalloc_error(env, "ERR_LGALLOC_INVALID_ARGUMENT", "init() must be called first");
  }
  const Handle handle = handle_table().open(region);
  binding_counters().region_opened(region.capacity);
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::shared_ptr<v8::BackingStore> store = v8::ArrayBuffer::NewBackingStore(
      region.ptr, region.capacity, release_backing_store, encode(handle));
  v8::Local<v8::ArrayBuffer> buffer = v8::ArrayBuffer::New(isolate, std::move(store));
  double* out = env_data(env).out;
  out[0] = handle.index;
  out[1] = handle.generation;
  out[2] = region.known_zero ? 1 : 0;
  out[3] = region.size_class_index;
  return Napi::Value(env, from_v8(buffer));
}

Handle to_handle(Napi::Env env, const Napi::CallbackInfo& info) {
  const std::uint64_t index = to_u64(env, info[0], "handle.index");
  const std::uint64_t generation = to_u64(env, info[1], "handle.generation");
  if (index > UINT32_MAX || generation > UINT32_MAX)
    throw_invalid_arg(env, "handle", "a region handle");
  return Handle{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(generation)};
}

// The live region's own buffer. A live region's buffer is never detached (only dispose and
// transfer detach, after claiming), so a detached or foreign buffer is a caller's mistake.
v8::Local<v8::ArrayBuffer> own_buffer(Napi::Env env, const Region& region, Napi::Value value) {
  if (!value.IsArrayBuffer()) throw_invalid_arg(env, "buffer", "an ArrayBuffer");
  v8::Local<v8::ArrayBuffer> buffer = to_v8(value).As<v8::ArrayBuffer>();
  if (buffer->WasDetached() || buffer->Data() != region.ptr ||
      buffer->ByteLength() != region.capacity) {
    throw_invalid_arg(env, "buffer", "the region's own ArrayBuffer");
  }
  return buffer;
}

[[noreturn]] void throw_disposed(Napi::Env env, const char* operation) {
  throw_lgalloc_error(env, "ERR_LGALLOC_DISPOSED",
                      std::string(operation) + ": the region was disposed or transferred");
}

// Moving the memory to another owner (or its pages to another region) is only safe if
// nothing but this buffer holds it: native code keeping the backing store would still be
// reading or writing after the move.
void throw_if_busy(Napi::Env env, v8::Local<v8::ArrayBuffer> buffer, const char* operation) {
  std::shared_ptr<v8::BackingStore> store = buffer->GetBackingStore();
  if (store.use_count() > 2) {
    throw_lgalloc_error(env, "ERR_LGALLOC_BUSY",
                        std::string(operation) + ": native code still holds the region's memory");
  }
}

// init(createError, isMainThread, defaults, out: Float64Array(4))
//   -> { externalBuffers, appliedDefaults }
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw_invalid_arg(env, "createError", "a function");
  if (!info[1].IsBoolean()) throw_invalid_arg(env, "isMainThread", "of type boolean");
  if (!info[3].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[3].As<Napi::TypedArray>().ElementLength() < 4) {
    throw_invalid_arg(env, "out", "a Float64Array of length 4");
  }
  EnvData& data = env_data(env);
  data.create_error = Napi::Persistent(info[0].As<Napi::Function>());
  data.main_thread = info[1].As<Napi::Boolean>().Value();
  Napi::Float64Array out = info[3].As<Napi::Float64Array>();
  data.out_ref = Napi::Persistent(out);
  data.out = out.Data();

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
  const bool external = napi_create_external_arraybuffer(env, probe, sizeof(probe), nullptr,
                                                         nullptr, &ignored) == napi_ok;

  Napi::Object result = Napi::Object::New(env);
  result.Set("externalBuffers", Napi::Boolean::New(env, external));
  result.Set("appliedDefaults", Napi::Boolean::New(env, applied));
  return result;
}

// allocate(byteLength) -> ArrayBuffer (and the out array, see wrap_region)
Napi::Value Allocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::uint64_t size = to_u64(env, info[0], "byteLength");
  Region region;
  ErrorDetail detail;
  const Status status = allocator().allocate(static_cast<std::size_t>(size), &region, &detail);
  if (status != Status::kOk) throw_status(env, status, detail, "allocate");
  return wrap_region(env, region);
}

// dispose(index, generation, buffer) -> true if this call released the region.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Handle handle = to_handle(env, info);
  const Region* region = handle_table().live(handle);
  if (region == nullptr) return Napi::Boolean::New(env, false);
  v8::Local<v8::ArrayBuffer> buffer = own_buffer(env, *region, info[2]);
  if (!handle_table().claim(handle, HandleState::kDisposing)) return Napi::Boolean::New(env, false);
  // Every view becomes empty; the deleter runs now (or when native code holding the
  // backing store lets go) and returns the region.
  buffer->Detach();
  return Napi::Boolean::New(env, true);
}

// reallocate(index, generation, buffer, byteLength) -> the ArrayBuffer of a new region
// holding the first min(capacities) bytes of the old one, whose buffer is detached and
// region returned. The out array carries the new region's knownZero as allocated. On any
// error the old region is untouched.
Napi::Value Reallocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Handle handle = to_handle(env, info);
  const std::uint64_t size = to_u64(env, info[3], "byteLength");
  const Region* live = handle_table().live(handle);
  if (live == nullptr) throw_disposed(env, "reallocate");
  v8::Local<v8::ArrayBuffer> buffer = own_buffer(env, *live, info[2]);
  throw_if_busy(env, buffer, "reallocate");
  const Region old = *live;
  Region fresh;
  ErrorDetail detail;
  Status status = allocator().allocate(static_cast<std::size_t>(size), &fresh, &detail);
  if (status != Status::kOk) throw_status(env, status, detail, "reallocate");
  const std::size_t kept = std::min(old.capacity, fresh.capacity);
  status = allocator().move_contents(old, fresh, kept, &detail);
  // Both were checked live above and no JS ran since, so neither step can fail; if one
  // did, the new region goes back and the old one stays as it is.
  if (status != Status::kOk) {
    allocator().deallocate(fresh);
    throw_status(env, status, detail, "reallocate");
  }
  if (!handle_table().claim(handle, HandleState::kDisposing)) {
    allocator().deallocate(fresh);
    throw_disposed(env, "reallocate");
  }
  buffer->Detach();
  return wrap_region(env, fresh);
}

// prefetch(index, generation, byteOffset, byteLength)
Napi::Value Prefetch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Handle handle = to_handle(env, info);
  const std::uint64_t offset = to_u64(env, info[2], "byteOffset");
  const std::uint64_t length = to_u64(env, info[3], "byteLength");
  const Region* region = handle_table().live(handle);
  if (region == nullptr) throw_disposed(env, "prefetch");
  ErrorDetail detail;
  const Status status = allocator().prefetch(*region, offset, length, &detail);
  if (status == Status::kInvalidHandle) throw_disposed(env, "prefetch");
  if (status != Status::kOk) throw_status(env, status, detail, "prefetch");
  return env.Undefined();
}

// transfer(index, generation, buffer) -> token id
Napi::Value Transfer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Handle handle = to_handle(env, info);
  const Region* live = handle_table().live(handle);
  if (live == nullptr) throw_disposed(env, "transfer");
  v8::Local<v8::ArrayBuffer> buffer = own_buffer(env, *live, info[2]);
  throw_if_busy(env, buffer, "transfer");
  Region region = *live;
  if (!handle_table().claim(handle, HandleState::kTransferred)) throw_disposed(env, "transfer");
  buffer->Detach();
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
    binding_counters().pending_transfer_bytes.fetch_sub(region->capacity,
                                                        std::memory_order_relaxed);
  }
  return region;
}

// adopt(id) -> ArrayBuffer (and the out array)
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
                        "configure: the background worker thread could not be started", details);
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
    area.Set("base", Napi::Number::New(env, static_cast<double>(
                                                reinterpret_cast<std::uintptr_t>(areas[i].base))));
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
  add("reallocate", Reallocate);
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
