// Thread caches: per thread and allocator, one work-stealing deque of free regions per
// size class, plus the thread's counters.
//
// A thread finds its cache through two thread-locals: a one-entry fast path (trivially
// destructible, so reading it costs no initialisation guard) and the list of every cache
// the thread owns, whose destructor runs at thread exit and hands each cache back to its
// allocator (drain to the dirty pool, fold the counters) if that allocator still lives.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "lgalloc/lgalloc.h"
#include "work_stealing_deque.h"

namespace lgalloc {

class AllocatorImpl;

/// Cumulative counters of one size class. In a thread cache only the owning thread writes
/// them (`bump_owned`, no atomic read-modify-write on the hot path); other threads read.
struct ClassCounters {
  std::atomic<std::uint64_t> allocations{0};
  std::atomic<std::uint64_t> slow_path{0};
  std::atomic<std::uint64_t> refill{0};
  std::atomic<std::uint64_t> deallocations{0};
  std::atomic<std::uint64_t> clear_eager{0};
};

inline void bump_owned(std::atomic<std::uint64_t>& counter) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

/// Whether an allocator still exists, shared with the thread caches that outlive it.
/// Thread exit and the allocator's destructor both take `mutex`, so a cache is never
/// handed back to an allocator that is being destroyed.
struct Lifetime {
  std::mutex mutex;
  bool alive = true;
};

struct ThreadCache {
  ThreadCache(AllocatorImpl* owner_, std::shared_ptr<Lifetime> lifetime_)
      : owner(owner_), lifetime(std::move(lifetime_)) {}

  AllocatorImpl* const owner;
  const std::shared_ptr<Lifetime> lifetime;
  WorkStealingDeque deques[kSizeClassCount];
  ClassCounters counters[kSizeClassCount];
};

namespace thread_cache {

struct FastPath {
  std::uint64_t allocator_id = 0;
  ThreadCache* cache = nullptr;
};
extern constinit thread_local FastPath fast_path;

/// The calling thread's cache for the allocator `owner` with id `allocator_id`, created
/// and registered on first use. Null while the thread is exiting (its caches are gone)
/// or if memory for a cache could not be had: callers then use the global pools.
ThreadCache* attach(AllocatorImpl& owner, std::uint64_t allocator_id,
                    const std::shared_ptr<Lifetime>& lifetime) noexcept;

/// The calling thread's cache for the allocator, if the thread already has one; never
/// creates one. A thread gets a cache by allocating: one that only frees (a V8 platform
/// thread running backing-store deleters, say) would park regions where no allocation of
/// its own reuses them and where flush and trim cannot reach them (issue 7, item 3).
ThreadCache* find(std::uint64_t allocator_id, const std::shared_ptr<Lifetime>& lifetime) noexcept;

inline ThreadCache* current(AllocatorImpl& owner, std::uint64_t allocator_id,
                            const std::shared_ptr<Lifetime>& lifetime) noexcept {
  if (fast_path.allocator_id == allocator_id) return fast_path.cache;
  return attach(owner, allocator_id, lifetime);
}

inline ThreadCache* existing(std::uint64_t allocator_id,
                             const std::shared_ptr<Lifetime>& lifetime) noexcept {
  if (fast_path.allocator_id == allocator_id) return fast_path.cache;
  return find(allocator_id, lifetime);
}

}  // namespace thread_cache
}  // namespace lgalloc
