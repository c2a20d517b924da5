// Forced collection and retry on allocation failure (see memory_pressure.h).
#include "memory_pressure.h"

#include <v8.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "binding_counters.h"
#include "handle_table.h"

namespace lgalloc::node {
namespace {

// After the collection, the buffers it found dead are released by V8's sweeper, on
// another thread and a little later: poll, sleeping 1, 2, 4, ... ms, while releases still
// arrive; stop after this many polls in a row that saw none (Java sleeps up to 9 times).
constexpr int kQuietPolls = 3;
constexpr int kMaxPolls = 12;

std::uint64_t load(const std::atomic<std::uint64_t>& value) {
  return value.load(std::memory_order_relaxed);
}

}  // namespace

Status allocate_collecting(std::size_t size, Region* out, ErrorDetail* detail,
                           std::string* report) {
  Allocator& allocator = Allocator::process_default();
  Status status = allocator.allocate(size, out, detail);
  if (status != Status::kOutOfMemory) return status;
  BindingCounters& counters = binding_counters();
  // Only lgalloc's own memory limit is worth a collection. Where the kernel refused the
  // mapping (errno set: RLIMIT_AS, overcommit), V8 needs memory to collect too, and a
  // collection that cannot commit its semi space ends the process (found by the RLIMIT_AS
  // stress scenario, test/stress/rlimit-as.scenario.js).
  const bool limit_reached = detail->os_errno == 0 && detail->limit != 0;

  const auto live_bytes = [] { return handle_table().counts().live_bytes; };
  const HandleCounts before = handle_table().counts();
  if (limit_reached && before.live_bytes > before.disposing_bytes) {
    v8::Isolate* isolate = v8::Isolate::GetCurrent();
    counters.forced_collections.fetch_add(1, std::memory_order_relaxed);
    // A full, synchronous collection of this thread's heap (what V8 does on a system
    // low-memory signal); regions it finds unreachable are released by their deleters.
    isolate->LowMemoryNotification();
    std::uint64_t live = live_bytes();
    int quiet = 0;
    for (int poll = 0; poll < kMaxPolls && quiet < kQuietPolls; ++poll) {
      status = allocator.allocate(size, out, detail);
      if (status != Status::kOutOfMemory) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << std::min(poll, 6)));
      const std::uint64_t now = live_bytes();
      quiet = now < live ? 0 : quiet + 1;
      live = now;
    }
  }
  // Released regions went back to the pools of their own size classes; under a limit on
  // mapped bytes, areas of other classes that are now wholly free stand in the way. This
  // thread's cache first, so that its regions count as free too.
  if (detail->os_errno == 0 && detail->limit != 0) {
    allocator.flush_thread_cache();
    TrimResult trimmed;
    if (allocator.trim(&trimmed) == Status::kOk && trimmed.bytes_unmapped != 0) {
      status = allocator.allocate(size, out, detail);
      if (status != Status::kOutOfMemory) return status;
    }
  }

  const HandleCounts held = handle_table().counts();
  const std::uint64_t live = held.live_bytes;
  const std::uint64_t waiting = std::min(live, held.disposing_bytes);
  // The same figures, in the same words, as the fallback backend's error (live, waiting
  // for collection, in transit); after a full collection only regions disposed while
  // native code still holds their memory are waiting.
  *report = " (live: " + std::to_string(live - waiting) +
            " bytes, waiting for collection: " + std::to_string(waiting) +
            " bytes, in transit: " + std::to_string(load(counters.pending_transfer_bytes)) +
            " bytes; after a full garbage collection)";
  return status;
}

}  // namespace lgalloc::node
