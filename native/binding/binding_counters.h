// Process-wide figures of the JS side, kept by the binding: regions live in JS, how they
// were released, and regions in flight between threads. Atomics, because every worker
// thread's environment updates them.
#pragma once

#include <atomic>
#include <cstdint>

namespace lgalloc::node {

struct BindingCounters {
  std::atomic<std::uint64_t> live_regions{0};
  std::atomic<std::uint64_t> live_bytes{0};
  std::atomic<std::uint64_t> disposed{0};
  std::atomic<std::uint64_t> collected{0};
  std::atomic<std::uint64_t> transferred{0};
  std::atomic<std::uint64_t> adopted{0};
  std::atomic<std::uint64_t> pending_transfers{0};
  std::atomic<std::uint64_t> pending_transfer_bytes{0};
  std::atomic<std::uint64_t> released_tokens{0};
  /// Bytes of regions disposed while native code still holds their backing store: their
  /// release runs when it lets go.
  std::atomic<std::uint64_t> disposing_bytes{0};
  /// Collections forced because an allocation failed (memory_pressure.h).
  std::atomic<std::uint64_t> forced_collections{0};

  void region_opened(std::uint64_t bytes) noexcept {
    live_regions.fetch_add(1, std::memory_order_relaxed);
    live_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
  void region_closed(std::uint64_t bytes) noexcept {
    live_regions.fetch_sub(1, std::memory_order_relaxed);
    live_bytes.fetch_sub(bytes, std::memory_order_relaxed);
  }
};

BindingCounters& binding_counters() noexcept;

}  // namespace lgalloc::node
