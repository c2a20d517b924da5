// The global pool's overflow (global_pool.h): a lock-free, multi-producer, multi-consumer
// stack of slot indices (Treiber), linked through the slots themselves, so it never runs
// out of room and pooling never writes into pooled memory. It is what the pool used alone
// before issue 13: a batch pop walks the links, one slot line after another, and those are
// the lines the freeing thread just wrote, so the pool's hot path is the ring in
// slot_ring.h and this stack takes what the ring has no room for, and whole chains.
//
// The head packs a 32-bit tag with the top slot index; every push and pop bumps the tag,
// so a head that compares equal means the stack was not touched in between (no ABA), and
// a batch pop can walk the chain and cut it off with a single CAS. A walk may read links
// of slots that other threads are moving, and so an index that is not (or no longer) in
// this stack: every such index is looked up with `find`, which is safe for any value, and
// a walk that meets one that names no slot starts again; slots are never freed (see
// region_table.h), and the CAS rejects a walk over links that changed meanwhile.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "region_table.h"

namespace lgalloc {

class SlotStack {
 public:
  explicit SlotStack(const RegionTable& slots) : slots_(slots) {}
  SlotStack(const SlotStack&) = delete;
  SlotStack& operator=(const SlotStack&) = delete;

  void push(std::uint32_t slot) noexcept { push_chain(slot, slot, 1); }

  /// Pushes a chain `first` -> ... -> `last` already linked through `Slot::next`.
  void push_chain(std::uint32_t first, std::uint32_t last, std::uint32_t count) noexcept {
    std::uint64_t head = head_.load(std::memory_order_relaxed);
    for (;;) {
      slots_.at(last).next.store(index_of(head), std::memory_order_relaxed);
      // Release: whoever pops these slots sees their state and the region's bytes as we
      // left them.
      if (head_.compare_exchange_weak(head, pack(tag_of(head) + 1, first),
                                      std::memory_order_release, std::memory_order_relaxed)) {
        break;
      }
    }
    length_.fetch_add(count, std::memory_order_relaxed);
  }

  /// Pops up to `limit` slots (limit >= 1). Returns the first, or kNoSlot if empty; the
  /// popped slots are linked through `Slot::next`, `*count` of them.
  std::uint32_t pop_batch(std::uint32_t limit, std::uint32_t* count) noexcept {
    std::uint64_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t first = index_of(head);
      if (first == kNoSlot) {
        *count = 0;
        return kNoSlot;
      }
      std::uint32_t taken = 0;
      const std::uint32_t rest = walk(first, limit, &taken);
      if (taken == 0) {  // the walk read a link that changed under it
        head = head_.load(std::memory_order_acquire);
        continue;
      }
      if (head_.compare_exchange_weak(head, pack(tag_of(head) + 1, rest), std::memory_order_acquire,
                                      std::memory_order_acquire)) {
        length_.fetch_sub(taken, std::memory_order_relaxed);
        *count = taken;
        return first;
      }
    }
  }

  /// Takes the whole stack with one CAS that does not depend on its length (no walk, so
  /// no retry because of a long one), then counts the private chain. Returns the first slot
  /// or kNoSlot; `*count` is the number taken. What trim uses.
  std::uint32_t take_all(std::uint32_t* count) noexcept {
    std::uint64_t head = head_.load(std::memory_order_acquire);
    while (!head_.compare_exchange_weak(head, pack(tag_of(head) + 1, kNoSlot),
                                        std::memory_order_acquire, std::memory_order_acquire)) {
    }
    const std::uint32_t first = index_of(head);
    std::uint32_t taken = 0;
    // The chain is ours now: every link is stable and names a slot.
    for (std::uint32_t slot = first; slot != kNoSlot;
         slot = slots_.at(slot).next.load(std::memory_order_relaxed)) {
      ++taken;
    }
    length_.fetch_sub(taken, std::memory_order_relaxed);
    *count = taken;
    return first;
  }

  /// Approximate while other threads push and pop; exact when quiescent.
  std::uint64_t length() const noexcept {
    return static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, length_.load(std::memory_order_relaxed)));
  }

 private:
  // Follows up to `limit` links from `first` (which is taken). Returns the index after the
  // last one taken and sets `*taken`; 0 taken if a link named no slot (a racing writer).
  std::uint32_t walk(std::uint32_t first, std::uint32_t limit,
                     std::uint32_t* taken) const noexcept {
    const Slot* slot = slots_.find(first);
    if (slot == nullptr) return kNoSlot;
    std::uint32_t count = 1;
    std::uint32_t rest = slot->next.load(std::memory_order_relaxed);
    while (count < limit && rest != kNoSlot) {
      slot = slots_.find(rest);
      if (slot == nullptr) return kNoSlot;
      ++count;
      rest = slot->next.load(std::memory_order_relaxed);
    }
    *taken = count;
    return rest;
  }

  static constexpr std::uint64_t pack(std::uint64_t tag, std::uint32_t index) {
    return tag << 32 | index;
  }
  static constexpr std::uint32_t index_of(std::uint64_t head) {
    return static_cast<std::uint32_t>(head);
  }
  static constexpr std::uint64_t tag_of(std::uint64_t head) { return (head >> 32) & 0xffffffffu; }

  const RegionTable& slots_;
  std::atomic<std::uint64_t> head_{pack(0, kNoSlot)};
  std::atomic<std::int64_t> length_{0};
};

}  // namespace lgalloc
