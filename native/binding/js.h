// Checked Node-API calls, and the wrapper every binding function runs in.
//
// The binding calls Node-API directly rather than through node-addon-api: in an
// environment that is terminating (a worker being terminated, process.exit() on the main
// thread) every call that would run JS fails, and node-addon-api turns such a failure into
// a C++ exception whose construction itself calls into JS, which ends in a fatal error or
// std::terminate (issue 7, item 1). Here every failed call throws `JsPending`, which
// `guarded` catches at the boundary and answers by returning to JS at once, having thrown
// nothing more: either a JS exception is already pending, or no JS can run any more.
// `guarded` also catches every other C++ exception (std::bad_alloc, std::system_error),
// which would otherwise reach std::terminate (item 6).
#pragma once

#include <node_api.h>
#include <v8.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <system_error>

namespace lgalloc::node {

/// A Node-API call failed, or a JS exception was thrown on purpose: unwind to `guarded`.
struct JsPending {};

inline void check(napi_status status) {
  if (status != napi_ok) throw JsPending{};
}

napi_value js_number(napi_env env, double value);
napi_value js_bool(napi_env env, bool value);
napi_value js_string(napi_env env, std::string_view text);
napi_value js_object(napi_env env);
napi_value js_undefined(napi_env env);
napi_value js_null(napi_env env);
void js_set(napi_env env, napi_value object, const char* name, napi_value value);
/// The named property, own or inherited (undefined when absent).
napi_value js_get(napi_env env, napi_value object, const char* name);
napi_valuetype js_type(napi_env env, napi_value value);
double js_double_value(napi_env env, napi_value number);
bool js_bool_value(napi_env env, napi_value boolean);
std::string js_utf8(napi_env env, napi_value string);
bool js_is_array_buffer(napi_env env, napi_value value);

/// A binding function's arguments (missing ones are undefined) and its data pointer.
struct Args {
  static constexpr std::size_t kMax = 4;
  napi_value argv[kMax];
  void* data = nullptr;
  napi_value operator[](std::size_t i) const { return argv[i]; }
};
Args js_args(napi_env env, napi_callback_info info);

/// napi_value is a v8::Local<v8::Value> in Node's implementation (js_native_api_v8.h).
inline v8::Local<v8::Value> to_v8(napi_value value) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(value));
  std::memcpy(static_cast<void*>(&local), &value, sizeof(value));
  return local;
}
inline napi_value from_v8(v8::Local<v8::Value> local) {
  napi_value value;
  std::memcpy(static_cast<void*>(&value), &local, sizeof(local));
  return value;
}

/// Throws a plain Error with `code`, if JS can still run; never throws in C++. For the
/// last resort of `guarded`.
void throw_plain_error(napi_env env, const char* code, const char* message) noexcept;

using Callback = napi_value (*)(napi_env env, const Args& args);

template <Callback F>
napi_value guarded(napi_env env, napi_callback_info info) noexcept {
  try {
    return F(env, js_args(env, info));
  } catch (const JsPending&) {
  } catch (const std::bad_alloc&) {
    throw_plain_error(env, "ERR_LGALLOC_OUT_OF_MEMORY",
                      "Out of memory: the lgalloc binding could not allocate its bookkeeping");
  } catch (const std::system_error& error) {
    throw_plain_error(env, "ERR_LGALLOC_OS_ERROR", error.what());
  } catch (...) {
    throw_plain_error(env, "ERR_LGALLOC_OS_ERROR", "lgalloc: unexpected native exception");
  }
  return nullptr;
}

}  // namespace lgalloc::node
