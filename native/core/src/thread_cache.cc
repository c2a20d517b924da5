// Finding, creating and retiring the calling thread's caches (see thread_cache.h).
#include "thread_cache.h"

#include <algorithm>
#include <new>
#include <vector>

#include "allocator_impl.h"

namespace lgalloc::thread_cache {

constinit thread_local FastPath fast_path;

namespace {

// Every cache this thread owns. Its destructor is the thread-exit hook.
struct Registrations {
  std::vector<std::shared_ptr<ThreadCache>> caches;

  ~Registrations() {
    fast_path = FastPath{};
    exiting = true;
    for (const auto& cache : caches) {
      std::lock_guard<std::mutex> lock(cache->lifetime->mutex);
      if (cache->lifetime->alive) cache->owner->retire_thread(*cache);
    }
    caches.clear();
  }

  // Set once the thread's caches are gone; later calls (from other thread-local
  // destructors) fall back to the global pools.
  static thread_local bool exiting;
};

thread_local bool Registrations::exiting = false;
thread_local Registrations registrations;

}  // namespace

ThreadCache* attach(AllocatorImpl& owner, std::uint64_t allocator_id,
                    const std::shared_ptr<Lifetime>& lifetime) noexcept {
  if (Registrations::exiting) return nullptr;
  auto& caches = registrations.caches;
  // Drop caches of allocators that no longer exist.
  caches.erase(std::remove_if(caches.begin(), caches.end(),
                              [](const std::shared_ptr<ThreadCache>& cache) {
                                std::lock_guard<std::mutex> lock(cache->lifetime->mutex);
                                return !cache->lifetime->alive;
                              }),
               caches.end());
  ThreadCache* found = nullptr;
  for (const auto& cache : caches) {
    if (cache->lifetime == lifetime) found = cache.get();
  }
  if (found == nullptr) {
    auto* raw = new (std::nothrow) ThreadCache(&owner, lifetime);
    if (raw == nullptr) return nullptr;
    std::shared_ptr<ThreadCache> cache(raw);
    caches.push_back(cache);
    owner.register_thread(std::move(cache));
    found = raw;
  }
  fast_path = FastPath{allocator_id, found};
  return found;
}

}  // namespace lgalloc::thread_cache
