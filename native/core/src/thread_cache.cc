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
// Whether this thread ever touched `registrations`. Trivially destructible, so testing it
// constructs nothing: a thread that only frees never runs the thread_local's constructor
// nor registers its destructor (which would allocate).
constinit thread_local bool has_registrations = false;

}  // namespace

namespace {

// Drops caches of allocators that no longer exist (no allocation: erase only moves).
void forget_dead_caches(std::vector<std::shared_ptr<ThreadCache>>& caches) noexcept {
  caches.erase(std::remove_if(caches.begin(), caches.end(),
                              [](const std::shared_ptr<ThreadCache>& cache) {
                                std::lock_guard<std::mutex> lock(cache->lifetime->mutex);
                                return !cache->lifetime->alive;
                              }),
               caches.end());
}

ThreadCache* lookup(std::uint64_t allocator_id,
                    const std::shared_ptr<Lifetime>& lifetime) noexcept {
  for (const auto& cache : registrations.caches) {
    if (cache->lifetime == lifetime) {
      fast_path = FastPath{allocator_id, cache.get()};
      return cache.get();
    }
  }
  return nullptr;
}

}  // namespace

ThreadCache* find(std::uint64_t allocator_id, const std::shared_ptr<Lifetime>& lifetime) noexcept {
  if (!has_registrations || Registrations::exiting) return nullptr;
  forget_dead_caches(registrations.caches);
  return lookup(allocator_id, lifetime);
}

ThreadCache* attach(AllocatorImpl& owner, std::uint64_t allocator_id,
                    const std::shared_ptr<Lifetime>& lifetime) noexcept {
  if (ThreadCache* found = find(allocator_id, lifetime)) return found;
  if (Registrations::exiting) return nullptr;
  auto& caches = registrations.caches;
  has_registrations = true;
  // Every step that may need memory comes before the cache is published anywhere, so a
  // failed allocation leaves no trace: the caller uses the global pools instead.
  auto* raw = new (std::nothrow) ThreadCache(&owner, lifetime);
  if (raw == nullptr) return nullptr;
  std::shared_ptr<ThreadCache> cache;
  try {
    cache = std::shared_ptr<ThreadCache>(raw);  // may throw; then it deletes raw
    caches.reserve(caches.size() + 1);
  } catch (...) {
    return nullptr;
  }
  if (!owner.register_thread(cache)) return nullptr;
  caches.push_back(std::move(cache));  // capacity reserved above: cannot throw
  fast_path = FastPath{allocator_id, raw};
  return raw;
}

}  // namespace lgalloc::thread_cache
