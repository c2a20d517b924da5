// The process-wide table of regions held by JS (see handle_table.h).
#include "handle_table.h"

#include <new>

namespace lgalloc::node {

HandleTable::Entry* HandleTable::find(std::uint32_t index) const {
  if ((index >> kChunkBits) >= kMaxChunks) return nullptr;
  Entry* chunk = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
  return chunk == nullptr ? nullptr : &chunk[index & (kChunkEntries - 1)];
}

Handle HandleTable::open(const Region& region) {
  std::uint32_t index;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = next_++;
      std::atomic<Entry*>& chunk = chunks_[index >> kChunkBits];
      if (chunk.load(std::memory_order_relaxed) == nullptr) {
        chunk.store(new Entry[kChunkEntries], std::memory_order_release);
      }
    }
  }
  Entry& entry = *find(index);
  const auto generation =
      static_cast<std::uint32_t>((entry.word.load(std::memory_order_relaxed) >> 2) + 1);
  entry.region = region;
  entry.word.store(word(generation, HandleState::kLive), std::memory_order_release);
  return Handle{index, generation};
}

const Region* HandleTable::live(Handle handle) const {
  const Entry* entry = find(handle.index);
  if (entry == nullptr ||
      entry->word.load(std::memory_order_acquire) != word(handle.generation, HandleState::kLive)) {
    return nullptr;
  }
  return &entry->region;
}

bool HandleTable::claim(Handle handle, HandleState next) {
  Entry* entry = find(handle.index);
  if (entry == nullptr) return false;
  std::uint64_t expected = word(handle.generation, HandleState::kLive);
  return entry->word.compare_exchange_strong(expected, word(handle.generation, next),
                                             std::memory_order_acq_rel);
}

HandleState HandleTable::close(Handle handle, Region* region) {
  Entry* entry = find(handle.index);
  if (entry == nullptr) return HandleState::kFree;
  const std::uint64_t current = entry->word.load(std::memory_order_acquire);
  if ((current >> 2) != handle.generation) return HandleState::kFree;
  *region = entry->region;
  // Keep the generation: the next open() bumps it, so this handle never matches again.
  entry->word.store(word(handle.generation, HandleState::kFree), std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(handle.index);
  }
  return static_cast<HandleState>(current & 3);
}

HandleTable& handle_table() {
  static HandleTable* const table = new HandleTable();
  return *table;
}

}  // namespace lgalloc::node
