// The single-producer single-consumer ring that carries regions from the allocating
// thread to the freeing thread in the handoff workload.
//
// It is deliberately the cheapest correct handoff there is (one release store per side,
// each index on its own cache line, each side caching the other's index so that it only
// reads the shared line when the ring looks full or empty), so that the measured cost is
// the allocator's and not the queue's.
#pragma once

#include <atomic>
#include <cstddef>

#include "common.h"

namespace lgbench {

template <class T, std::size_t Capacity>
class SpscQueue {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0,
                "capacity must be a power of two");

 public:
  /// Producer side only. False if the ring is full.
  bool try_push(const T& value) noexcept {
    std::size_t tail = producer_.tail.load(std::memory_order_relaxed);
    if (tail - producer_.cached_head == Capacity) {
      producer_.cached_head = consumer_.head.load(std::memory_order_acquire);
      if (tail - producer_.cached_head == Capacity) return false;
    }
    slots_[tail & (Capacity - 1)] = value;
    producer_.tail.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Consumer side only. False if the ring is empty.
  bool try_pop(T* out) noexcept {
    std::size_t head = consumer_.head.load(std::memory_order_relaxed);
    if (head == consumer_.cached_tail) {
      consumer_.cached_tail = producer_.tail.load(std::memory_order_acquire);
      if (head == consumer_.cached_tail) return false;
    }
    *out = slots_[head & (Capacity - 1)];
    consumer_.head.store(head + 1, std::memory_order_release);
    return true;
  }

  void push(const T& value) noexcept {
    Backoff backoff;
    while (!try_push(value)) backoff.pause();
  }

  T pop() noexcept {
    T value{};
    Backoff backoff;
    while (!try_pop(&value)) backoff.pause();
    return value;
  }

 private:
  // Written by the consumer; cached_tail is the consumer's private copy of the tail.
  struct alignas(64) ConsumerSide {
    std::atomic<std::size_t> head{0};
    std::size_t cached_tail = 0;
  };
  // Written by the producer; cached_head is the producer's private copy of the head.
  struct alignas(64) ProducerSide {
    std::atomic<std::size_t> tail{0};
    std::size_t cached_head = 0;
  };

  ConsumerSide consumer_;
  ProducerSide producer_;
  alignas(64) T slots_[Capacity];
};

}  // namespace lgbench
