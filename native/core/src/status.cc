// Names of status codes and the invariant-failure report.
#include <cstdio>
#include <cstdlib>

#include "assert.h"
#include "lgalloc/lgalloc.h"

namespace lgalloc {

const char* status_name(Status status) noexcept {
  switch (status) {
    case Status::kOk:
      return "Ok";
    case Status::kInvalidSizeClass:
      return "InvalidSizeClass";
    case Status::kDisabled:
      return "Disabled";
    case Status::kOutOfMemory:
      return "OutOfMemory";
    case Status::kInvalidHandle:
      return "InvalidHandle";
    case Status::kOutOfBounds:
      return "OutOfBounds";
    case Status::kOsError:
      return "OsError";
    case Status::kInvalidArgument:
      return "InvalidArgument";
  }
  return "Unknown";
}

namespace detail {
void assert_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "lgalloc: invariant violated: %s (%s:%d)\n", condition, file, line);
  std::abort();
}
}  // namespace detail

}  // namespace lgalloc
