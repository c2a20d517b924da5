// The slots of one size class: the allocator's record of every region it ever mapped.
//
// A slot holds a region's address, its state word and its link in a global pool. Slots
// live in fixed chunks that are never moved or freed while the allocator exists, so any
// slot index ever published stays safe to read from any thread, however stale: the
// lock-free pools rely on that, and `deallocate` uses it to validate handles.
#pragma once

#include <atomic>
#include <cstdint>
#include <new>

namespace lgalloc {

inline constexpr std::uint32_t kNoSlot = UINT32_MAX;

// The state word: generation << 3 | flags. The generation grows by one on every
// allocation of the slot, so a handle from an earlier allocation never matches again.
namespace slot_state {
inline constexpr std::uint64_t kAllocated = 1;  // owned by a caller
inline constexpr std::uint64_t kKnownZero = 2;  // free, and every byte reads zero
inline constexpr std::uint64_t kRetired = 4;    // its area was unmapped by trim
inline constexpr unsigned kGenerationShift = 3;
inline constexpr std::uint64_t generation(std::uint64_t state) { return state >> kGenerationShift; }
inline constexpr std::uint64_t make(std::uint64_t generation, std::uint64_t flags) {
  return generation << kGenerationShift | flags;
}
}  // namespace slot_state

// A cache line each: threads that own neighbouring regions must not share one, or every
// allocation and free on one thread would bounce the line away from the other.
struct alignas(64) Slot {
  std::atomic<char*> base{nullptr};
  std::atomic<std::uint64_t> state{0};
  std::atomic<std::uint32_t> next{kNoSlot};
};

/// Asks for `slot`'s line in a state this core may write, without waiting for it. A slot
/// line usually sits modified in another core's cache (the thread that freed or allocated
/// it last); a plain load would fetch it shared, and the write that follows would have to
/// fetch it again (issue 13). PREFETCHW is a no-op on x86 cores without it.
inline void prefetch_for_write(const Slot* slot) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetchw %0" : : "m"(*reinterpret_cast<const char*>(slot)));
#else
  __builtin_prefetch(slot, 1, 3);
#endif
}

class RegionTable {
 public:
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunkSlots = 1u << kChunkBits;
  static constexpr std::uint32_t kMaxChunks = 4096;
  static constexpr std::uint32_t kMaxSlots = kChunkSlots * kMaxChunks;

  RegionTable() = default;
  RegionTable(const RegionTable&) = delete;
  RegionTable& operator=(const RegionTable&) = delete;
  ~RegionTable() {
    for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
  }

  /// The slot at `index`, or null if no such slot was ever created. Any thread.
  Slot* find(std::uint32_t index) const noexcept {
    if (index >= kMaxSlots) return nullptr;
    Slot* chunk = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : &chunk[index & (kChunkSlots - 1)];
  }

  /// The slot at `index`, which must exist (an index taken from a pool or cache).
  Slot& at(std::uint32_t index) const noexcept {
    return chunks_[index >> kChunkBits].load(std::memory_order_acquire)[index & (kChunkSlots - 1)];
  }

  /// Makes sure slots [first, first + count) exist. Called under the class's refill lock.
  /// False if memory for a chunk could not be had (nothing is lost; retry later).
  bool ensure(std::uint32_t first, std::uint32_t count) noexcept {
    if (count == 0) return true;
    if (first >= kMaxSlots || count > kMaxSlots - first) return false;
    const std::uint32_t last = first + count - 1;
    for (std::uint32_t c = first >> kChunkBits; c <= last >> kChunkBits; ++c) {
      if (chunks_[c].load(std::memory_order_relaxed) != nullptr) continue;
      Slot* chunk = new (std::nothrow) Slot[kChunkSlots];
      if (chunk == nullptr) return false;
      chunks_[c].store(chunk, std::memory_order_release);
    }
    return true;
  }

 private:
  std::atomic<Slot*> chunks_[kMaxChunks]{};
};

}  // namespace lgalloc
