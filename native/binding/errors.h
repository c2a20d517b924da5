// The JS errors the binding raises. JS owns the classes: every error goes through the
// copy's `createError` factory with a stable code, a message and details. When the
// factory cannot be called (the environment is terminating), nothing is thrown and the
// call unwinds to `guarded` (js.h), which returns to JS without calling into it again.
#pragma once

#include <node_api.h>

#include <string>

#include "env_data.h"
#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

/// Throws the JS error for `code` (e.g. "ERR_LGALLOC_DISPOSED") with `message`.
/// `details` (may be null) carries errno, syscall, size and limit.
[[noreturn]] void throw_lgalloc_error(napi_env env, const Context& context, const char* code,
                                      const std::string& message, napi_value details = nullptr);

/// Throws the JS error for a failed core call. `extra` is appended to the message.
[[noreturn]] void throw_status(napi_env env, const Context& context, Status status,
                               const ErrorDetail& detail, const char* operation,
                               const std::string& extra = {});

/// A TypeError for a binding argument of the wrong type. The public JS API validates
/// first, so this only fires when the binding is called directly.
[[noreturn]] void throw_invalid_arg(napi_env env, const char* name, const char* expected);

}  // namespace lgalloc::node
