// The global pool's hot path (global_pool.h): a bounded, lock-free, multi-producer,
// multi-consumer FIFO of slot indices in one contiguous array of cells (after Dmitry
// Vyukov's bounded MPMC queue), with batch pops.
//
// Why not the slots' own links (slot_stack.h): there, a thread popping a batch follows one
// slot line after another, each one the freeing thread has just written, every load
// waiting for the previous one (issue 13's profile: 45% of the allocating thread's time in
// a handoff). Here a batch is a run of neighbouring cells, eight to a cache line, read
// without dependencies; producers meet at `tail_` and consumers at `head_`, each on a line
// of its own, as crossbeam's Injector does for lgalloc.
//
// Each cell is one 64-bit word: a 32-bit sequence number above the slot index, so a cell's
// state and value are read and written together. Positions (`head_`, `tail_`) are 64-bit
// and only grow, so they never repeat (no ABA); a cell at position p reads p when free for
// the producer of p and p + 1 once it holds p's value; its consumer hands it on to the
// producer of p + kCapacity by writing that number. The 32-bit numbers are compared
// modulo 2^32: a thread that stalled for 2^31 operations may misread a cell as full or
// empty (and then reports the ring full or empty) or as its own, and then its CAS of the
// 64-bit position fails. Neither loses nor duplicates a value.
//
// Not strictly lock-free, as no such array queue is: a producer that took a position and
// was preempted before writing its cell holds back the consumers behind it, who see the
// ring as empty meanwhile (allocations then look elsewhere or refill; nothing is lost).
#pragma once

#include <atomic>
#include <cstdint>

#include "region_table.h"

namespace lgalloc {

template <std::uint32_t kCapacity>
class SlotRing {
  static_assert(kCapacity >= 2 && (kCapacity & (kCapacity - 1)) == 0,
                "the capacity is a power of two");
  static_assert(kCapacity <= (1u << 30), "cell numbers are compared modulo 2^32");

 public:
  static constexpr std::uint32_t capacity() { return kCapacity; }

  SlotRing() noexcept {
    for (std::uint32_t i = 0; i < kCapacity; ++i) {
      cells_[i].store(make(i, kNoSlot), std::memory_order_relaxed);
    }
  }
  SlotRing(const SlotRing&) = delete;
  SlotRing& operator=(const SlotRing&) = delete;

  /// Appends `slot`. False if the ring is full (nothing changed).
  bool push(std::uint32_t slot) noexcept {
    std::uint64_t position = tail_.load(std::memory_order_relaxed);
    for (;;) {
      std::atomic<std::uint64_t>& cell = cells_[position & kMask];
      // Acquire: the consumer that handed the cell on has read its old value.
      const std::uint64_t word = cell.load(std::memory_order_acquire);
      const auto lag =
          static_cast<std::int32_t>(number_of(word) - static_cast<std::uint32_t>(position));
      if (lag == 0) {
        if (tail_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed,
                                        std::memory_order_relaxed)) {
          // Release: whoever pops the slot sees its state and the region's bytes as we
          // left them.
          cell.store(make(position + 1, slot), std::memory_order_release);
          return true;
        }
      } else if (lag < 0) {
        return false;  // the cell still holds the value from a lap ago
      } else {
        position = tail_.load(std::memory_order_relaxed);  // another producer took it
      }
    }
  }

  /// Takes up to `limit` (>= 1) of the oldest values into `out`, in order; returns how
  /// many (0 if the ring is empty).
  std::uint32_t pop_batch(std::uint32_t limit, std::uint32_t* out) noexcept {
    if (limit > kCapacity) limit = kCapacity;
    std::uint64_t position = head_.load(std::memory_order_relaxed);
    for (;;) {
      std::uint32_t taken = 0;
      std::int32_t lag = 0;
      for (; taken < limit; ++taken) {
        // Acquire: pairs with the producer's release, for the slot's state.
        const std::uint64_t word =
            cells_[(position + taken) & kMask].load(std::memory_order_acquire);
        lag = static_cast<std::int32_t>(number_of(word) -
                                        static_cast<std::uint32_t>(position + taken + 1));
        if (lag != 0) break;
        out[taken] = index_of(word);
      }
      if (taken == 0) {
        if (lag < 0) return 0;                             // nothing pushed at `position` yet
        position = head_.load(std::memory_order_relaxed);  // other consumers moved on
        continue;
      }
      // The values read above are still in their cells if `head_` is still `position`:
      // nobody consumed them, so no producer can have replaced them.
      if (head_.compare_exchange_weak(position, position + taken, std::memory_order_relaxed,
                                      std::memory_order_relaxed)) {
        for (std::uint32_t i = 0; i < taken; ++i) {
          // Release: our reads of the cell come before its next producer's write.
          cells_[(position + i) & kMask].store(make(position + i + kCapacity, kNoSlot),
                                               std::memory_order_release);
        }
        return taken;
      }
    }
  }

  /// Values pushed so far (the tail position); with `popped`, bounds a drain.
  std::uint64_t pushed() const noexcept { return tail_.load(std::memory_order_acquire); }
  /// Values popped so far (the head position).
  std::uint64_t popped() const noexcept { return head_.load(std::memory_order_acquire); }

  /// Approximate while other threads push and pop; exact when quiescent.
  std::uint64_t length() const noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    return tail > head ? tail - head : 0;
  }

 private:
  static constexpr std::uint64_t kMask = kCapacity - 1;

  static constexpr std::uint64_t make(std::uint64_t number, std::uint32_t slot) {
    return (number & 0xffffffffu) << 32 | slot;
  }
  static constexpr std::uint32_t number_of(std::uint64_t word) {
    return static_cast<std::uint32_t>(word >> 32);
  }
  static constexpr std::uint32_t index_of(std::uint64_t word) {
    return static_cast<std::uint32_t>(word);
  }

  // Apart, so that producers and consumers do not share a line.
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  alignas(64) std::atomic<std::uint64_t> cells_[kCapacity];
};

}  // namespace lgalloc
