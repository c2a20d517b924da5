// Per-environment state of the addon (the main thread and each worker thread has one):
// the JS error factory handed over by `init`, and whether this is the main thread.
//
// Errors: JS owns the classes. Every error the binding raises goes through
// `throw_lgalloc_error`, which calls the factory with a stable code, a message and details.
#pragma once

#include <napi.h>

#include <string>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

struct EnvData {
  Napi::FunctionReference create_error;
  bool main_thread = false;
  /// A Float64Array(4) owned by JS for the metadata of a new region.
  Napi::Reference<Napi::Float64Array> out_ref;
  double* out = nullptr;
};

EnvData& env_data(Napi::Env env);

/// Throws the JS error for `code` (e.g. "ERR_LGALLOC_DISPOSED") with `message`.
/// `details` may carry errno, syscall, size and limit.
[[noreturn]] void throw_lgalloc_error(Napi::Env env, const char* code, const std::string& message,
                                      Napi::Object details = Napi::Object());

/// Throws the JS error for a failed core call.
[[noreturn]] void throw_status(Napi::Env env, Status status, const ErrorDetail& detail,
                               const char* operation);

/// A TypeError for a binding argument of the wrong type. The public JS API validates
/// first, so this only fires when the binding is called directly.
[[noreturn]] void throw_invalid_arg(Napi::Env env, const char* name, const char* expected);

}  // namespace lgalloc::node
