// One size class: its slots, its areas, its global dirty and clean pools, its refill lock
// and the counters folded in from exited threads and the background worker.
//
// Areas are created (refill) and destroyed (trim) only under `refill_mutex`; regions move
// between the pools and the thread caches without it.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "global_pool.h"
#include "lgalloc/lgalloc.h"
#include "region_table.h"
#include "settings.h"
#include "thread_cache.h"

namespace lgalloc {

struct Area {
  char* base;
  std::uint64_t bytes;
  std::uint32_t first_slot;
  std::uint32_t regions;
};

class SizeClassPool {
 public:
  explicit SizeClassPool(unsigned class_index)
      : index(class_index), region_bytes(region_bytes_of(class_index)) {}
  SizeClassPool(const SizeClassPool&) = delete;
  SizeClassPool& operator=(const SizeClassPool&) = delete;

  /// Maps a new area, sends all its regions but the first to the clean pool and returns
  /// the first slot (owned by the caller, not yet marked allocated), or kNoSlot with
  /// `*status` and `*detail` saying why. Caller holds `refill_mutex`.
  std::uint32_t refill(AreaContext& context, std::size_t requested, Status* status,
                       ErrorDetail* detail) noexcept;

  /// Unmaps every area whose regions are all in the global pools. Takes `refill_mutex`.
  Status trim(AreaContext& context, TrimResult* result) noexcept;

  /// Appends every mapped area to `out`. Takes `refill_mutex`.
  void list_areas(std::vector<AreaInfo>* out);

  /// Unmaps every area; for the allocator's destructor only.
  void unmap_all(Os& os) noexcept;

  /// Regions in each area, as lgalloc grows them: the first area is 32 MiB (at least one
  /// region); each next one adds max(initial, last / (dampener + 1)) regions; then
  /// `max_area_bytes` caps it (at least one region).
  std::uint64_t next_area_regions(const Settings& settings) const noexcept;

  const unsigned index;
  const std::size_t region_bytes;
  RegionTable slots;
  GlobalPool dirty{slots};
  GlobalPool clean{slots};
  std::mutex refill_mutex;

  std::atomic<std::uint64_t> area_count{0};
  std::atomic<std::uint64_t> area_bytes{0};

  /// Counters of exited threads and of threads without a cache.
  alignas(64) ClassCounters folded;  // written by every free on a thread without a cache
  std::atomic<std::uint64_t> clear_slow{0};
  std::atomic<std::uint64_t> trimmed_areas{0};
  std::atomic<std::uint64_t> madvise_failures{0};

 private:
  struct SlotRange {
    std::uint32_t first;
    std::uint32_t count;
  };

  std::uint32_t take_slots(std::uint32_t count) noexcept;
  std::uint64_t reserve_bytes(AreaContext& context, std::uint64_t regions) noexcept;

  // Guarded by refill_mutex.
  std::vector<Area> areas_;
  std::vector<SlotRange> free_slot_ranges_;  // slots of trimmed areas, for reuse
  std::uint32_t next_unused_slot_ = 0;
};

}  // namespace lgalloc
