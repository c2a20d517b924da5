// The process-wide table of regions held by JS (see handle_table.h).
#include "handle_table.h"

#include <mutex>
#include <new>

namespace lgalloc::node {

HandleTable::~HandleTable() {
  for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
}

HandleTable::Entry* HandleTable::find(std::uint32_t index) const noexcept {
  if ((index >> kChunkBits) >= kMaxChunks) return nullptr;
  Entry* chunk = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
  return chunk == nullptr ? nullptr : &chunk[index & (kChunkEntries - 1)];
}

std::optional<Handle> HandleTable::open(const Region& region, std::uint64_t account) noexcept {
  std::uint32_t index;
  {
    std::lock_guard<SpinLock> lock(lock_);
    if (free_head_ != kNoEntry) {
      index = free_head_;
      free_head_ = find(index)->next_free;
    } else {
      if (next_ >= capacity_) return std::nullopt;
      index = next_;
      std::atomic<Entry*>& chunk = chunks_[index >> kChunkBits];
      if (chunk.load(std::memory_order_relaxed) == nullptr) {
        Entry* fresh = new (std::nothrow) Entry[kChunkEntries];
        if (fresh == nullptr) return std::nullopt;
        chunk.store(fresh, std::memory_order_release);
      }
      ++next_;
    }
    ++counts_.live_regions;
    counts_.live_bytes += region.capacity;
  }
  Entry& entry = *find(index);
  const auto generation =
      static_cast<std::uint32_t>((entry.word.load(std::memory_order_relaxed) >> 2) + 1);
  entry.ptr.store(region.ptr, std::memory_order_relaxed);
  entry.capacity.store(region.capacity, std::memory_order_relaxed);
  entry.identity.store(std::uint64_t{region.slot} << 16 |
                           std::uint64_t{region.known_zero ? 1u : 0u} << 8 |
                           region.size_class_index,
                       std::memory_order_relaxed);
  entry.region_generation.store(region.generation, std::memory_order_relaxed);
  entry.account.store(account, std::memory_order_relaxed);
  // Release: whoever sees the entry live sees the fields above.
  entry.word.store(word(generation, HandleState::kLive), std::memory_order_release);
  return Handle{index, generation};
}

std::optional<Region> HandleTable::live(Handle handle) const noexcept {
  const Entry* entry = find(handle.index);
  if (entry == nullptr) return std::nullopt;
  const std::uint64_t expected = word(handle.generation, HandleState::kLive);
  if (entry->word.load(std::memory_order_acquire) != expected) return std::nullopt;
  Region region;
  region.ptr = entry->ptr.load(std::memory_order_relaxed);
  region.capacity = static_cast<std::size_t>(entry->capacity.load(std::memory_order_relaxed));
  const std::uint64_t identity = entry->identity.load(std::memory_order_relaxed);
  region.slot = static_cast<std::uint32_t>(identity >> 16);
  region.known_zero = ((identity >> 8) & 1) != 0;
  region.size_class_index = static_cast<std::uint8_t>(identity);
  region.generation = entry->region_generation.load(std::memory_order_relaxed);
  // The fields were those of this generation only if the word did not change meanwhile: a
  // rewrite needs a close and an open, which change it. The fence orders the field reads
  // before the second read of the word.
  std::atomic_thread_fence(std::memory_order_acquire);
  if (entry->word.load(std::memory_order_relaxed) != expected) return std::nullopt;
  return region;
}

bool HandleTable::claim(Handle handle, HandleState next) noexcept {
  Entry* entry = find(handle.index);
  if (entry == nullptr) return false;
  std::uint64_t expected = word(handle.generation, HandleState::kLive);
  if (!entry->word.compare_exchange_strong(expected, word(handle.generation, next),
                                           std::memory_order_acq_rel)) {
    return false;
  }
  if (next == HandleState::kTransferred) {
    std::lock_guard<SpinLock> lock(lock_);
    --counts_.live_regions;
    counts_.live_bytes -= entry->capacity.load(std::memory_order_relaxed);
  }
  return true;
}

void HandleTable::note_release_pending(Handle handle) noexcept {
  Entry* entry = find(handle.index);
  if (entry == nullptr) return;
  const std::uint64_t disposing = word(handle.generation, HandleState::kDisposing);
  // Usually the deleter ran inside Detach() and the entry is free already: no lock.
  if (entry->word.load(std::memory_order_acquire) != disposing) return;
  std::lock_guard<SpinLock> lock(lock_);
  // close() changes the word under this lock, so it either ran (the word changed) or will
  // run after this and see the flag.
  if (entry->word.load(std::memory_order_relaxed) != disposing || entry->release_pending) return;
  entry->release_pending = true;
  counts_.disposing_bytes += entry->capacity.load(std::memory_order_relaxed);
}

HandleState HandleTable::close(Handle handle, Region* region, std::uint64_t* account) noexcept {
  Entry* entry = find(handle.index);
  if (entry == nullptr) return HandleState::kFree;
  std::lock_guard<SpinLock> lock(lock_);
  const std::uint64_t current = entry->word.load(std::memory_order_acquire);
  if ((current >> 2) != handle.generation || (current & 3) == 0) return HandleState::kFree;
  region->ptr = entry->ptr.load(std::memory_order_relaxed);
  region->capacity = static_cast<std::size_t>(entry->capacity.load(std::memory_order_relaxed));
  const std::uint64_t identity = entry->identity.load(std::memory_order_relaxed);
  region->slot = static_cast<std::uint32_t>(identity >> 16);
  region->known_zero = ((identity >> 8) & 1) != 0;
  region->size_class_index = static_cast<std::uint8_t>(identity);
  region->generation = entry->region_generation.load(std::memory_order_relaxed);
  if (account != nullptr) *account = entry->account.load(std::memory_order_relaxed);
  // Keep the generation: the next open() bumps it, so this handle never matches again.
  entry->word.store(word(handle.generation, HandleState::kFree), std::memory_order_release);
  const auto state = static_cast<HandleState>(current & 3);
  if (state != HandleState::kTransferred) {  // claim() counted a transfer already
    --counts_.live_regions;
    counts_.live_bytes -= region->capacity;
    ++(state == HandleState::kLive ? counts_.collected : counts_.disposed);
  }
  if (entry->release_pending) {
    entry->release_pending = false;
    counts_.disposing_bytes -= region->capacity;
  }
  entry->next_free = free_head_;
  free_head_ = handle.index;
  return state;
}

HandleCounts HandleTable::counts() const noexcept {
  std::lock_guard<SpinLock> lock(lock_);
  return counts_;
}

HandleTable& handle_table() {
  static HandleTable* const table = new HandleTable();
  return *table;
}

}  // namespace lgalloc::node
