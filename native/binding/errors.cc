// Translation of core statuses into JS errors, built by the copy's JS factory.
#include "errors.h"

#include <cstring>

#include "js.h"

namespace lgalloc::node {

void throw_lgalloc_error(napi_env env, const Context& context, const char* code,
                         const std::string& message, napi_value details) {
  napi_value factory = nullptr;
  if (context.create_error != nullptr) {
    check(napi_get_reference_value(env, context.create_error, &factory));
  }
  if (factory == nullptr) {
    check(napi_throw_error(env, code, message.c_str()));
    throw JsPending{};
  }
  napi_value argv[3] = {js_string(env, code), js_string(env, message),
                        details != nullptr ? details : js_object(env)};
  napi_value global;
  check(napi_get_global(env, &global));
  napi_value error;
  // Fails without running anything in a terminating environment: then nothing is thrown.
  check(napi_call_function(env, global, factory, 3, argv, &error));
  check(napi_throw(env, error));
  throw JsPending{};
}

void throw_status(napi_env env, const Context& context, Status status, const ErrorDetail& detail,
                  const char* operation, const std::string& extra) {
  napi_value details = js_object(env);
  const auto number = [&](std::uint64_t value) {
    return js_number(env, static_cast<double>(value));
  };
  switch (status) {
    case Status::kInvalidSizeClass:
      js_set(env, details, "size", number(detail.size));
      throw_lgalloc_error(env, context, "ERR_LGALLOC_INVALID_SIZE",
                          "The value of \"byteLength\" is out of range. It must be >= 2097152 "
                          "(2 MiB) and <= 68719476736 (64 GiB). Received " +
                              std::to_string(detail.size),
                          details);
    case Status::kDisabled:
      throw_lgalloc_error(env, context, "ERR_LGALLOC_DISABLED",
                          "The allocator is disabled; enable it with configure({ enabled: true })");
    case Status::kOutOfMemory:
      js_set(env, details, "size", number(detail.size));
      if (detail.os_errno != 0) {
        js_set(env, details, "errno", js_number(env, detail.os_errno));
        js_set(env, details, "syscall", js_string(env, "mmap"));
        throw_lgalloc_error(env, context, "ERR_LGALLOC_OUT_OF_MEMORY",
                            std::string("Out of memory: mmap failed while allocating ") +
                                std::to_string(detail.size) + " bytes (" +
                                std::strerror(detail.os_errno) + ")" + extra,
                            details);
      }
      js_set(env, details, "limit", number(detail.limit));
      throw_lgalloc_error(env, context, "ERR_LGALLOC_OUT_OF_MEMORY",
                          "Out of memory: allocating " + std::to_string(detail.size) +
                              " bytes would exceed the memory limit of " +
                              std::to_string(detail.limit) + " bytes" + extra,
                          details);
    case Status::kInvalidHandle:
      throw_lgalloc_error(env, context, "ERR_LGALLOC_INVALID_HANDLE",
                          std::string(operation) + ": the region is not live");
    case Status::kOutOfBounds:
      throw_lgalloc_error(env, context, "ERR_LGALLOC_OUT_OF_BOUNDS",
                          std::string(operation) + ": the range at byte offset " +
                              std::to_string(detail.offset) + " of length " +
                              std::to_string(detail.length) +
                              " does not fit in the region's capacity of " +
                              std::to_string(detail.capacity) + " bytes");
    case Status::kOsError: {
      js_set(env, details, "errno", js_number(env, detail.os_errno));
      js_set(env, details, "syscall", js_string(env, "madvise"));
      throw_lgalloc_error(env, context, "ERR_LGALLOC_OS_ERROR",
                          std::string(operation) + " failed: " + std::strerror(detail.os_errno),
                          details);
    }
    case Status::kInvalidArgument:
    case Status::kOk:
      break;
  }
  throw_lgalloc_error(env, context, "ERR_LGALLOC_INVALID_ARGUMENT",
                      std::string(operation) + ": invalid value for " +
                          (detail.field != nullptr ? detail.field : "an option"));
}

void throw_invalid_arg(napi_env env, const char* name, const char* expected) {
  const std::string message = std::string("The \"") + name + "\" argument must be " + expected;
  check(napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message.c_str()));
  throw JsPending{};
}

}  // namespace lgalloc::node
