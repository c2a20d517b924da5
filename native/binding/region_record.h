// What JS holds of one region: the core's handle, a state that makes its release happen
// exactly once (dispose, garbage collection or transfer, whichever comes first), and a
// reference count shared by the two JS objects that point at it (the handle External and
// the ArrayBuffer), so it lives until both are gone.
#pragma once

#include <atomic>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

class RegionRecord {
 public:
  enum class State : int { kLive, kReleased, kTransferred };

  explicit RegionRecord(const Region& region) : region_(region) {}

  const Region& region() const { return region_; }

  /// Claims the region for release or transfer; true for exactly one caller.
  bool claim(State next) {
    State expected = State::kLive;
    return state_.compare_exchange_strong(expected, next, std::memory_order_acq_rel);
  }

  bool live() const { return state_.load(std::memory_order_acquire) == State::kLive; }

  /// Drops one of the two references; the last one deletes the record.
  void unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 private:
  const Region region_;
  std::atomic<State> state_{State::kLive};
  std::atomic<int> refs_{2};
};

}  // namespace lgalloc::node
