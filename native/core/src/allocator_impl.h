// The allocator's internals: the size-class pools, the registry of thread caches, the
// settings and the background worker, and the allocation and deallocation paths over them.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "background_worker.h"
#include "lgalloc/lgalloc.h"
#include "settings.h"
#include "size_class_pool.h"
#include "thread_cache.h"

namespace lgalloc {

class AllocatorImpl {
 public:
  AllocatorImpl(const Config& config, std::shared_ptr<Os> os);
  ~AllocatorImpl();

  Status allocate(std::size_t size, Region* out, ErrorDetail* detail) noexcept;
  Status deallocate(const Region& region) noexcept;
  Status prefetch(const Region& region, std::size_t offset, std::size_t length,
                  ErrorDetail* detail) noexcept;
  Status move_contents(const Region& from, const Region& to, std::size_t length,
                       ErrorDetail* detail) noexcept;
  Status configure(const ConfigUpdate& update, ErrorDetail* detail) noexcept;
  Config config() const;
  void stats(Stats* out) const noexcept;
  Status trim(TrimResult* out) noexcept;
  void flush_thread_cache() noexcept;
  std::vector<AreaInfo> areas() const;
  Status start_status() const noexcept { return start_status_; }

  /// Adds a new thread cache to the registry (thread_cache.cc calls this). False, with
  /// nothing registered, if memory for the registry could not be had.
  bool register_thread(const std::shared_ptr<ThreadCache>& cache) noexcept;
  /// Thread exit: removes the cache, drains it to the dirty pools and folds its counters.
  /// Caller holds the cache's lifetime mutex and has seen the allocator alive.
  void retire_thread(ThreadCache& cache) noexcept;

 private:
  /// A free slot for `pool` without mapping: the thread cache, a batch from the dirty
  /// pool, a batch from the clean pool, then another thread's cache. kNoSlot if all empty.
  std::uint32_t take_free_slot(SizeClassPool& pool, ThreadCache* cache) noexcept;
  /// The owner of `region`, checked against its slot; null if the handle is not live.
  /// `for_write`: the caller will write the slot (it is fetched ready for that).
  Slot* live_slot(const Region& region, bool for_write) const noexcept;
  /// `live_slot`, and the slot is allocated under the region's generation.
  bool is_allocated(const Region& region) const noexcept;
  void release_to_dirty_pool(SizeClassPool& pool, std::uint32_t slot,
                             ClassCounters& counters) noexcept;
  void clear_dirty_regions(std::uint64_t clear_bytes) noexcept;
  void drain(ThreadCache& cache) noexcept;
  AreaContext area_context() noexcept { return AreaContext{*os_, settings_, figures_}; }

  const std::uint64_t id_;
  const std::shared_ptr<Os> os_;
  const std::shared_ptr<Lifetime> lifetime_ = std::make_shared<Lifetime>();
  Settings settings_;
  OsFigures figures_;
  std::unique_ptr<SizeClassPool> pools_[kSizeClassCount];

  mutable std::shared_mutex threads_mutex_;
  std::vector<std::shared_ptr<ThreadCache>> threads_;  // guarded by threads_mutex_

  std::mutex configure_mutex_;
  std::atomic<std::uint64_t> background_passes_{0};
  Status start_status_ = Status::kOk;
  BackgroundWorker background_;  // last: stopped first on destruction
};

}  // namespace lgalloc
