// What JS holds of its regions: a process-wide table of entries, one per region live in
// some thread's JS, each with a generation and a release state. JS refers to an entry by
// (index, generation) numbers, never by pointer, so a stale or forged handle is rejected
// by a comparison instead of dereferencing freed memory.
//
// The state makes the release happen exactly once. The region's ArrayBuffer owns a V8
// backing store whose deleter is the single place a region goes back to the pool; the
// state tells the deleter why it runs: kLive (the buffer was garbage collected),
// kDisposing (dispose() detached it) or kTransferred (the region moved to a token and must
// not be freed here).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

enum class HandleState : std::uint64_t { kFree = 0, kLive = 1, kDisposing = 2, kTransferred = 3 };

struct Handle {
  std::uint32_t index;
  std::uint32_t generation;
};

class HandleTable {
 public:
  /// A new live entry for `region`. Any thread.
  Handle open(const Region& region);

  /// The live region behind `handle`, or null if the handle is not live.
  const Region* live(Handle handle) const;

  /// kLive -> `next`, true for exactly one caller.
  bool claim(Handle handle, HandleState next);

  /// The state behind `handle` (kFree if stale); then frees the entry. Called once, by the
  /// backing store's deleter, on any thread.
  HandleState close(Handle handle, Region* region);

 private:
  struct Entry {
    std::atomic<std::uint64_t> word{0};  // generation << 2 | state
    Region region;                       // written before the entry turns live
  };
  static constexpr std::uint32_t kChunkBits = 12;
  static constexpr std::uint32_t kChunkEntries = 1u << kChunkBits;
  static constexpr std::uint32_t kMaxChunks = 4096;

  Entry* find(std::uint32_t index) const;
  static std::uint64_t word(std::uint32_t generation, HandleState state) {
    return std::uint64_t{generation} << 2 | static_cast<std::uint64_t>(state);
  }

  std::atomic<Entry*> chunks_[kMaxChunks]{};
  std::mutex mutex_;  // guards free_, next_ and chunk creation
  std::vector<std::uint32_t> free_;
  std::uint32_t next_ = 0;
};

/// The process-wide table; never destroyed, since deleters may run during process exit.
HandleTable& handle_table();

}  // namespace lgalloc::node
