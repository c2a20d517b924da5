// A global pool of free regions of one size class (its dirty or its clean pool): single
// slots go through a ring of contiguous cells (slot_ring.h), which is what a region freed
// on one thread and allocated on another passes through; what the ring has no room for,
// and whole chains (a refill's new area, what trim puts back), go to a linked stack
// (slot_stack.h), which never runs out of room. Pops take from the ring first.
//
// Nothing here promises an order between regions (the ring is FIFO, as lgalloc's
// crossbeam Injector, the stack LIFO); a slot is in at most one place at a time, and
// every slot pushed is popped exactly once.
#pragma once

#include <cstdint>

#include "region_table.h"
#include "slot_ring.h"
#include "slot_stack.h"

namespace lgalloc {

class GlobalPool {
 public:
  /// The most a pop takes at once (as crossbeam's MAX_BATCH, 32): callers size their
  /// buffers by it.
  static constexpr std::uint32_t kMaxBatch = 32;
  /// Cells in the ring: 4 KiB, 1 GiB of 2 MiB regions; beyond that the stack holds them.
  static constexpr std::uint32_t kRingCapacity = 512;

  explicit GlobalPool(const RegionTable& slots) : slots_(slots), overflow_(slots) {}
  GlobalPool(const GlobalPool&) = delete;
  GlobalPool& operator=(const GlobalPool&) = delete;

  void push(std::uint32_t slot) noexcept {
    if (!ring_.push(slot)) overflow_.push(slot);
  }

  /// Pushes a chain `first` -> ... -> `last` already linked through `Slot::next`, with
  /// one CAS (refill and trim, under the class's refill lock).
  void push_chain(std::uint32_t first, std::uint32_t last, std::uint32_t count) noexcept {
    overflow_.push_chain(first, last, count);
  }

  /// Takes up to min(limit, kMaxBatch) slots (limit >= 1) into `out`; returns how many,
  /// 0 if the pool is empty.
  std::uint32_t pop_batch(std::uint32_t limit, std::uint32_t* out) noexcept {
    if (limit > kMaxBatch) limit = kMaxBatch;
    const std::uint32_t from_ring = ring_.pop_batch(limit, out);
    if (from_ring != 0) return from_ring;
    std::uint32_t count = 0;
    std::uint32_t slot = overflow_.pop_batch(limit, &count);
    // The popped chain is ours: its links are stable and name slots.
    for (std::uint32_t i = 0; i < count; ++i) {
      out[i] = slot;
      slot = slots_.at(slot).next.load(std::memory_order_relaxed);
    }
    return count;
  }

  /// Takes everything that was in the pool when the call began (what others push
  /// meanwhile may stay), linked through `Slot::next`. Returns the first slot or kNoSlot;
  /// `*count` is the number taken. What trim uses: the stack goes with one CAS whatever
  /// its length (issue 7, item 9), the ring in batches up to the tail it saw at the
  /// start, so churn by other threads cannot keep it going.
  std::uint32_t take_all(std::uint32_t* count) noexcept {
    std::uint32_t first = overflow_.take_all(count);
    const std::uint64_t end = ring_.pushed();
    std::uint32_t batch[kMaxBatch];
    while (ring_.popped() < end) {
      const std::uint32_t taken = ring_.pop_batch(kMaxBatch, batch);
      if (taken == 0) break;
      for (std::uint32_t i = 0; i < taken; ++i) {
        slots_.at(batch[i]).next.store(first, std::memory_order_relaxed);
        first = batch[i];
      }
      *count += taken;
    }
    return first;
  }

  /// Approximate while other threads push and pop; exact when quiescent.
  std::uint64_t length() const noexcept { return ring_.length() + overflow_.length(); }

 private:
  const RegionTable& slots_;
  SlotRing<kRingCapacity> ring_;
  SlotStack overflow_;
};

}  // namespace lgalloc
