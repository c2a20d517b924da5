// The live configuration and process-visible OS figures of one allocator, as atomics so
// the hot paths read them without locks. Writers serialise on the allocator's configure
// mutex; readers may see a change one operation late, which every setting tolerates.
#pragma once

#include <atomic>
#include <cstdint>

#include "lgalloc/lgalloc.h"

namespace lgalloc {

struct Settings {
  std::atomic<bool> enabled{false};
  std::atomic<bool> eager_return{false};
  std::atomic<std::uint64_t> growth_dampener{0};
  std::atomic<std::uint64_t> local_buffer_bytes{32u << 20};
  std::atomic<std::uint64_t> max_area_bytes{0};
  std::atomic<std::uint64_t> memory_limit_bytes{0};
};

/// What the allocator's system calls did, across all size classes.
struct OsFigures {
  std::atomic<std::uint64_t> mapped_bytes{0};
  std::atomic<std::uint64_t> mmap_failures{0};
  std::atomic<int> last_os_errno{0};
  std::atomic<bool> hugepage_advice_failed{false};
  std::atomic<std::uint64_t> moved_bytes{0};   // by move_contents, remapped
  std::atomic<std::uint64_t> copied_bytes{0};  // by move_contents, copied

  void record_failure(int os_errno) noexcept {
    last_os_errno.store(os_errno, std::memory_order_relaxed);
  }
};

/// Everything a size class needs to map, advise and unmap areas.
struct AreaContext {
  Os& os;
  const Settings& settings;
  OsFigures& figures;
};

}  // namespace lgalloc
