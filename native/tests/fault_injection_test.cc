// Failed system calls, injected with FaultInjectingOs: a failed mmap is kOutOfMemory and
// leaves nothing behind, a refused MADV_HUGEPAGE is only noted, a failed MADV_DONTNEED or
// MADV_FREE leaves the region dirty, and a failed munmap during trim keeps the area.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

constexpr std::uint64_t kTenMs = 10'000'000;

TEST(FaultInjection, AFailedMapIsOutOfMemoryWithTheErrno) {
  auto os = faulty_os();
  Allocator allocator(enabled_config(), os);
  os->fail_map(ENOMEM);
  Region region;
  region.capacity = 5;
  ErrorDetail detail;
  EXPECT_EQ(allocator.allocate(2 * kMiB, &region, &detail), Status::kOutOfMemory);
  EXPECT_EQ(detail.os_errno, ENOMEM);
  EXPECT_EQ(detail.size, 2 * kMiB);
  EXPECT_EQ(region.capacity, 5u);
  EXPECT_EQ(region.ptr, nullptr);
  Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.mmap_failures, 1u);
  EXPECT_EQ(stats.last_os_errno, ENOMEM);
  EXPECT_EQ(stats.mapped_bytes, 0u);
  EXPECT_EQ(stats.size_classes[0].areas, 0u);
  EXPECT_EQ(stats.size_classes[0].free_regions, 0u);
  EXPECT_EQ(stats.size_classes[0].allocations, 0u);
  expect_consistent(allocator);

  // The fault was for one call: the next allocation maps an area.
  const Region next = allocate_ok(allocator, 2 * kMiB);
  EXPECT_NE(next.ptr, nullptr);
  stats = stats_of(allocator);
  EXPECT_EQ(stats.mmap_failures, 1u);
  EXPECT_EQ(stats.mapped_bytes, 32 * kMiB);
  EXPECT_EQ(os->map_calls(), 2u);
  expect_consistent(allocator);
}

TEST(FaultInjection, AnyMapErrnoIsReported) {
  auto os = faulty_os();
  Allocator allocator(enabled_config(), os);
  os->fail_map(EAGAIN, 2);
  for (int i = 0; i < 2; ++i) {
    Region region;
    ErrorDetail detail;
    EXPECT_EQ(allocator.allocate(4 * kMiB, &region, &detail), Status::kOutOfMemory);
    EXPECT_EQ(detail.os_errno, EAGAIN);
  }
  EXPECT_EQ(stats_of(allocator).mmap_failures, 2u);
  allocate_ok(allocator, 4 * kMiB);
  expect_consistent(allocator);
}

TEST(FaultInjection, AFailedMapWhileGrowingKeepsTheExistingAreas) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;
  Allocator allocator(config, os);
  const Region first = allocate_ok(allocator, 2 * kMiB);
  os->fail_map(ENOMEM);
  Region region;
  EXPECT_EQ(allocator.allocate(2 * kMiB, &region), Status::kOutOfMemory);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).areas, 1u);
  ASSERT_EQ(allocator.deallocate(first), Status::kOk);
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, first.ptr);
  expect_consistent(allocator);
}

TEST(FaultInjection, ARefusedHugePageHintIsNotedButHarmless) {
  auto os = faulty_os();
  Allocator allocator(enabled_config(), os);
  EXPECT_FALSE(stats_of(allocator).hugepage_advice_failed);
  os->fail_advise(Advice::kHugePage, EINVAL);
  const Region region = allocate_ok(allocator, 2 * kMiB);
  std::memset(region.ptr, 1, region.capacity);
  EXPECT_EQ(os->advise_calls(Advice::kHugePage), 1u);
  const Stats stats = stats_of(allocator);
  EXPECT_TRUE(stats.hugepage_advice_failed);
  EXPECT_EQ(stats.mmap_failures, 0u);
  EXPECT_EQ(stats.size_classes[0].madvise_failures, 0u);
  EXPECT_EQ(stats.size_classes[0].areas, 1u);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  expect_consistent(allocator);
}

TEST(FaultInjection, EachNewAreaGetsTheHugePageHint) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;
  Allocator allocator(config, os);
  for (int i = 0; i < 3; ++i) allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(os->advise_calls(Advice::kHugePage), 3u);
  EXPECT_FALSE(stats_of(allocator).hugepage_advice_failed);
}

TEST(FaultInjection, AFailedEagerReturnLeavesTheRegionDirty) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.eager_return = true;
  config.local_buffer_bytes = 0;  // every free overflows the cache
  Allocator allocator(config, os);
  const Region region = allocate_ok(allocator, 2 * kMiB);
  std::memset(region.ptr, 0x42, region.capacity);
  os->fail_advise(Advice::kDontNeed, EAGAIN);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  EXPECT_EQ(os->advise_calls(Advice::kDontNeed), 1u);
  const Stats stats = stats_of(allocator);
  const SizeClassStats& s = stats.size_classes[0];
  EXPECT_EQ(s.madvise_failures, 1u) << describe(s);
  EXPECT_EQ(s.deallocations, 1u) << describe(s);
  EXPECT_EQ(s.global_regions, 1u) << describe(s);
  EXPECT_EQ(stats.last_os_errno, EAGAIN);

  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, region.ptr);
  EXPECT_FALSE(again.known_zero);
  EXPECT_EQ(static_cast<unsigned char*>(again.ptr)[100], 0x42);

  // The fault is spent: the next eager return zeroes the region.
  ASSERT_EQ(allocator.deallocate(again), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).clear_eager_total, 1u);
  const Region zeroed = allocate_ok(allocator, 2 * kMiB);
  EXPECT_TRUE(zeroed.known_zero);
  EXPECT_TRUE(all_zero(zeroed.ptr, zeroed.capacity));
  ASSERT_EQ(allocator.deallocate(zeroed), Status::kOk);
  expect_consistent(allocator);
}

TEST(FaultInjection, AFailedBackgroundClearLeavesRegionsDirtyAndTheWorkerRunning) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.local_buffer_bytes = 0;
  Allocator allocator(config, os);
  std::vector<Region> regions;
  for (int i = 0; i < 4; ++i) regions.push_back(allocate_ok(allocator, 2 * kMiB));
  for (const Region& region : regions) ASSERT_EQ(allocator.deallocate(region), Status::kOk);

  os->fail_advise(Advice::kFree, EIO, 1000000);
  ConfigUpdate start;
  start.background = std::optional<BackgroundConfig>(BackgroundConfig{kTenMs, 64 * kMiB});
  ASSERT_EQ(allocator.configure(start), Status::kOk);
  EXPECT_TRUE(wait_until([&] { return class_stats(allocator, 2 * kMiB).madvise_failures >= 4; }));
  EXPECT_TRUE(wait_until([&] { return stats_of(allocator).background_passes >= 3; }));
  SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.global_regions, 4u) << describe(s);
  EXPECT_EQ(s.clear_slow_total, 0u) << describe(s);
  EXPECT_EQ(stats_of(allocator).last_os_errno, EIO);
  const std::uint64_t failures = s.madvise_failures;
  EXPECT_TRUE(
      wait_until([&] { return class_stats(allocator, 2 * kMiB).madvise_failures > failures; }));

  // Once MADV_FREE works again the same worker cleans them.
  os->fail_advise(Advice::kFree, EIO, 0);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 4));
  s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.clear_slow_total, 4u) << describe(s);
  ConfigUpdate stop;
  stop.background = std::optional<BackgroundConfig>{};
  ASSERT_EQ(allocator.configure(stop), Status::kOk);
  expect_consistent(allocator);
}

TEST(FaultInjection, AFailedUnmapDuringTrimKeepsTheArea) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;
  Allocator allocator(config, os);
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  allocator.flush_thread_cache();

  os->fail_unmap(EINVAL);
  TrimResult result;
  EXPECT_EQ(allocator.trim(&result), Status::kOsError);
  EXPECT_EQ(os->unmap_calls(), 2u);
  EXPECT_EQ(result.areas_unmapped, 1u);
  EXPECT_EQ(result.bytes_unmapped, 2 * kMiB);
  Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.last_os_errno, EINVAL);
  EXPECT_EQ(stats.mapped_bytes, 2 * kMiB);
  EXPECT_EQ(stats.size_classes[0].areas, 1u);
  EXPECT_EQ(stats.size_classes[0].free_regions, 1u);
  EXPECT_EQ(stats.size_classes[0].trimmed_areas, 1u);
  expect_consistent(allocator);

  // The kept area still serves allocations, and the next trim unmaps it.
  const Region again = allocate_ok(allocator, 2 * kMiB);
  std::memset(again.ptr, 1, again.capacity);
  ASSERT_EQ(allocator.deallocate(again), Status::kOk);
  allocator.flush_thread_cache();
  EXPECT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 1u);
  stats = stats_of(allocator);
  EXPECT_EQ(stats.mapped_bytes, 0u);
  EXPECT_EQ(stats.size_classes[0].trimmed_areas, 2u);
  expect_consistent(allocator);
}

TEST(FaultInjection, FaultsAreCountedDown) {
  // The wrapper itself: each armed fault fails exactly `count` calls.
  auto os = faulty_os();
  os->fail_map(ENOMEM, 2);
  EXPECT_EQ(os->map(2 * kMiB).os_errno, ENOMEM);
  EXPECT_EQ(os->map(2 * kMiB).os_errno, ENOMEM);
  const MapResult mapped = os->map(2 * kMiB);
  ASSERT_NE(mapped.address, nullptr);
  EXPECT_EQ(mapped.os_errno, 0);
  os->fail_advise(Advice::kWillNeed, EBUSY);
  EXPECT_EQ(os->advise(mapped.address, 2 * kMiB, Advice::kWillNeed), EBUSY);
  EXPECT_EQ(os->advise(mapped.address, 2 * kMiB, Advice::kWillNeed), 0);
  os->fail_unmap(EPERM);
  EXPECT_EQ(os->unmap(mapped.address, 2 * kMiB), EPERM);
  EXPECT_EQ(os->unmap(mapped.address, 2 * kMiB), 0);
  EXPECT_EQ(os->map_calls(), 3u);
  EXPECT_EQ(os->advise_calls(Advice::kWillNeed), 2u);
  EXPECT_EQ(os->unmap_calls(), 2u);
}

TEST(FaultInjection, TheSystemOsZeroesWithDontNeed) {
  const std::shared_ptr<Os> os = system_os();
  const MapResult mapped = os->map(2 * kMiB);
  ASSERT_NE(mapped.address, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(mapped.address) % (2 * kMiB), 0u);
  std::memset(mapped.address, 9, 2 * kMiB);
  bool zeroed = false;
  EXPECT_EQ(os->advise(mapped.address, 2 * kMiB, Advice::kDontNeed, &zeroed), 0);
  EXPECT_TRUE(zeroed);
  EXPECT_TRUE(all_zero(mapped.address, 2 * kMiB));
  EXPECT_EQ(os->unmap(mapped.address, 2 * kMiB), 0);
}

}  // namespace
}  // namespace lgalloc::test
