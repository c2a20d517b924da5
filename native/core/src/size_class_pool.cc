// Areas of one size class: growing the pool by mapping a new area (refill), giving areas
// back to the kernel (trim) and the bookkeeping of which slots back which area.
#include "size_class_pool.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace lgalloc {
namespace {

constexpr std::uint64_t kInitialAreaBytes = 32u << 20;
// No single mapping beyond 2^47 bytes (the x86_64 user address space), whatever the
// growth rule says; it also keeps every byte count far from overflow.
constexpr std::uint64_t kMaxAreaBytes = std::uint64_t{1} << 47;

// Once per process, as lgalloc does: the hint failing is a property of the machine.
std::atomic<bool> hugepage_warning_printed{false};

void warn_hugepage_refused(int os_errno) noexcept {
  if (!hugepage_warning_printed.exchange(true, std::memory_order_relaxed)) {
    std::fprintf(stderr,
                 "lgalloc: madvise(MADV_HUGEPAGE) failed (errno %d); transparent huge pages "
                 "may be disabled. Continuing with base pages.\n",
                 os_errno);
  }
}

}  // namespace

std::uint64_t SizeClassPool::next_area_regions(const Settings& settings) const noexcept {
  const std::uint64_t initial = std::max<std::uint64_t>(1, kInitialAreaBytes / region_bytes);
  const std::uint64_t last = areas_.empty() ? 0 : areas_.back().regions;
  const std::uint64_t dampener = settings.growth_dampener.load(std::memory_order_relaxed);
  const std::uint64_t growth = dampener == UINT64_MAX ? 0 : last / (dampener + 1);
  std::uint64_t regions = last + std::max(initial, growth);
  const std::uint64_t cap = settings.max_area_bytes.load(std::memory_order_relaxed);
  if (cap != 0) regions = std::min(regions, std::max<std::uint64_t>(1, cap / region_bytes));
  regions = std::min(regions, std::max<std::uint64_t>(1, kMaxAreaBytes / region_bytes));
  return std::min<std::uint64_t>(regions, RegionTable::kMaxSlots);
}

// Claims mapped bytes for up to `regions` regions against the memory limit, shrinking the
// area to what still fits. Returns the number of regions claimed (0: none fits).
std::uint64_t SizeClassPool::reserve_bytes(AreaContext& context, std::uint64_t regions) noexcept {
  std::uint64_t mapped = context.figures.mapped_bytes.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint64_t limit = context.settings.memory_limit_bytes.load(std::memory_order_relaxed);
    std::uint64_t granted = regions;
    if (limit != 0) {
      const std::uint64_t room = mapped >= limit ? 0 : limit - mapped;
      granted = std::min(granted, room / region_bytes);
      if (granted == 0) return 0;
    }
    if (context.figures.mapped_bytes.compare_exchange_weak(mapped, mapped + granted * region_bytes,
                                                           std::memory_order_relaxed)) {
      return granted;
    }
  }
}

std::uint32_t SizeClassPool::take_slots(std::uint32_t count) noexcept {
  for (auto it = free_slot_ranges_.begin(); it != free_slot_ranges_.end(); ++it) {
    if (it->count < count) continue;
    const std::uint32_t first = it->first;
    it->first += count;
    it->count -= count;
    if (it->count == 0) free_slot_ranges_.erase(it);
    return first;
  }
  if (count > RegionTable::kMaxSlots - next_unused_slot_) return kNoSlot;
  const std::uint32_t first = next_unused_slot_;
  next_unused_slot_ += count;
  return first;
}

std::uint32_t SizeClassPool::refill(AreaContext& context, std::size_t requested, Status* status,
                                    ErrorDetail* detail) noexcept {
  auto fail = [&](int os_errno, std::uint64_t limit) {
    *status = Status::kOutOfMemory;
    if (detail != nullptr) {
      *detail = ErrorDetail{};
      detail->status = Status::kOutOfMemory;
      detail->os_errno = os_errno;
      detail->size = requested;
      detail->limit = limit;
    }
    return kNoSlot;
  };

  const std::uint64_t regions = reserve_bytes(context, next_area_regions(context.settings));
  if (regions == 0) {
    return fail(0, context.settings.memory_limit_bytes.load(std::memory_order_relaxed));
  }
  const std::uint64_t bytes = regions * region_bytes;
  auto unreserve = [&] {
    context.figures.mapped_bytes.fetch_sub(bytes, std::memory_order_relaxed);
  };

  // Room in the area lists first, so that nothing after the mapping can fail for want of
  // memory (a growing vector would throw inside this noexcept function).
  try {
    areas_.reserve(areas_.size() + 1);
    free_slot_ranges_.reserve(free_slot_ranges_.size() + 1);
  } catch (...) {
    unreserve();
    return fail(ENOMEM, 0);
  }

  const auto count = static_cast<std::uint32_t>(regions);
  const std::uint32_t first = take_slots(count);
  if (first == kNoSlot || !slots.ensure(first, count)) {
    if (first != kNoSlot) free_slot_ranges_.push_back({first, count});
    unreserve();
    return fail(ENOMEM, 0);
  }

  const MapResult mapping = context.os.map(bytes);
  if (mapping.address == nullptr) {
    free_slot_ranges_.push_back({first, count});
    unreserve();
    context.figures.mmap_failures.fetch_add(1, std::memory_order_relaxed);
    context.figures.record_failure(mapping.os_errno);
    return fail(mapping.os_errno, 0);
  }
  char* const base = static_cast<char*>(mapping.address);
  if (const int error = context.os.advise(base, bytes, Advice::kHugePage); error != 0) {
    context.figures.hugepage_advice_failed.store(true, std::memory_order_relaxed);
    context.figures.record_failure(error);
    warn_hugepage_refused(error);
  }
  areas_.push_back(Area{base, bytes, first, count});

  // Fresh anonymous memory reads as zero. A reused slot keeps its generation, so handles
  // from before the trim stay invalid.
  for (std::uint32_t i = 0; i < count; ++i) {
    Slot& slot = slots.at(first + i);
    slot.base.store(base + std::uint64_t{i} * region_bytes, std::memory_order_relaxed);
    const std::uint64_t generation =
        slot_state::generation(slot.state.load(std::memory_order_relaxed));
    slot.state.store(slot_state::make(generation, slot_state::kKnownZero),
                     std::memory_order_relaxed);
    slot.next.store(i + 1 < count ? first + i + 1 : kNoSlot, std::memory_order_relaxed);
  }
  if (count > 1) clean.push_chain(first + 1, first + count - 1, count - 1);
  area_count.fetch_add(1, std::memory_order_relaxed);
  area_bytes.fetch_add(bytes, std::memory_order_relaxed);
  *status = Status::kOk;
  return first;
}

Status SizeClassPool::trim(AreaContext& context, TrimResult* result) noexcept {
  std::lock_guard<std::mutex> lock(refill_mutex);
  if (areas_.empty()) return Status::kOk;

  // Scratch space before anything moves: if memory for it cannot be had, nothing changed.
  std::vector<std::size_t> by_first;  // area indices sorted by first slot
  std::vector<std::uint32_t> present;
  std::vector<char> unmapped;
  try {
    by_first.resize(areas_.size());
    present.assign(areas_.size(), 0);
    unmapped.assign(areas_.size(), 0);
    free_slot_ranges_.reserve(free_slot_ranges_.size() + areas_.size());
  } catch (...) {
    return Status::kOutOfMemory;
  }
  for (std::size_t i = 0; i < by_first.size(); ++i) by_first[i] = i;
  std::sort(by_first.begin(), by_first.end(), [&](std::size_t a, std::size_t b) {
    return areas_[a].first_slot < areas_[b].first_slot;
  });
  auto area_of = [&](std::uint32_t slot) {
    auto it =
        std::upper_bound(by_first.begin(), by_first.end(), slot,
                         [&](std::uint32_t s, std::size_t a) { return s < areas_[a].first_slot; });
    return *(it - 1);
  };

  // Take both pools whole, one CAS each whatever their length (issue 7, item 9); what is
  // not unmapped goes back. Allocations meanwhile find the pools empty and wait for
  // `refill_mutex`, which this holds, rather than map new areas.
  struct Chain {
    GlobalPool* pool;
    std::uint32_t first;
  };
  Chain chains[2] = {{&dirty, kNoSlot}, {&clean, kNoSlot}};
  for (Chain& chain : chains) {
    std::uint32_t count = 0;
    chain.first = chain.pool->take_all(&count);
    for (std::uint32_t slot = chain.first; slot != kNoSlot;
         slot = slots.at(slot).next.load(std::memory_order_relaxed)) {
      ++present[area_of(slot)];
    }
  }

  Status status = Status::kOk;
  for (std::size_t a = 0; a < areas_.size(); ++a) {
    if (present[a] != areas_[a].regions) continue;
    if (const int error = context.os.unmap(areas_[a].base, areas_[a].bytes); error != 0) {
      context.figures.record_failure(error);
      status = Status::kOsError;
      continue;
    }
    unmapped[a] = 1;
  }

  for (const Chain& chain : chains) {
    std::uint32_t first = kNoSlot, last = kNoSlot, count = 0;
    for (std::uint32_t slot = chain.first; slot != kNoSlot;) {
      const std::uint32_t next = slots.at(slot).next.load(std::memory_order_relaxed);
      if (!unmapped[area_of(slot)]) {
        if (first == kNoSlot) {
          first = slot;
        } else {
          slots.at(last).next.store(slot, std::memory_order_relaxed);
        }
        last = slot;
        ++count;
      }
      slot = next;
    }
    if (count != 0) chain.pool->push_chain(first, last, count);
  }

  // Drop the unmapped areas in place (no allocation).
  std::size_t kept = 0;
  for (std::size_t a = 0; a < areas_.size(); ++a) {
    const Area area = areas_[a];
    if (!unmapped[a]) {
      areas_[kept++] = area;
      continue;
    }
    for (std::uint32_t i = 0; i < area.regions; ++i) {
      Slot& slot = slots.at(area.first_slot + i);
      const std::uint64_t generation =
          slot_state::generation(slot.state.load(std::memory_order_relaxed));
      slot.state.store(slot_state::make(generation, slot_state::kRetired),
                       std::memory_order_relaxed);
      slot.base.store(nullptr, std::memory_order_relaxed);
    }
    free_slot_ranges_.push_back({area.first_slot, area.regions});  // reserved above
    area_count.fetch_sub(1, std::memory_order_relaxed);
    area_bytes.fetch_sub(area.bytes, std::memory_order_relaxed);
    context.figures.mapped_bytes.fetch_sub(area.bytes, std::memory_order_relaxed);
    trimmed_areas.fetch_add(1, std::memory_order_relaxed);
    if (result != nullptr) {
      result->areas_unmapped += 1;
      result->bytes_unmapped += area.bytes;
    }
  }
  areas_.erase(areas_.begin() + static_cast<std::ptrdiff_t>(kept), areas_.end());
  return status;
}

void SizeClassPool::list_areas(std::vector<AreaInfo>* out) {
  std::lock_guard<std::mutex> lock(refill_mutex);
  for (const Area& area : areas_) out->push_back(AreaInfo{area.base, area.bytes, index});
}

void SizeClassPool::unmap_all(Os& os) noexcept {
  std::lock_guard<std::mutex> lock(refill_mutex);
  for (const Area& area : areas_) os.unmap(area.base, area.bytes);
  areas_.clear();
}

}  // namespace lgalloc
