// Entry point of the lgalloc Node.js addon (build/Release/lgalloc.node): the functions JS
// calls. Glue only: check arguments, convert, call the core, raise the JS error for a
// status. The allocator is the core's process-wide one, shared by every worker thread, so
// a region can move between threads.
//
// The module exports `version` and `init`; `init` returns the other functions, bound to a
// context of their own (env_data.h), so that every copy of the package that loads this
// file keeps its own error classes and metadata array (issue 7, item 2). Every function
// runs inside `guarded` (js.h): no C++ exception leaves it, and in an environment that is
// terminating it returns without calling into JS (item 1).
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
#include <node_api.h>
#include <v8.h>

#include <algorithm>
#include <mutex>

#include "binding_counters.h"
#include "convert.h"
#include "env_data.h"
#include "errors.h"
#include "handle_table.h"
#include "js.h"
#include "lgalloc/lgalloc.h"
#include "lgalloc/version.h"
#include "memory_pressure.h"
#include "region_accounting.h"
#include "token_table.h"

// Version of this binding (the npm package @lgalloc/core), kept in step with its
// package.json.
#define LGALLOC_NODE_VERSION "0.1.0"

namespace lgalloc::node {

BindingCounters& binding_counters() noexcept {
  static BindingCounters* const counters = new BindingCounters();  // never destroyed
  return *counters;
}

namespace {

Allocator& allocator() noexcept { return Allocator::process_default(); }

const Context& context_of(const Args& args) { return *static_cast<const Context*>(args.data); }

void* encode(Handle handle) noexcept {
  return reinterpret_cast<void*>(std::uintptr_t{handle.generation} << 32 | handle.index);
}
Handle decode(void* data) noexcept {
  const auto bits = reinterpret_cast<std::uintptr_t>(data);
  return Handle{static_cast<std::uint32_t>(bits), static_cast<std::uint32_t>(bits >> 32)};
}

// The backing store's deleter: runs exactly once per buffer, on detach or after garbage
// collection, often on a V8 platform thread, which gets no thread cache (the core frees
// to the global pool from threads that never allocated). Allocates nothing.
void release_backing_store(void* /*data*/, std::size_t /*length*/, void* deleter_data) noexcept {
  Region region;
  std::uint64_t account = 0;
  // The table counts the release (collected or disposed) as it closes the entry.
  const HandleState state = handle_table().close(decode(deleter_data), &region, &account);
  // Collected: V8 stopped counting the buffer (a detach is accounted by whoever detached).
  if (state == HandleState::kLive) account_buffer_collected(account, region.capacity);
  switch (state) {
    case HandleState::kLive:
    case HandleState::kDisposing:
      allocator().deallocate(region);
      return;
    case HandleState::kTransferred:
    case HandleState::kFree:
      return;
  }
}

void count_token_released(const Region& region) noexcept {
  BindingCounters& counters = binding_counters();
  counters.pending_transfers.fetch_sub(1, std::memory_order_relaxed);
  counters.pending_transfer_bytes.fetch_sub(region.capacity, std::memory_order_relaxed);
  counters.released_tokens.fetch_add(1, std::memory_order_relaxed);
}

// The deleter of a token's anchor: the token died unadopted (dropped, or its receiving
// environment went away), so its region goes back to the pool. Allocates nothing.
void release_anchor(void* /*data*/, std::size_t /*length*/, void* deleter_data) noexcept {
  const auto serial = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(deleter_data));
  if (std::optional<Region> region = token_table().take_serial(serial)) {
    allocator().deallocate(*region);
    count_token_released(*region);
  }
}

// The buffer over a region this thread now owns; writes [index, generation, knownZero,
// sizeClassIndex] into the context's out array, which saves building a JS array per call.
// On error the region goes back to the pool.
napi_value wrap_region(napi_env env, const Context& context, const Region& region) {
  const std::optional<Handle> handle = handle_table().open(region, context.accounting->id());
  if (!handle) {
    allocator().deallocate(region);
    throw_lgalloc_error(env, context, "ERR_LGALLOC_OUT_OF_MEMORY",
                        "Out of memory: " + std::to_string(HandleTable::kCapacity) +
                            " regions are live in JS, the most the binding can track");
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::shared_ptr<v8::BackingStore> store = v8::ArrayBuffer::NewBackingStore(
      region.ptr, region.capacity, release_backing_store, encode(*handle));
  v8::Local<v8::ArrayBuffer> buffer = v8::ArrayBuffer::New(isolate, std::move(store));
  context.accounting->buffer_made(region.capacity);
  double* out = context.out;
  out[0] = handle->index;
  out[1] = handle->generation;
  out[2] = region.known_zero ? 1 : 0;
  out[3] = region.size_class_index;
  return from_v8(buffer);
}

Handle to_handle(napi_env env, const Args& args) {
  const std::uint64_t index = to_u64(env, args[0], "handle.index");
  const std::uint64_t generation = to_u64(env, args[1], "handle.generation");
  if (index > UINT32_MAX || generation > UINT32_MAX)
    throw_invalid_arg(env, "handle", "a region handle");
  return Handle{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(generation)};
}

// The live region's own buffer. A live region's buffer is never detached (only dispose and
// transfer detach, after claiming), so a detached or foreign buffer is a caller's mistake.
v8::Local<v8::ArrayBuffer> own_buffer(napi_env env, const Region& region, napi_value value) {
  if (!js_is_array_buffer(env, value)) throw_invalid_arg(env, "buffer", "an ArrayBuffer");
  v8::Local<v8::ArrayBuffer> buffer = to_v8(value).As<v8::ArrayBuffer>();
  if (buffer->WasDetached() || buffer->Data() != region.ptr ||
      buffer->ByteLength() != region.capacity) {
    throw_invalid_arg(env, "buffer", "the region's own ArrayBuffer");
  }
  return buffer;
}

[[noreturn]] void throw_disposed(napi_env env, const Context& context, const char* operation) {
  throw_lgalloc_error(env, context, "ERR_LGALLOC_DISPOSED",
                      std::string(operation) + ": the region was disposed or transferred");
}

// Moving the memory to another owner (or its pages to another region) is only safe if
// nothing but this buffer holds it: native code keeping the backing store would still be
// reading or writing after the move.
void throw_if_busy(napi_env env, const Context& context, v8::Local<v8::ArrayBuffer> buffer,
                   const char* operation) {
  std::shared_ptr<v8::BackingStore> store = buffer->GetBackingStore();
  if (store.use_count() > 2) {
    throw_lgalloc_error(env, context, "ERR_LGALLOC_BUSY",
                        std::string(operation) + ": native code still holds the region's memory");
  }
}

// kLive -> kDisposing, then detaches `buffer`: every view becomes empty, and the deleter
// runs now (or when native code holding the backing store lets go, and until then the
// bytes count as waiting for release) and returns the region.
bool release(const Context& context, Handle handle, v8::Local<v8::ArrayBuffer> buffer) noexcept {
  if (!handle_table().claim(handle, HandleState::kDisposing)) return false;
  const std::size_t bytes = buffer->ByteLength();
  buffer->Detach();
  context.accounting->buffer_detached(bytes);
  handle_table().note_release_pending(handle);
  return true;
}

Status allocate_or_report(std::size_t size, Region* region, ErrorDetail* detail,
                          std::string* report) {
  return allocate_collecting(size, region, detail, report);
}

// allocate(byteLength) -> ArrayBuffer (and the out array, see wrap_region)
napi_value Allocate(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  const std::uint64_t size = to_u64(env, args[0], "byteLength");
  Region region;
  ErrorDetail detail;
  std::string report;
  const Status status =
      allocate_or_report(static_cast<std::size_t>(size), &region, &detail, &report);
  if (status != Status::kOk) throw_status(env, context, status, detail, "allocate", report);
  return wrap_region(env, context, region);
}

// dispose(index, generation, buffer) -> true if this call released the region.
napi_value Dispose(napi_env env, const Args& args) {
  const Handle handle = to_handle(env, args);
  const std::optional<Region> region = handle_table().live(handle);
  if (!region) return js_bool(env, false);
  v8::Local<v8::ArrayBuffer> buffer = own_buffer(env, *region, args[2]);
  return js_bool(env, release(context_of(args), handle, buffer));
}

// reallocate(index, generation, buffer, byteLength) -> the ArrayBuffer of a new region
// holding the first min(capacities) bytes of the old one, whose buffer is detached and
// region returned. The out array carries the new region's knownZero as allocated. On any
// error the old region is untouched.
napi_value Reallocate(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  const Handle handle = to_handle(env, args);
  const std::uint64_t size = to_u64(env, args[3], "byteLength");
  const std::optional<Region> live = handle_table().live(handle);
  if (!live) throw_disposed(env, context, "reallocate");
  v8::Local<v8::ArrayBuffer> buffer = own_buffer(env, *live, args[2]);
  throw_if_busy(env, context, buffer, "reallocate");
  const Region old = *live;
  Region fresh;
  ErrorDetail detail;
  std::string report;
  Status status = allocate_or_report(static_cast<std::size_t>(size), &fresh, &detail, &report);
  if (status != Status::kOk) throw_status(env, context, status, detail, "reallocate", report);
  const std::size_t kept = std::min(old.capacity, fresh.capacity);
  status = allocator().move_contents(old, fresh, kept, &detail);
  // Both were checked live above and no JS ran since (a forced collection runs no JS and
  // cannot collect the old buffer, which the caller holds), so neither step can fail; if
  // one did, the new region goes back and the old one stays as it is.
  if (status != Status::kOk) {
    allocator().deallocate(fresh);
    throw_status(env, context, status, detail, "reallocate");
  }
  if (!release(context, handle, buffer)) {
    allocator().deallocate(fresh);
    throw_disposed(env, context, "reallocate");
  }
  return wrap_region(env, context, fresh);
}

// prefetch(index, generation, byteOffset, byteLength)
napi_value Prefetch(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  const Handle handle = to_handle(env, args);
  const std::uint64_t offset = to_u64(env, args[2], "byteOffset");
  const std::uint64_t length = to_u64(env, args[3], "byteLength");
  const std::optional<Region> region = handle_table().live(handle);
  if (!region) throw_disposed(env, context, "prefetch");
  ErrorDetail detail;
  const Status status = allocator().prefetch(*region, offset, length, &detail);
  if (status == Status::kInvalidHandle) throw_disposed(env, context, "prefetch");
  if (status != Status::kOk) throw_status(env, context, status, detail, "prefetch");
  return js_undefined(env);
}

// transfer(index, generation, buffer) -> [token id, anchor ArrayBuffer]
napi_value Transfer(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  const Handle handle = to_handle(env, args);
  const std::optional<Region> live = handle_table().live(handle);
  if (!live) throw_disposed(env, context, "transfer");
  v8::Local<v8::ArrayBuffer> buffer = own_buffer(env, *live, args[2]);
  throw_if_busy(env, context, buffer, "transfer");
  Region region = *live;
  // The receiver cannot know what the sender wrote.
  region.known_zero = false;
  // Parked before the claim: if parking fails (no memory, no entropy), nothing changed.
  const TokenTable::Parked parked = token_table().park(region);
  if (!handle_table().claim(handle, HandleState::kTransferred)) {
    token_table().take(parked.id);
    throw_disposed(env, context, "transfer");
  }
  buffer->Detach();
  context.accounting->buffer_detached(region.capacity);
  BindingCounters& counters = binding_counters();
  counters.transferred.fetch_add(1, std::memory_order_relaxed);
  counters.pending_transfers.fetch_add(1, std::memory_order_relaxed);
  counters.pending_transfer_bytes.fetch_add(region.capacity, std::memory_order_relaxed);

  // The anchor travels in the token's transferList: posted with it, it moves to the
  // receiving environment, and when it dies unadopted there (or here, if the token is
  // dropped) its deleter reclaims the region.
  static char anchor_byte;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::shared_ptr<v8::BackingStore> anchor_store = v8::ArrayBuffer::NewBackingStore(
      &anchor_byte, 0, release_anchor,
      reinterpret_cast<void*>(static_cast<std::uintptr_t>(parked.serial)));
  v8::Local<v8::ArrayBuffer> anchor = v8::ArrayBuffer::New(isolate, std::move(anchor_store));
  napi_value result;
  check(napi_create_array_with_length(env, 2, &result));
  check(napi_set_element(env, result, 0, js_string(env, parked.id)));
  check(napi_set_element(env, result, 1, from_v8(anchor)));
  return result;
}

std::optional<Region> take_token(napi_env env, const Context& context, napi_value value) {
  if (js_type(env, value) != napi_string) throw_invalid_arg(env, "token.id", "of type string");
  const std::string id = js_utf8(env, value);
  if (!TokenTable::well_formed(id)) {
    throw_lgalloc_error(env, context, "ERR_LGALLOC_INVALID_TOKEN",
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
napi_value Adopt(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  std::optional<Region> region = take_token(env, context, args[0]);
  if (!region) {
    throw_lgalloc_error(env, context, "ERR_LGALLOC_INVALID_TOKEN",
                        "The token is unknown or was already adopted or released");
  }
  binding_counters().adopted.fetch_add(1, std::memory_order_relaxed);
  return wrap_region(env, context, *region);
}

// releaseToken(id) -> true if the token was pending and its region went back to the pool.
napi_value ReleaseToken(napi_env env, const Args& args) {
  std::optional<Region> region = take_token(env, context_of(args), args[0]);
  if (!region) return js_bool(env, false);
  allocator().deallocate(*region);
  binding_counters().released_tokens.fetch_add(1, std::memory_order_relaxed);
  return js_bool(env, true);
}

[[noreturn]] void throw_worker_start_failed(napi_env env, const Context& context, int os_errno,
                                            const char* operation) {
  napi_value details = js_object(env);
  js_set(env, details, "errno", js_number(env, os_errno));
  js_set(env, details, "syscall", js_string(env, "pthread_create"));
  throw_lgalloc_error(
      env, context, "ERR_LGALLOC_OS_ERROR",
      std::string(operation) + ": the background worker thread could not be started", details);
}

napi_value Configure(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  const ConfigUpdate update = to_config_update(env, args[0]);
  ErrorDetail detail;
  const Status status = allocator().configure(update, &detail);
  if (status == Status::kOsError)
    throw_worker_start_failed(env, context, detail.os_errno, "configure");
  if (status != Status::kOk) throw_status(env, context, status, detail, "configure");
  return js_undefined(env);
}

napi_value GetConfig(napi_env env, const Args& /*args*/) {
  return from_config(env, allocator().config());
}

napi_value GetStats(napi_env env, const Args& args) {
  context_of(args).accounting->settle();
  Stats stats;
  allocator().stats(&stats);
  napi_value out = from_stats(env, stats);
  const BindingCounters& c = binding_counters();
  const auto number = [&](const std::atomic<std::uint64_t>& value) {
    return js_number(env, static_cast<double>(value.load(std::memory_order_relaxed)));
  };
  const HandleCounts held = handle_table().counts();
  const auto count = [&](std::uint64_t value) {
    return js_number(env, static_cast<double>(value));
  };
  napi_value js = js_object(env);
  js_set(env, js, "liveRegions", count(held.live_regions));
  js_set(env, js, "liveBytes", count(held.live_bytes));
  js_set(env, js, "disposed", count(held.disposed));
  js_set(env, js, "collected", count(held.collected));
  js_set(env, js, "transferred", number(c.transferred));
  js_set(env, js, "adopted", number(c.adopted));
  js_set(env, js, "pendingTransfers", number(c.pending_transfers));
  js_set(env, js, "pendingTransferBytes", number(c.pending_transfer_bytes));
  js_set(env, js, "releasedTokens", number(c.released_tokens));
  js_set(env, js, "forcedCollections", number(c.forced_collections));
  // V8's count of this isolate's external memory, which leaves region buffers out
  // (region_accounting.h); for the tests.
  js_set(env, js, "v8ExternalMemory",
         js_number(env, static_cast<double>(
                            v8::Isolate::GetCurrent()->AdjustAmountOfExternalAllocatedMemory(0))));
  js_set(env, out, "js", js);
  return out;
}

napi_value Trim(napi_env env, const Args& args) {
  const Context& context = context_of(args);
  TrimResult result;
  const Status status = allocator().trim(&result);
  if (status == Status::kOutOfMemory) {
    throw_lgalloc_error(env, context, "ERR_LGALLOC_OUT_OF_MEMORY",
                        "Out of memory: trim could not allocate its bookkeeping; nothing changed");
  }
  if (status != Status::kOk) {
    Stats stats;
    allocator().stats(&stats);
    napi_value details = js_object(env);
    js_set(env, details, "errno", js_number(env, stats.last_os_errno));
    js_set(env, details, "syscall", js_string(env, "munmap"));
    throw_lgalloc_error(env, context, "ERR_LGALLOC_OS_ERROR",
                        "trim: an area could not be unmapped; it stays in the pool", details);
  }
  napi_value out = js_object(env);
  js_set(env, out, "areasUnmapped", js_number(env, static_cast<double>(result.areas_unmapped)));
  js_set(env, out, "bytesUnmapped", js_number(env, static_cast<double>(result.bytes_unmapped)));
  return out;
}

// areas() -> [{ base, bytes, sizeClassIndex }]; addresses fit a double exactly (user space
// is below 2^47).
napi_value Areas(napi_env env, const Args& /*args*/) {
  const std::vector<AreaInfo> areas = allocator().areas();
  napi_value out;
  check(napi_create_array_with_length(env, areas.size(), &out));
  for (std::size_t i = 0; i < areas.size(); ++i) {
    napi_value area = js_object(env);
    js_set(env, area, "base",
           js_number(env, static_cast<double>(reinterpret_cast<std::uintptr_t>(areas[i].base))));
    js_set(env, area, "bytes", js_number(env, static_cast<double>(areas[i].bytes)));
    js_set(env, area, "sizeClassIndex", js_number(env, areas[i].size_class_index));
    check(napi_set_element(env, out, static_cast<std::uint32_t>(i), area));
  }
  return out;
}

napi_value FlushThreadCache(napi_env env, const Args& /*args*/) {
  allocator().flush_thread_cache();
  return js_undefined(env);
}

// version(): string, e.g. "lgalloc-node 0.1.0 (core 0.7.0-node.1)".
napi_value Version(napi_env env, const Args& /*args*/) {
  return js_string(env, "lgalloc-node " LGALLOC_NODE_VERSION " (core " LGALLOC_CORE_VERSION ")");
}

void add_function(napi_env env, napi_value object, const char* name, napi_callback callback,
                  void* data) {
  napi_value function;
  check(napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, data, &function));
  js_set(env, object, name, function);
}

// A natural exit of the main thread ends the process: give back regions that were
// transferred but never adopted.
void release_pending_tokens(void* /*arg*/) {
  try {
    for (const Region& region : token_table().take_all()) {
      allocator().deallocate(region);
      count_token_released(region);
    }
  } catch (...) {
    // No memory for the list: the process is ending and the kernel takes the regions.
  }
}

// init(createError, isMainThread, defaults)
//   -> { externalBuffers, appliedDefaults, out: Float64Array(4), functions: {...} }
napi_value Init(napi_env env, const Args& args) {
  if (js_type(env, args[0]) != napi_function) throw_invalid_arg(env, "createError", "a function");
  if (js_type(env, args[1]) != napi_boolean) {
    throw_invalid_arg(env, "isMainThread", "of type boolean");
  }
  const bool main_thread = js_bool_value(env, args[1]);
  const ConfigUpdate defaults = to_config_update(env, args[2]);

  EnvData& data = env_data(env);
  data.contexts.reserve(data.contexts.size() + 1);
  auto context = std::make_unique<Context>();
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  data.accounting.start(isolate);
  context->accounting = &data.accounting;
  context->out_store = v8::ArrayBuffer::NewBackingStore(isolate, 4 * sizeof(double));
  context->out = static_cast<double*>(context->out_store->Data());
  napi_value out;
  {
    v8::Local<v8::ArrayBuffer> buffer = v8::ArrayBuffer::New(isolate, context->out_store);
    out = from_v8(v8::Float64Array::New(buffer, 0, 4));
  }
  napi_value functions = js_object(env);
  void* const bound = context.get();
  add_function(env, functions, "allocate", guarded<Allocate>, bound);
  add_function(env, functions, "dispose", guarded<Dispose>, bound);
  add_function(env, functions, "prefetch", guarded<Prefetch>, bound);
  add_function(env, functions, "reallocate", guarded<Reallocate>, bound);
  add_function(env, functions, "transfer", guarded<Transfer>, bound);
  add_function(env, functions, "adopt", guarded<Adopt>, bound);
  add_function(env, functions, "releaseToken", guarded<ReleaseToken>, bound);
  add_function(env, functions, "configure", guarded<Configure>, bound);
  add_function(env, functions, "config", guarded<GetConfig>, bound);
  add_function(env, functions, "stats", guarded<GetStats>, bound);
  add_function(env, functions, "trim", guarded<Trim>, bound);
  add_function(env, functions, "areas", guarded<Areas>, bound);
  add_function(env, functions, "flushThreadCache", guarded<FlushThreadCache>, bound);
  check(napi_create_reference(env, args[0], 1, &context->create_error));
  data.contexts.push_back(std::move(context));  // capacity reserved above

  if (main_thread && !data.exit_hook_added) {
    // The argument tells apart the hooks of two loads of the addon into one environment,
    // which Node refuses to register twice.
    check(napi_add_env_cleanup_hook(env, release_pending_tokens, &data));
    data.exit_hook_added = true;
  }

  // The process-wide allocator takes the JS defaults once, from whichever thread loads the
  // package first; later loads (workers, other copies) must not undo a user's configure().
  // A background worker that cannot start is reported as defaults not applied.
  static std::once_flag defaults_once;
  bool applied = false;
  std::call_once(defaults_once, [&] { applied = allocator().configure(defaults) == Status::kOk; });

  // Runtimes built with the V8 sandbox refuse buffers over outside memory.
  static char probe[8];
  napi_value ignored = nullptr;
  const bool external = napi_create_external_arraybuffer(env, probe, sizeof(probe), nullptr,
                                                         nullptr, &ignored) == napi_ok;

  napi_value result = js_object(env);
  js_set(env, result, "externalBuffers", js_bool(env, external));
  js_set(env, result, "appliedDefaults", js_bool(env, applied));
  js_set(env, result, "out", out);
  js_set(env, result, "functions", functions);
  return result;
}

napi_value InitModule(napi_env env, napi_value exports) {
  try {
    add_function(env, exports, "init", guarded<Init>, nullptr);
    add_function(env, exports, "version", guarded<Version>, nullptr);
  } catch (...) {
    return nullptr;
  }
  return exports;
}

}  // namespace
}  // namespace lgalloc::node

// A context-aware Node-API module: it loads in worker threads too, each environment
// calling the init function once.
NAPI_MODULE_INIT() { return lgalloc::node::InitModule(env, exports); }
