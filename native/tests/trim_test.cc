// Allocator::trim: it unmaps the areas whose regions are all in the global pools, keeps
// every area with a region allocated or in a thread cache, and leaves the allocator able
// to map new areas (reusing slots without reviving old handles).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

// One region per area, so that each region's fate decides its own area's.
Config one_region_areas() {
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;
  return config;
}

TEST(Trim, DoesNothingWithoutAreas) {
  Allocator allocator(enabled_config());
  TrimResult result;
  EXPECT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 0u);
  EXPECT_EQ(result.bytes_unmapped, 0u);
  EXPECT_EQ(allocator.trim(), Status::kOk);  // the result is optional
}

TEST(Trim, UnmapsAnAreaWhoseRegionsAreAllFree) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  allocator.flush_thread_cache();
  TrimResult result;
  ASSERT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 1u);
  EXPECT_EQ(result.bytes_unmapped, 32 * kMiB);
  const Stats stats = stats_of(allocator);
  const SizeClassStats& s = stats.size_classes[0];
  EXPECT_EQ(stats.mapped_bytes, 0u);
  EXPECT_EQ(s.areas, 0u) << describe(s);
  EXPECT_EQ(s.area_total_bytes, 0u) << describe(s);
  EXPECT_EQ(s.free_regions, 0u) << describe(s);
  EXPECT_EQ(s.clean_regions, 0u) << describe(s);
  EXPECT_EQ(s.global_regions, 0u) << describe(s);
  EXPECT_EQ(s.trimmed_areas, 1u) << describe(s);
  EXPECT_EQ(s.allocations, 1u) << describe(s);
  EXPECT_EQ(s.deallocations, 1u) << describe(s);
  expect_consistent(allocator);
}

TEST(Trim, KeepsAnAreaWithARegionAllocated) {
  Allocator allocator(enabled_config());
  const Region held = allocate_ok(allocator, 2 * kMiB);
  const Region freed = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(freed), Status::kOk);
  allocator.flush_thread_cache();
  TrimResult result;
  ASSERT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 0u);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.areas, 1u) << describe(s);
  EXPECT_EQ(s.free_regions, 15u) << describe(s);
  EXPECT_EQ(s.trimmed_areas, 0u) << describe(s);
  // The pooled regions are still usable, and the held one still writable.
  std::memset(held.ptr, 1, held.capacity);
  for (int i = 0; i < 15; ++i) allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).areas, 1u);
  expect_consistent(allocator);
}

TEST(Trim, KeepsAnAreaWithARegionInAThreadCache) {
  Allocator allocator(one_region_areas());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  ASSERT_EQ(class_stats(allocator, 2 * kMiB).thread_regions, 1u);
  TrimResult result;
  ASSERT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 0u);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).areas, 1u);
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, region.ptr);
  std::memset(again.ptr, 2, again.capacity);
  ASSERT_EQ(allocator.deallocate(again), Status::kOk);
  expect_consistent(allocator);
}

TEST(Trim, KeepsAnAreaWithARegionInAnotherThreadsCache) {
  Allocator allocator(one_region_areas());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  Gate freed, exit;
  std::thread other([&] {
    // Allocating (in another class) gives this thread its cache.
    EXPECT_EQ(allocator.deallocate(allocate_ok(allocator, 4 * kMiB)), Status::kOk);
    EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    freed.open();
    exit.wait();
  });
  freed.wait();
  allocator.flush_thread_cache();
  TrimResult result;
  EXPECT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 0u);
  exit.open();
  other.join();
  // Now both sit in the dirty pool.
  EXPECT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 2u);
  expect_consistent(allocator);
}

TEST(Trim, UnmapsOnlyTheFreeAreas) {
  Allocator allocator(one_region_areas());
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  const Region c = allocate_ok(allocator, 2 * kMiB);
  const Region big = allocate_ok(allocator, 4 * kMiB);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  ASSERT_EQ(allocator.deallocate(c), Status::kOk);
  ASSERT_EQ(allocator.deallocate(big), Status::kOk);
  allocator.flush_thread_cache();
  TrimResult result;
  ASSERT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 3u);
  EXPECT_EQ(result.bytes_unmapped, 2 * 2 * kMiB + 4 * kMiB);
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.size_classes[0].areas, 1u);
  EXPECT_EQ(stats.size_classes[0].trimmed_areas, 2u);
  EXPECT_EQ(stats.size_classes[1].areas, 0u);
  EXPECT_EQ(stats.size_classes[1].trimmed_areas, 1u);
  EXPECT_EQ(stats.mapped_bytes, 2 * kMiB);
  std::memset(b.ptr, 3, b.capacity);  // the kept region is still mapped
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  expect_consistent(allocator);
}

TEST(Trim, CleanAndDirtyRegionsBothCount) {
  Config config = enabled_config();
  config.local_buffer_bytes = 0;
  Allocator allocator(config);
  // One area of 16: 4 go back dirty, 12 stay clean.
  std::vector<Region> regions;
  for (int i = 0; i < 4; ++i) regions.push_back(allocate_ok(allocator, 2 * kMiB));
  for (const Region& region : regions) ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  const SizeClassStats before = class_stats(allocator, 2 * kMiB);
  ASSERT_EQ(before.global_regions, 4u) << describe(before);
  ASSERT_EQ(before.clean_regions, 12u) << describe(before);
  TrimResult result;
  ASSERT_EQ(allocator.trim(&result), Status::kOk);
  EXPECT_EQ(result.areas_unmapped, 1u);
  expect_consistent(allocator);
}

TEST(Trim, AllocationAfterTrimMapsANewArea) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  allocator.flush_thread_cache();
  ASSERT_EQ(allocator.trim(), Status::kOk);
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_TRUE(again.known_zero);
  EXPECT_TRUE(all_zero(again.ptr, again.capacity));
  std::memset(again.ptr, 4, again.capacity);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.areas, 1u) << describe(s);
  EXPECT_EQ(s.refill, 2u) << describe(s);
  EXPECT_GT(s.area_total_bytes, 0u) << describe(s);
  ASSERT_EQ(allocator.deallocate(again), Status::kOk);
  expect_consistent(allocator);
}

TEST(Trim, HandlesFromATrimmedAreaStayInvalid) {
  Allocator allocator(one_region_areas());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  allocator.flush_thread_cache();
  ASSERT_EQ(allocator.trim(), Status::kOk);
  EXPECT_EQ(allocator.deallocate(region), Status::kInvalidHandle);
  EXPECT_EQ(allocator.prefetch(region, 0, kPageBytes), Status::kInvalidHandle);

  // A new area may reuse the slot (and even the address): the old handle stays stale.
  const Region fresh = allocate_ok(allocator, 2 * kMiB);
  if (fresh.slot == region.slot) EXPECT_NE(fresh.generation, region.generation);
  EXPECT_EQ(allocator.deallocate(region), Status::kInvalidHandle);
  Region forged = region;
  forged.ptr = fresh.ptr;
  forged.slot = fresh.slot;
  EXPECT_EQ(allocator.deallocate(forged), Status::kInvalidHandle);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.deallocations, 1u) << describe(s);
  EXPECT_EQ(allocator.deallocate(fresh), Status::kOk);
  expect_consistent(allocator);
}

TEST(Trim, RepeatedTrimsAndRefillsStayConsistent) {
  Allocator allocator(enabled_config());
  for (int round = 0; round < 10; ++round) {
    std::vector<Region> regions;
    for (int i = 0; i < 20 + round; ++i) {
      regions.push_back(allocate_ok(allocator, (i % 4 == 0 ? 4 : 2) * kMiB));
    }
    for (const Region& region : regions) static_cast<char*>(region.ptr)[0] = 1;
    for (const Region& region : regions) ASSERT_EQ(allocator.deallocate(region), Status::kOk);
    allocator.flush_thread_cache();
    TrimResult result;
    ASSERT_EQ(allocator.trim(&result), Status::kOk);
    EXPECT_GT(result.areas_unmapped, 0u);
    EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u) << round;
    expect_consistent(allocator);
  }
}

TEST(Trim, RunsWhileOtherThreadsAllocate) {
  Config config = enabled_config();
  config.local_buffer_bytes = 4 * kMiB;
  Allocator allocator(config);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      const int iterations = 3000 / kSanitizerSlowdown;
      for (int i = 0; i < iterations; ++i) {
        const Region region = allocate_ok(allocator, (1 + (i + t) % 2) * 2 * kMiB);
        static_cast<char*>(region.ptr)[region.capacity - 1] = static_cast<char>(i);
        EXPECT_EQ(allocator.deallocate(region), Status::kOk);
      }
    });
  }
  std::thread trimmer([&] {
    while (!stop.load()) {
      EXPECT_EQ(allocator.trim(), Status::kOk);
      std::this_thread::yield();
    }
  });
  for (std::thread& thread : threads) thread.join();
  stop.store(true);
  trimmer.join();
  expect_consistent(allocator);
  ASSERT_EQ(allocator.trim(), Status::kOk);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u);
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
