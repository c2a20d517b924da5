// Process-wide figures of the JS side, kept by the binding: regions in flight between
// threads, and forced collections. Atomics, because every worker thread's environment
// updates them. The figures of regions live in JS and how they were released are the
// handle table's (HandleTable::counts), which keeps them under the lock it takes anyway.
#pragma once

#include <atomic>
#include <cstdint>

namespace lgalloc::node {

struct BindingCounters {
  std::atomic<std::uint64_t> transferred{0};
  std::atomic<std::uint64_t> adopted{0};
  std::atomic<std::uint64_t> pending_transfers{0};
  std::atomic<std::uint64_t> pending_transfer_bytes{0};
  std::atomic<std::uint64_t> released_tokens{0};
  /// Collections forced because an allocation failed (memory_pressure.h).
  std::atomic<std::uint64_t> forced_collections{0};
};

BindingCounters& binding_counters() noexcept;

}  // namespace lgalloc::node
