// A thread cache's storage: a Chase-Lev work-stealing deque of slot indices. Its owner
// pushes and pops at the bottom (LIFO, so the most recently freed, warmest region is
// reused first); other threads steal from the top without locks.
//
// Follows Lê, Pop, Cohen and Zappa Nardelli, "Correct and Efficient Work-Stealing for
// Weak Memory Models" (PPoPP 2013), with one change: the seq_cst fences are folded into
// seq_cst accesses of `bottom` and `top` (the same ordering on x86, and visible to
// ThreadSanitizer, which does not model stand-alone fences). Arrays replaced by growth
// are kept until the deque dies, because a thief may still be reading one.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "region_table.h"

namespace lgalloc {

enum class StealResult { kEmpty, kSuccess, kRetry };

class WorkStealingDeque {
 public:
  WorkStealingDeque() = default;
  WorkStealingDeque(const WorkStealingDeque&) = delete;
  WorkStealingDeque& operator=(const WorkStealingDeque&) = delete;
  ~WorkStealingDeque() {
    Array* array = array_.load(std::memory_order_relaxed);
    while (array != nullptr) {
      Array* previous = array->previous;
      std::free(array);
      array = previous;
    }
  }

  /// Owner only. False if the deque had to grow and memory could not be had.
  bool push(std::uint32_t value) noexcept {
    const std::int64_t bottom = bottom_.load(std::memory_order_relaxed);
    const std::int64_t top = top_.load(std::memory_order_acquire);
    Array* array = array_.load(std::memory_order_relaxed);
    if (array == nullptr || bottom - top >= array->capacity) {
      array = grow(array, top, bottom);
      if (array == nullptr) return false;
    }
    array->cell(bottom).store(value, std::memory_order_relaxed);
    bottom_.store(bottom + 1, std::memory_order_release);
    return true;
  }

  /// Owner only. The most recently pushed value, or kNoSlot.
  std::uint32_t pop() noexcept {
    Array* array = array_.load(std::memory_order_relaxed);
    if (array == nullptr) return kNoSlot;
    // Empty without the fence (as crossbeam's Worker::pop checks first): only the owner
    // adds values and `top` only grows, so a top at or past bottom cannot turn into a
    // value for this pop. The seq_cst store below is a full fence on x86 (an xchg); an
    // allocating thread whose frees happen elsewhere (the handoff) finds its deque empty
    // whenever its batch is used up, and a cpu-clock profile put a third of its samples
    // in take_free_slot on that fence (issue 13).
    if (top_.load(std::memory_order_relaxed) >= bottom_.load(std::memory_order_relaxed)) {
      return kNoSlot;
    }
    const std::int64_t bottom = bottom_.load(std::memory_order_relaxed) - 1;
    bottom_.store(bottom, std::memory_order_seq_cst);
    std::int64_t top = top_.load(std::memory_order_seq_cst);
    // Restoring `bottom` is a release store (the paper has it relaxed): a thief that reads
    // the restored value must also see the cells pushed before it, which a relaxed store
    // does not promise in the C++ model (issue 7, item 8).
    if (top > bottom) {  // empty
      bottom_.store(bottom + 1, std::memory_order_release);
      return kNoSlot;
    }
    std::uint32_t value = array->cell(bottom).load(std::memory_order_relaxed);
    if (top == bottom) {  // the last one: race the thieves for it
      if (!top_.compare_exchange_strong(top, top + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        value = kNoSlot;
      }
      bottom_.store(bottom + 1, std::memory_order_release);
    }
    return value;
  }

  /// Any thread. kRetry means another thread won a race; trying again may succeed.
  StealResult steal(std::uint32_t* value) noexcept {
    std::int64_t top = top_.load(std::memory_order_seq_cst);
    const std::int64_t bottom = bottom_.load(std::memory_order_seq_cst);
    if (top >= bottom) return StealResult::kEmpty;
    Array* array = array_.load(std::memory_order_acquire);
    const std::uint32_t candidate = array->cell(top).load(std::memory_order_relaxed);
    if (!top_.compare_exchange_strong(top, top + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      return StealResult::kRetry;
    }
    *value = candidate;
    return StealResult::kSuccess;
  }

  /// Exact for the owner; approximate for other threads.
  std::uint64_t length() const noexcept {
    const std::int64_t bottom = bottom_.load(std::memory_order_relaxed);
    const std::int64_t top = top_.load(std::memory_order_relaxed);
    return bottom > top ? static_cast<std::uint64_t>(bottom - top) : 0;
  }

 private:
  struct Array {
    std::int64_t capacity;  // a power of two
    Array* previous;        // the array this one replaced, kept for late thieves
    // `capacity` cells follow the header in the same allocation.

    std::atomic<std::uint32_t>* cells() noexcept {
      return reinterpret_cast<std::atomic<std::uint32_t>*>(this + 1);
    }
    std::atomic<std::uint32_t>& cell(std::int64_t index) noexcept {
      return cells()[index & (capacity - 1)];
    }
  };

  static constexpr std::int64_t kInitialCapacity = 16;

  Array* grow(Array* old, std::int64_t top, std::int64_t bottom) noexcept {
    const std::int64_t capacity = old == nullptr ? kInitialCapacity : old->capacity * 2;
    const std::size_t bytes =
        sizeof(Array) + sizeof(std::atomic<std::uint32_t>) * static_cast<std::size_t>(capacity);
    void* memory = std::malloc(bytes);
    if (memory == nullptr) return nullptr;
    Array* array = new (memory) Array{capacity, old};
    for (std::int64_t i = 0; i < capacity; ++i) {
      new (&array->cells()[i]) std::atomic<std::uint32_t>(kNoSlot);
    }
    for (std::int64_t i = top; i < bottom; ++i) {
      array->cell(i).store(old->cell(i).load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    array_.store(array, std::memory_order_release);
    return array;
  }

  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  std::atomic<Array*> array_{nullptr};
};

}  // namespace lgalloc
