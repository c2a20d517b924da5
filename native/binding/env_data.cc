// Per-environment data and the translation of core statuses into JS errors.
#include "env_data.h"

#include <cstring>

namespace lgalloc::node {

EnvData& env_data(Napi::Env env) {
  EnvData* data = env.GetInstanceData<EnvData>();
  if (data == nullptr) {
    data = new EnvData();
    env.SetInstanceData(data);
  }
  return *data;
}

void throw_lgalloc_error(Napi::Env env, const char* code, const std::string& message,
                         Napi::Object details) {
  EnvData& data = env_data(env);
  if (data.create_error.IsEmpty()) {
    Napi::Error error = Napi::Error::New(env, message);
    error.Set("code", Napi::String::New(env, code));
    throw error;
  }
  Napi::Value error =
      data.create_error.Call({Napi::String::New(env, code), Napi::String::New(env, message),
                              details.IsEmpty() ? Napi::Object::New(env) : details});
  throw Napi::Error(env, error);
}

void throw_status(Napi::Env env, Status status, const ErrorDetail& detail, const char* operation) {
  Napi::Object details = Napi::Object::New(env);
  const auto number = [&](std::uint64_t value) {
    return Napi::Number::New(env, static_cast<double>(value));
  };
  switch (status) {
    case Status::kInvalidSizeClass:
      details.Set("size", number(detail.size));
      throw_lgalloc_error(env, "ERR_LGALLOC_INVALID_SIZE",
                          "The value of \"byteLength\" is out of range. It must be >= 2097152 "
                          "(2 MiB) and <= 68719476736 (64 GiB). Received " +
                              std::to_string(detail.size),
                          details);
    case Status::kDisabled:
      throw_lgalloc_error(env, "ERR_LGALLOC_DISABLED",
                          "The allocator is disabled; enable it with configure({ enabled: true })");
    case Status::kOutOfMemory:
      details.Set("size", number(detail.size));
      if (detail.os_errno != 0) {
        details.Set("errno", Napi::Number::New(env, detail.os_errno));
        details.Set("syscall", Napi::String::New(env, "mmap"));
        throw_lgalloc_error(env, "ERR_LGALLOC_OUT_OF_MEMORY",
                            std::string("Out of memory: mmap failed while allocating ") +
                                std::to_string(detail.size) + " bytes (" +
                                std::strerror(detail.os_errno) + ")",
                            details);
      }
      details.Set("limit", number(detail.limit));
      throw_lgalloc_error(env, "ERR_LGALLOC_OUT_OF_MEMORY",
                          "Out of memory: allocating " + std::to_string(detail.size) +
                              " bytes would exceed the memory limit of " +
                              std::to_string(detail.limit) + " bytes",
                          details);
    case Status::kInvalidHandle:
      throw_lgalloc_error(env, "ERR_LGALLOC_INVALID_HANDLE",
                          std::string(operation) + ": the region is not live");
    case Status::kOutOfBounds:
      throw_lgalloc_error(env, "ERR_LGALLOC_OUT_OF_BOUNDS",
                          std::string(operation) + ": the range at byte offset " +
                              std::to_string(detail.offset) + " of length " +
                              std::to_string(detail.length) +
                              " does not fit in the region's capacity of " +
                              std::to_string(detail.capacity) + " bytes");
    case Status::kOsError: {
      details.Set("errno", Napi::Number::New(env, detail.os_errno));
      details.Set("syscall", Napi::String::New(env, "madvise"));
      throw_lgalloc_error(env, "ERR_LGALLOC_OS_ERROR",
                          std::string(operation) + " failed: " + std::strerror(detail.os_errno),
                          details);
    }
    case Status::kInvalidArgument:
    case Status::kOk:
      break;
  }
  throw_lgalloc_error(env, "ERR_LGALLOC_INVALID_ARGUMENT",
                      std::string(operation) + ": invalid value for " +
                          (detail.field != nullptr ? detail.field : "an option"));
}

void throw_invalid_arg(Napi::Env env, const char* name, const char* expected) {
  Napi::TypeError error =
      Napi::TypeError::New(env, std::string("The \"") + name + "\" argument must be " + expected);
  error.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw error;
}

}  // namespace lgalloc::node
