// The three allocators under comparison behind one shape, so that every workload is
// written once as a template: `Handle allocate()`, `void deallocate(const Handle&)` and
// `static void* data(const Handle&)`. Each allocates exactly kRegionBytes and treats any
// failure as fatal (see die()).
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common.h"
#include "lgalloc/lgalloc.h"

namespace lgbench {

class LgallocBackend {
 public:
  using Handle = lgalloc::Region;

  explicit LgallocBackend(lgalloc::Allocator& allocator) : allocator_(allocator) {}

  Handle allocate() noexcept {
    Handle region;
    lgalloc::Status status = allocator_.allocate(kRegionBytes, &region);
    if (status != lgalloc::Status::kOk)
      die("lgalloc allocate failed:", lgalloc::status_name(status));
    // A region smaller than asked for would make the touch workload write out of bounds.
    if (region.ptr == nullptr || region.capacity < kRegionBytes)
      die("lgalloc returned a short region");
    return region;
  }

  void deallocate(const Handle& region) noexcept {
    lgalloc::Status status = allocator_.deallocate(region);
    if (status != lgalloc::Status::kOk)
      die("lgalloc deallocate failed:", lgalloc::status_name(status));
  }

  static void* data(const Handle& region) noexcept { return region.ptr; }

 private:
  lgalloc::Allocator& allocator_;
};

/// glibc malloc. Note that glibc raises its mmap threshold to the size of the first
/// mmapped chunk it frees, so after one round 2 MiB requests are served from the heap
/// (and reused) instead of by mmap: the numbers are glibc's, not mmap's.
class MallocBackend {
 public:
  using Handle = void*;

  Handle allocate() noexcept {
    void* p = std::malloc(kRegionBytes);
    if (p == nullptr) die("malloc failed");
    return p;
  }
  void deallocate(Handle p) noexcept { std::free(p); }
  static void* data(Handle p) noexcept { return p; }
};

/// A private anonymous mapping per region, unmapped on free: the cost lgalloc avoids.
class MmapBackend {
 public:
  using Handle = void*;

  Handle allocate() noexcept {
    void* p =
        mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap failed:", std::strerror(errno));
    return p;
  }
  void deallocate(Handle p) noexcept {
    if (munmap(p, kRegionBytes) != 0) die("munmap failed:", std::strerror(errno));
  }
  static void* data(Handle p) noexcept { return p; }
};

/// No allocator at all: hands out one fixed, never-touched address. Only the handoff
/// workload uses it, to show the cost of the ring and the two threads alone, the floor
/// under every allocator's handoff figure.
class NoAllocatorBackend {
 public:
  using Handle = void*;

  Handle allocate() noexcept { return &dummy_; }
  void deallocate(Handle p) noexcept { escape(p); }
  static void* data(Handle p) noexcept { return p; }

 private:
  alignas(64) char dummy_ = 0;
};

}  // namespace lgbench
