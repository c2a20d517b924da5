// The allocation and deallocation paths, configuration, statistics and the public
// `Allocator` facade over `AllocatorImpl`.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "allocator_impl.h"
#include "assert.h"

namespace lgalloc {
namespace {

// Ids are never reused, so a thread's fast path can never confuse a new allocator with a
// destroyed one that lived at the same address.
std::atomic<std::uint64_t> next_allocator_id{1};

// Longer intervals would overflow the clock arithmetic; 2^50 ns is about 13 days.
constexpr std::uint64_t kMaxBackgroundIntervalNs = std::uint64_t{1} << 50;

void count(std::atomic<std::uint64_t>& counter, bool owned) noexcept {
  if (owned) {
    bump_owned(counter);
  } else {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
}

Status fail(ErrorDetail* detail, Status status, ErrorDetail values = {}) noexcept {
  if (detail != nullptr) {
    *detail = values;
    detail->status = status;
  }
  return status;
}

ConfigUpdate update_from(const Config& config) {
  ConfigUpdate update;
  update.enabled = config.enabled;
  update.eager_return = config.eager_return;
  update.growth_dampener = config.growth_dampener;
  update.local_buffer_bytes = config.local_buffer_bytes;
  update.background = config.background;
  update.max_area_bytes = config.max_area_bytes;
  update.memory_limit_bytes = config.memory_limit_bytes;
  return update;
}

}  // namespace

AllocatorImpl::AllocatorImpl(const Config& config, std::shared_ptr<Os> os)
    : id_(next_allocator_id.fetch_add(1, std::memory_order_relaxed)),
      os_(os ? std::move(os) : system_os()),
      background_([this](std::uint64_t clear_bytes) { clear_dirty_regions(clear_bytes); }) {
  for (unsigned i = 0; i < kSizeClassCount; ++i) pools_[i] = std::make_unique<SizeClassPool>(i);
  ConfigUpdate update = update_from(config);
  start_status_ = configure(update, nullptr);
  if (start_status_ == Status::kInvalidArgument) {
    // Only the background schedule can be invalid: start without a worker, as documented,
    // but with every other setting.
    update.background.reset();
    configure(update, nullptr);
  }
}

AllocatorImpl::~AllocatorImpl() {
  background_.stop();
  {
    // From here on, exiting threads leave their caches alone (see thread_cache.cc).
    std::lock_guard<std::mutex> lock(lifetime_->mutex);
    lifetime_->alive = false;
  }
  {
    std::unique_lock<std::shared_mutex> lock(threads_mutex_);
    threads_.clear();
  }
  for (auto& pool : pools_) pool->unmap_all(*os_);
}

Status AllocatorImpl::allocate(std::size_t size, Region* out, ErrorDetail* detail) noexcept {
  const std::optional<unsigned> index = size_class_index_for(size);
  if (!index) {
    ErrorDetail values;
    values.size = size;
    return fail(detail, Status::kInvalidSizeClass, values);
  }
  if (!settings_.enabled.load(std::memory_order_relaxed)) return fail(detail, Status::kDisabled);

  SizeClassPool& pool = *pools_[*index];
  ThreadCache* const cache = thread_cache::current(*this, id_, lifetime_);
  ClassCounters& counters = cache != nullptr ? cache->counters[*index] : pool.folded;

  std::uint32_t slot = take_free_slot(pool, cache);
  if (slot == kNoSlot) {
    count(counters.slow_path, cache != nullptr);
    std::lock_guard<std::mutex> lock(pool.refill_mutex);
    // Another thread may have refilled while this one waited for the lock.
    slot = take_free_slot(pool, cache);
    if (slot == kNoSlot) {
      count(counters.refill, cache != nullptr);
      AreaContext context = area_context();
      Status status = Status::kOk;
      slot = pool.refill(context, size, &status, detail);
      if (slot == kNoSlot) return status;
    }
  }

  Slot& record = pool.slots.at(slot);
  const std::uint64_t state = record.state.load(std::memory_order_relaxed);
  LGALLOC_ASSERT((state & (slot_state::kAllocated | slot_state::kRetired)) == 0);
  const std::uint64_t generation = slot_state::generation(state) + 1;
  record.state.store(slot_state::make(generation, slot_state::kAllocated),
                     std::memory_order_release);
  // Counted on success only, so that allocations - deallocations is the number of regions
  // callers hold (lgalloc 0.7 also counts failed attempts).
  count(counters.allocations, cache != nullptr);

  out->ptr = record.base.load(std::memory_order_relaxed);
  out->capacity = pool.region_bytes;
  out->known_zero = (state & slot_state::kKnownZero) != 0;
  out->size_class_index = static_cast<std::uint8_t>(*index);
  out->slot = slot;
  out->generation = generation;
  return Status::kOk;
}

std::uint32_t AllocatorImpl::take_free_slot(SizeClassPool& pool, ThreadCache* cache) noexcept {
  const unsigned index = pool.index;
  if (cache != nullptr) {
    const std::uint32_t slot = cache->deques[index].pop();
    if (slot != kNoSlot) return slot;
  }
  // Take half a cache's worth at once, so the next allocations stay local.
  const std::uint64_t local = settings_.local_buffer_bytes.load(std::memory_order_relaxed);
  const auto limit = cache == nullptr ? 1u
                                      : static_cast<std::uint32_t>(std::clamp<std::uint64_t>(
                                            local / pool.region_bytes / 2, 1, UINT32_MAX));
  std::uint32_t batch[GlobalPool::kMaxBatch];
  for (;;) {
    for (GlobalPool* global : {&pool.dirty, &pool.clean}) {
      const std::uint32_t count = global->pop_batch(limit, batch);
      if (count == 0) continue;
      // Each slot line was last written on the thread that freed it; ask for all of them
      // at once rather than wait for each one as its allocation comes.
      for (std::uint32_t i = 0; i < count; ++i) prefetch_for_write(&pool.slots.at(batch[i]));
      // Pushed last to first, so that the cache pops them in the pool's order.
      for (std::uint32_t i = count - 1; i >= 1; --i) {
        if (!cache->deques[index].push(batch[i])) global->push(batch[i]);
      }
      return batch[0];
    }
    bool retry = false;
    {
      std::shared_lock<std::shared_mutex> lock(threads_mutex_);
      for (const auto& other : threads_) {
        if (other.get() == cache) continue;
        std::uint32_t slot = kNoSlot;
        const StealResult result = other->deques[index].steal(&slot);
        if (result == StealResult::kSuccess) return slot;
        retry |= result == StealResult::kRetry;
      }
    }
    if (!retry) return kNoSlot;
  }
}

Slot* AllocatorImpl::live_slot(const Region& region, bool for_write) const noexcept {
  if (region.size_class_index >= kSizeClassCount || region.ptr == nullptr) return nullptr;
  const SizeClassPool& pool = *pools_[region.size_class_index];
  if (region.capacity != pool.region_bytes) return nullptr;
  Slot* slot = pool.slots.find(region.slot);
  // A deallocation reads the slot, then writes it (the state's CAS): one fetch, not two.
  if (for_write && slot != nullptr) prefetch_for_write(slot);
  if (slot == nullptr || slot->base.load(std::memory_order_relaxed) != region.ptr) return nullptr;
  return slot;
}

Status AllocatorImpl::deallocate(const Region& region) noexcept {
  Slot* const slot = live_slot(region, /*for_write=*/true);
  if (slot == nullptr) return Status::kInvalidHandle;
  // Exactly one deallocation of a live handle wins; repeated, stale and concurrent ones
  // fail here without touching the pools.
  std::uint64_t expected = slot_state::make(region.generation, slot_state::kAllocated);
  if (!slot->state.compare_exchange_strong(expected, slot_state::make(region.generation, 0),
                                           std::memory_order_acq_rel, std::memory_order_relaxed)) {
    return Status::kInvalidHandle;
  }

  SizeClassPool& pool = *pools_[region.size_class_index];
  // Only a thread that allocates has a cache (see thread_cache::existing).
  ThreadCache* const cache = thread_cache::existing(id_, lifetime_);
  ClassCounters& counters = cache != nullptr ? cache->counters[pool.index] : pool.folded;
  count(counters.deallocations, cache != nullptr);

  const std::uint64_t capacity =
      settings_.local_buffer_bytes.load(std::memory_order_relaxed) / pool.region_bytes;
  if (cache != nullptr && cache->deques[pool.index].length() < capacity &&
      cache->deques[pool.index].push(region.slot)) {
    return Status::kOk;
  }
  release_to_dirty_pool(pool, region.slot, counters);
  return Status::kOk;
}

void AllocatorImpl::release_to_dirty_pool(SizeClassPool& pool, std::uint32_t index,
                                          ClassCounters& counters) noexcept {
  if (settings_.eager_return.load(std::memory_order_relaxed)) {
    Slot& slot = pool.slots.at(index);
    bool zeroed = false;
    const int error = os_->advise(slot.base.load(std::memory_order_relaxed), pool.region_bytes,
                                  Advice::kDontNeed, &zeroed);
    if (error == 0) {
      count(counters.clear_eager, &counters != &pool.folded);
      if (zeroed) {
        const std::uint64_t state = slot.state.load(std::memory_order_relaxed);
        slot.state.store(state | slot_state::kKnownZero, std::memory_order_relaxed);
      }
    } else {
      pool.madvise_failures.fetch_add(1, std::memory_order_relaxed);
      figures_.record_failure(error);
    }
  }
  pool.dirty.push(index);
}

bool AllocatorImpl::is_allocated(const Region& region) const noexcept {
  const Slot* const slot = live_slot(region, /*for_write=*/false);
  return slot != nullptr && slot->state.load(std::memory_order_acquire) ==
                                slot_state::make(region.generation, slot_state::kAllocated);
}

Status AllocatorImpl::move_contents(const Region& from, const Region& to, std::size_t length,
                                    ErrorDetail* detail) noexcept {
  if (!is_allocated(from) || !is_allocated(to) || from.ptr == to.ptr) {
    return fail(detail, Status::kInvalidHandle);
  }
  if (length > from.capacity || length > to.capacity) {
    ErrorDetail values;
    values.length = length;
    values.capacity = std::min(from.capacity, to.capacity);
    return fail(detail, Status::kOutOfBounds, values);
  }
  char* const source = static_cast<char*>(from.ptr);
  char* const target = static_cast<char*>(to.ptr);
  // Piece by piece, 2 MiB at a time: regions and every mapping boundary are 2 MiB
  // aligned, so a piece lies in one mapping and either moves whole or not at all (a
  // range spanning mappings may fail halfway on some kernels, and moving a piece twice
  // would replace the data with the zeros left behind). The kernel merges neighbouring
  // moved pieces into one mapping again. A piece it will not move is copied.
  //
  // The pieces are swapped, not just moved: the target's pages go to the source, through
  // a scratch mapping. Moving alone would leave the source without pages, and a pooled
  // region is reused soon, when every page would fault in (and be zeroed) again.
  const std::size_t whole = length & ~(kMinRegionBytes - 1);
  std::size_t copied = length - whole;
  const MapResult scratch = whole == 0 ? MapResult{} : os_->map(kMinRegionBytes);
  char* const spare = static_cast<char*>(scratch.address);
  for (std::size_t offset = 0; offset < whole; offset += kMinRegionBytes) {
    char* const from_piece = source + offset;
    char* const to_piece = target + offset;
    // Each step either happens or not; whatever fails, the target piece ends up with the
    // source's bytes, and the source piece's contents are unspecified anyway.
    if (spare != nullptr && os_->move_pages(to_piece, spare, kMinRegionBytes) == 0) {
      if (os_->move_pages(from_piece, to_piece, kMinRegionBytes) == 0) {
        os_->move_pages(spare, from_piece, kMinRegionBytes);
        continue;
      }
    } else if (os_->move_pages(from_piece, to_piece, kMinRegionBytes) == 0) {
      continue;
    }
    std::memcpy(to_piece, from_piece, kMinRegionBytes);
    copied += kMinRegionBytes;
  }
  // The scratch mapping holds no pages now, unless a step failed; either way it goes.
  if (spare != nullptr) os_->unmap(spare, kMinRegionBytes);
  if (length != whole) std::memcpy(target + whole, source + whole, length - whole);
  figures_.moved_bytes.fetch_add(length - copied, std::memory_order_relaxed);
  figures_.copied_bytes.fetch_add(copied, std::memory_order_relaxed);
  return Status::kOk;
}

Status AllocatorImpl::prefetch(const Region& region, std::size_t offset, std::size_t length,
                               ErrorDetail* detail) noexcept {
  if (!is_allocated(region)) return fail(detail, Status::kInvalidHandle);
  if (offset > region.capacity || length > region.capacity - offset) {
    ErrorDetail values;
    values.offset = offset;
    values.length = length;
    values.capacity = region.capacity;
    return fail(detail, Status::kOutOfBounds, values);
  }
  if (length == 0) return Status::kOk;
  // madvise wants a start aligned to the kernel's page size (a power of two).
  const std::size_t start = offset & ~(os_page_bytes() - 1);
  char* const base = static_cast<char*>(region.ptr);
  if (const int error = os_->advise(base + start, offset + length - start, Advice::kWillNeed);
      error != 0) {
    figures_.record_failure(error);
    ErrorDetail values;
    values.os_errno = error;
    return fail(detail, Status::kOsError, values);
  }
  return Status::kOk;
}

Status AllocatorImpl::configure(const ConfigUpdate& update, ErrorDetail* detail) noexcept {
  std::lock_guard<std::mutex> lock(configure_mutex_);
  if (update.background && update.background->has_value()) {
    const std::uint64_t interval = (*update.background)->interval_ns;
    if (interval == 0 || interval > kMaxBackgroundIntervalNs) {
      ErrorDetail values;
      values.field = "background.interval_ns";
      return fail(detail, Status::kInvalidArgument, values);
    }
  }
  if (update.enabled) settings_.enabled.store(*update.enabled, std::memory_order_relaxed);
  if (update.eager_return)
    settings_.eager_return.store(*update.eager_return, std::memory_order_relaxed);
  if (update.growth_dampener) {
    settings_.growth_dampener.store(*update.growth_dampener, std::memory_order_relaxed);
  }
  if (update.local_buffer_bytes) {
    settings_.local_buffer_bytes.store(*update.local_buffer_bytes, std::memory_order_relaxed);
  }
  if (update.max_area_bytes)
    settings_.max_area_bytes.store(*update.max_area_bytes, std::memory_order_relaxed);
  if (update.memory_limit_bytes) {
    settings_.memory_limit_bytes.store(*update.memory_limit_bytes, std::memory_order_relaxed);
  }
  if (update.background) {
    if (!update.background->has_value()) {
      background_.stop();
    } else if (const int error = background_.run(**update.background); error != 0) {
      figures_.record_failure(error);
      ErrorDetail values;
      values.os_errno = error;
      values.field = "background";
      return fail(detail, Status::kOsError, values);
    }
  }
  return Status::kOk;
}

Config AllocatorImpl::config() const {
  Config config;
  config.enabled = settings_.enabled.load(std::memory_order_relaxed);
  config.eager_return = settings_.eager_return.load(std::memory_order_relaxed);
  config.growth_dampener = settings_.growth_dampener.load(std::memory_order_relaxed);
  config.local_buffer_bytes = settings_.local_buffer_bytes.load(std::memory_order_relaxed);
  config.background = background_.config();
  config.max_area_bytes = settings_.max_area_bytes.load(std::memory_order_relaxed);
  config.memory_limit_bytes = settings_.memory_limit_bytes.load(std::memory_order_relaxed);
  return config;
}

void AllocatorImpl::stats(Stats* out) const noexcept {
  constexpr auto relaxed = std::memory_order_relaxed;
  *out = Stats{};
  {
    std::shared_lock<std::shared_mutex> lock(threads_mutex_);
    for (unsigned i = 0; i < kSizeClassCount; ++i) {
      const SizeClassPool& pool = *pools_[i];
      SizeClassStats& s = out->size_classes[i];
      s.region_bytes = pool.region_bytes;
      s.areas = pool.area_count.load(relaxed);
      s.area_total_bytes = pool.area_bytes.load(relaxed);
      s.clean_regions = pool.clean.length();
      s.global_regions = pool.dirty.length();
      auto add = [&s](const ClassCounters& c) {
        s.allocations += c.allocations.load(relaxed);
        s.slow_path += c.slow_path.load(relaxed);
        s.refill += c.refill.load(relaxed);
        s.deallocations += c.deallocations.load(relaxed);
        s.clear_eager_total += c.clear_eager.load(relaxed);
      };
      add(pool.folded);
      for (const auto& cache : threads_) {
        s.thread_regions += cache->deques[i].length();
        add(cache->counters[i]);
      }
      s.free_regions = s.clean_regions + s.global_regions + s.thread_regions;
      s.clear_slow_total = pool.clear_slow.load(relaxed);
      s.trimmed_areas = pool.trimmed_areas.load(relaxed);
      s.madvise_failures = pool.madvise_failures.load(relaxed);
    }
  }
  out->mapped_bytes = figures_.mapped_bytes.load(relaxed);
  out->memory_limit_bytes = settings_.memory_limit_bytes.load(relaxed);
  out->mmap_failures = figures_.mmap_failures.load(relaxed);
  out->background_passes = background_passes_.load(relaxed);
  out->last_os_errno = figures_.last_os_errno.load(relaxed);
  out->hugepage_advice_failed = figures_.hugepage_advice_failed.load(relaxed);
  out->moved_bytes = figures_.moved_bytes.load(relaxed);
  out->copied_bytes = figures_.copied_bytes.load(relaxed);
}

Status AllocatorImpl::trim(TrimResult* out) noexcept {
  TrimResult total;
  Status status = Status::kOk;
  AreaContext context = area_context();
  for (auto& pool : pools_) {
    const Status result = pool->trim(context, &total);
    if (result != Status::kOk) status = result;
  }
  if (out != nullptr) *out = total;
  return status;
}

void AllocatorImpl::drain(ThreadCache& cache) noexcept {
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    for (std::uint32_t slot = cache.deques[i].pop(); slot != kNoSlot;
         slot = cache.deques[i].pop()) {
      pools_[i]->dirty.push(slot);
    }
  }
}

void AllocatorImpl::flush_thread_cache() noexcept {
  if (ThreadCache* cache = thread_cache::existing(id_, lifetime_)) drain(*cache);
}

std::vector<AreaInfo> AllocatorImpl::areas() const {
  std::vector<AreaInfo> out;
  for (const auto& pool : pools_) pool->list_areas(&out);
  return out;
}

bool AllocatorImpl::register_thread(const std::shared_ptr<ThreadCache>& cache) noexcept {
  std::unique_lock<std::shared_mutex> lock(threads_mutex_);
  try {
    threads_.push_back(cache);
  } catch (...) {
    return false;
  }
  return true;
}

void AllocatorImpl::retire_thread(ThreadCache& cache) noexcept {
  // Under the registry's write lock, so that `stats` never counts a region or a counter
  // twice or not at all while it moves.
  std::unique_lock<std::shared_mutex> lock(threads_mutex_);
  drain(cache);
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    ClassCounters& from = cache.counters[i];
    ClassCounters& to = pools_[i]->folded;
    constexpr auto relaxed = std::memory_order_relaxed;
    to.allocations.fetch_add(from.allocations.load(relaxed), relaxed);
    to.slow_path.fetch_add(from.slow_path.load(relaxed), relaxed);
    to.refill.fetch_add(from.refill.load(relaxed), relaxed);
    to.deallocations.fetch_add(from.deallocations.load(relaxed), relaxed);
    to.clear_eager.fetch_add(from.clear_eager.load(relaxed), relaxed);
  }
  threads_.erase(
      std::remove_if(threads_.begin(), threads_.end(),
                     [&](const std::shared_ptr<ThreadCache>& c) { return c.get() == &cache; }),
      threads_.end());
}

void AllocatorImpl::clear_dirty_regions(std::uint64_t clear_bytes) noexcept {
  for (auto& pool_ptr : pools_) {
    SizeClassPool& pool = *pool_ptr;
    if (clear_bytes == 0) break;
    const std::uint64_t wanted =
        clear_bytes / pool.region_bytes + (clear_bytes % pool.region_bytes != 0 ? 1 : 0);
    std::uint64_t cleared = 0;
    bool failed = false;
    std::uint32_t batch[GlobalPool::kMaxBatch];
    while (cleared < wanted && !failed) {
      const auto limit = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(wanted - cleared, GlobalPool::kMaxBatch));
      const std::uint32_t count = pool.dirty.pop_batch(limit, batch);
      if (count == 0) break;
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t index = batch[i];
        Slot& slot = pool.slots.at(index);
        bool zeroed = false;
        const int error = failed ? -1
                                 : os_->advise(slot.base.load(std::memory_order_relaxed),
                                               pool.region_bytes, Advice::kFree, &zeroed);
        if (error == 0) {
          if (zeroed) {
            const std::uint64_t state = slot.state.load(std::memory_order_relaxed);
            slot.state.store(state | slot_state::kKnownZero, std::memory_order_relaxed);
          }
          pool.clean.push(index);
          ++cleared;
        } else {
          // Keep the region dirty and stop this class for this pass: the kernel refused,
          // and hammering it helps nobody. The next pass tries again.
          if (!failed) {
            pool.madvise_failures.fetch_add(1, std::memory_order_relaxed);
            figures_.record_failure(error);
          }
          failed = true;
          pool.dirty.push(index);
        }
      }
    }
    pool.clear_slow.fetch_add(cleared, std::memory_order_relaxed);
  }
  background_passes_.fetch_add(1, std::memory_order_relaxed);
}

// The facade.

Allocator::Allocator(const Config& config, std::shared_ptr<Os> os)
    : impl_(std::make_unique<AllocatorImpl>(config, std::move(os))) {}
Allocator::~Allocator() = default;

Allocator& Allocator::process_default() {
  // Deliberately never destroyed; see the declaration.
  static Allocator* const instance = new Allocator(Config{});
  return *instance;
}

Status Allocator::start_status() const noexcept { return impl_->start_status(); }
Status Allocator::allocate(std::size_t size, Region* out, ErrorDetail* detail) noexcept {
  return impl_->allocate(size, out, detail);
}
Status Allocator::deallocate(const Region& region) noexcept { return impl_->deallocate(region); }
Status Allocator::prefetch(const Region& region, std::size_t offset, std::size_t length,
                           ErrorDetail* detail) noexcept {
  return impl_->prefetch(region, offset, length, detail);
}
Status Allocator::move_contents(const Region& from, const Region& to, std::size_t length,
                                ErrorDetail* detail) noexcept {
  return impl_->move_contents(from, to, length, detail);
}
Status Allocator::configure(const ConfigUpdate& update, ErrorDetail* detail) noexcept {
  return impl_->configure(update, detail);
}
Config Allocator::config() const { return impl_->config(); }
void Allocator::stats(Stats* out) const noexcept { impl_->stats(out); }
Status Allocator::trim(TrimResult* out) noexcept { return impl_->trim(out); }
void Allocator::flush_thread_cache() noexcept { impl_->flush_thread_cache(); }
std::vector<AreaInfo> Allocator::areas() const { return impl_->areas(); }

}  // namespace lgalloc
