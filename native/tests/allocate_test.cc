// Allocator::allocate: which sizes it accepts, how it rounds them, what it reports on
// error, the order in which it looks for a free region (thread cache, dirty pool, clean
// pool, another thread's cache, a new area), and the largest size classes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>

#include "test_support.h"

namespace lgalloc::test {
namespace {

// A region that no successful call returns, to check that failed calls leave `*out` alone.
Region sentinel_region() {
  Region region;
  region.ptr = reinterpret_cast<void*>(std::uintptr_t{0x1000});
  region.capacity = 77;
  region.known_zero = true;
  region.size_class_index = 9;
  region.slot = 1234;
  region.generation = 5678;
  return region;
}

void expect_sentinel(const Region& region) {
  const Region expected = sentinel_region();
  EXPECT_EQ(region.ptr, expected.ptr);
  EXPECT_EQ(region.capacity, expected.capacity);
  EXPECT_EQ(region.known_zero, expected.known_zero);
  EXPECT_EQ(region.size_class_index, expected.size_class_index);
  EXPECT_EQ(region.slot, expected.slot);
  EXPECT_EQ(region.generation, expected.generation);
}

TEST(Allocate, ReturnsAWritableRegionOfTheRequestedClass) {
  Allocator allocator(enabled_config());
  Region region;
  ASSERT_EQ(allocator.allocate(2 * kMiB, &region), Status::kOk);
  ASSERT_NE(region.ptr, nullptr);
  EXPECT_EQ(region.capacity, 2 * kMiB);
  EXPECT_EQ(region.size_class_index, 0);
  std::memset(region.ptr, 0xab, region.capacity);
  EXPECT_EQ(static_cast<unsigned char*>(region.ptr)[region.capacity - 1], 0xab);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  expect_consistent(allocator);
}

TEST(Allocate, RoundsUpToThePowerOfTwoSizeClass) {
  Allocator allocator(enabled_config());
  const struct {
    std::size_t request;
    std::size_t capacity;
  } cases[] = {
      {2 * kMiB, 2 * kMiB},       {2 * kMiB + 1, 4 * kMiB}, {3 * kMiB, 4 * kMiB},
      {4 * kMiB, 4 * kMiB},       {4 * kMiB + 1, 8 * kMiB}, {5 * kMiB, 8 * kMiB},
      {16 * kMiB - 1, 16 * kMiB}, {33 * kMiB, 64 * kMiB},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.request);
    const std::uint64_t before = class_stats(allocator, c.capacity).allocations;
    Region region;
    ASSERT_EQ(allocator.allocate(c.request, &region), Status::kOk);
    EXPECT_EQ(region.capacity, c.capacity);
    EXPECT_EQ(region.size_class_index, class_of(c.capacity));
    EXPECT_EQ(class_stats(allocator, c.capacity).allocations, before + 1);
    EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  }
  expect_consistent(allocator);
}

TEST(Allocate, RegionsAreAlignedToTwoMiB) {
  Allocator allocator(enabled_config());
  for (const std::size_t size : {2 * kMiB, 4 * kMiB, 8 * kMiB, 64 * kMiB}) {
    const Region region = allocate_ok(allocator, size);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(region.ptr) % (2 * kMiB), 0u) << size;
    EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  }
}

TEST(Allocate, RejectsSizesOutsideTheClassesWithTheSize) {
  Allocator allocator(enabled_config());
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, 2 * kMiB - 1, kMaxRegionBytes + 1, SIZE_MAX}) {
    SCOPED_TRACE(size);
    Region region = sentinel_region();
    ErrorDetail detail;
    EXPECT_EQ(allocator.allocate(size, &region, &detail), Status::kInvalidSizeClass);
    EXPECT_EQ(detail.size, size);
    expect_sentinel(region);
  }
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.mapped_bytes, 0u);
  for (const SizeClassStats& s : stats.size_classes) EXPECT_EQ(s.allocations, 0u);
}

TEST(Allocate, ErrorDetailNamesTheStatus) {
  Allocator allocator(enabled_config());
  Region region;
  ErrorDetail detail;
  ASSERT_EQ(allocator.allocate(1, &region, &detail), Status::kInvalidSizeClass);
  EXPECT_EQ(detail.status, Status::kInvalidSizeClass);
}

TEST(Allocate, ErrorsWithoutADetailPointer) {
  Allocator allocator(enabled_config());
  Region region = sentinel_region();
  EXPECT_EQ(allocator.allocate(1, &region), Status::kInvalidSizeClass);
  expect_sentinel(region);
}

TEST(Allocate, IsDisabledByDefault) {
  Allocator allocator;
  Region region = sentinel_region();
  EXPECT_EQ(allocator.allocate(2 * kMiB, &region), Status::kDisabled);
  expect_sentinel(region);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u);
}

TEST(Allocate, WorksOnceEnabled) {
  Allocator allocator;
  ASSERT_EQ(allocator.configure(ConfigUpdate{.enabled = true}), Status::kOk);
  const Region region = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  expect_consistent(allocator);
}

TEST(Allocate, FreshRegionsAreKnownZeroAndReadZero) {
  Allocator allocator(enabled_config());
  // The first area of the 2 MiB class holds 16 regions: check every one of them.
  std::vector<Region> regions;
  for (int i = 0; i < 16; ++i) {
    const Region region = allocate_ok(allocator, 2 * kMiB);
    EXPECT_TRUE(region.known_zero) << i;
    EXPECT_TRUE(all_zero(region.ptr, region.capacity)) << i;
    regions.push_back(region);
  }
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).areas, 1u);
  for (const Region& region : regions) EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  expect_consistent(allocator);
}

TEST(Allocate, TheLastRegionFreedIsTheNextReturned) {
  Allocator allocator(enabled_config());
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  const Region again_b = allocate_ok(allocator, 2 * kMiB);
  const Region again_a = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again_b.ptr, b.ptr);
  EXPECT_EQ(again_a.ptr, a.ptr);
  // A region that went back to the caller's cache was written to, so it is not known zero.
  EXPECT_FALSE(again_b.known_zero);
  EXPECT_FALSE(again_a.known_zero);
  EXPECT_EQ(allocator.deallocate(again_a), Status::kOk);
  EXPECT_EQ(allocator.deallocate(again_b), Status::kOk);
  expect_consistent(allocator);
}

// Follows one size class through every source of regions, checking the counters after each
// step. local_buffer_bytes = 8 MiB gives 2 MiB regions a cache of 4 and batches of 2.
TEST(Allocate, LooksInTheCacheThenDirtyThenCleanThenStealsThenMaps) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.local_buffer_bytes = 8 * kMiB;
  Allocator allocator(config, os);
  constexpr std::size_t kRegion = 2 * kMiB;
  auto expect_counts = [&](std::uint64_t clean, std::uint64_t global, std::uint64_t thread,
                           std::uint64_t allocations, std::uint64_t deallocations,
                           std::uint64_t slow_path, std::uint64_t refill) {
    const SizeClassStats s = class_stats(allocator, kRegion);
    SCOPED_TRACE(describe(s));
    EXPECT_EQ(s.clean_regions, clean);
    EXPECT_EQ(s.global_regions, global);
    EXPECT_EQ(s.thread_regions, thread);
    EXPECT_EQ(s.free_regions, clean + global + thread);
    EXPECT_EQ(s.allocations, allocations);
    EXPECT_EQ(s.deallocations, deallocations);
    EXPECT_EQ(s.slow_path, slow_path);
    EXPECT_EQ(s.refill, refill);
  };

  // A new area of 16 regions: the first is returned, 15 go to the clean pool.
  std::vector<Region> held;
  held.push_back(allocate_ok(allocator, kRegion));
  EXPECT_TRUE(held.back().known_zero);
  expect_counts(15, 0, 0, 1, 0, 1, 1);
  EXPECT_EQ(os->map_calls(), 1u);

  // A batch of 2 from the clean pool: one returned, one into the cache.
  held.push_back(allocate_ok(allocator, kRegion));
  EXPECT_TRUE(held.back().known_zero);
  expect_counts(13, 0, 1, 2, 0, 1, 1);

  // The cache first.
  held.push_back(allocate_ok(allocator, kRegion));
  EXPECT_TRUE(held.back().known_zero);
  expect_counts(13, 0, 0, 3, 0, 1, 1);

  // Seven regions in hand; freeing them fills the cache (4), the rest go to the dirty pool.
  for (int i = 0; i < 4; ++i) held.push_back(allocate_ok(allocator, kRegion));
  expect_counts(9, 0, 0, 7, 0, 1, 1);
  for (const Region& region : held) ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  expect_counts(9, 3, 4, 7, 7, 1, 1);

  // The cache, last freed first.
  for (int i = 0; i < 4; ++i) {
    const Region region = allocate_ok(allocator, kRegion);
    EXPECT_EQ(region.ptr, held[3 - i].ptr) << i;
    EXPECT_FALSE(region.known_zero);
  }
  expect_counts(9, 3, 0, 11, 7, 1, 1);

  // Then a batch of 2 from the dirty pool (one returned, one cached), before the clean pool.
  const Region from_dirty = allocate_ok(allocator, kRegion);
  EXPECT_FALSE(from_dirty.known_zero);
  EXPECT_TRUE(from_dirty.ptr == held[4].ptr || from_dirty.ptr == held[5].ptr ||
              from_dirty.ptr == held[6].ptr);
  expect_counts(9, 1, 1, 12, 7, 1, 1);
  allocate_ok(allocator, kRegion);  // the cached one
  allocate_ok(allocator, kRegion);  // the last dirty one
  expect_counts(9, 0, 0, 14, 7, 1, 1);

  // Then the clean pool again.
  const Region from_clean = allocate_ok(allocator, kRegion);
  EXPECT_TRUE(from_clean.known_zero);
  expect_counts(7, 0, 1, 15, 7, 1, 1);
  EXPECT_EQ(os->map_calls(), 1u);

  // Empty the clean pool and the cache: 8 more regions.
  for (int i = 0; i < 8; ++i) allocate_ok(allocator, kRegion);
  expect_counts(0, 0, 0, 23, 7, 1, 1);

  // Another thread (which allocated before, so it has a cache) frees one region into its
  // own cache; this thread steals it.
  const Region stolen = allocate_ok(allocator, kRegion);  // needs a new area: 32 regions
  expect_counts(31, 0, 0, 24, 7, 2, 2);
  std::vector<Region> rest;
  for (int i = 0; i < 31; ++i) rest.push_back(allocate_ok(allocator, kRegion));
  expect_counts(0, 0, 0, 55, 7, 2, 2);
  Gate freed, done;
  std::thread other([&] {
    EXPECT_EQ(allocator.deallocate(allocate_ok(allocator, 4 * kMiB)), Status::kOk);
    EXPECT_EQ(allocator.deallocate(stolen), Status::kOk);
    freed.open();
    done.wait();
  });
  freed.wait();
  expect_counts(0, 0, 1, 55, 8, 2, 2);
  const Region taken = allocate_ok(allocator, kRegion);
  EXPECT_EQ(taken.ptr, stolen.ptr);
  expect_counts(0, 0, 0, 56, 8, 2, 2);
  done.open();
  other.join();

  // Nothing anywhere: the slow path maps a third area.
  allocate_ok(allocator, kRegion);
  const SizeClassStats s = class_stats(allocator, kRegion);
  EXPECT_EQ(s.slow_path, 3u);
  EXPECT_EQ(s.refill, 3u);
  EXPECT_EQ(s.areas, 3u);
  EXPECT_EQ(os->map_calls(), 4u);  // and one for the other thread's 4 MiB region
  expect_consistent(allocator);
}

TEST(Allocate, BatchesFromTheCleanPoolFillHalfTheCache) {
  // Default local_buffer_bytes is 32 MiB: 16 regions of 2 MiB, batches of 8.
  Allocator allocator(enabled_config());
  allocate_ok(allocator, 2 * kMiB);
  allocate_ok(allocator, 2 * kMiB);
  SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.clean_regions, 7u) << describe(s);
  EXPECT_EQ(s.thread_regions, 7u) << describe(s);

  // 8 MiB regions: a cache of 4, batches of 2; the first area holds 4 regions.
  allocate_ok(allocator, 8 * kMiB);
  allocate_ok(allocator, 8 * kMiB);
  s = class_stats(allocator, 8 * kMiB);
  EXPECT_EQ(s.clean_regions, 1u) << describe(s);
  EXPECT_EQ(s.thread_regions, 1u) << describe(s);
  expect_consistent(allocator);
}

TEST(Allocate, SmallCacheTakesOneRegionPerBatch) {
  Config config = enabled_config();
  config.local_buffer_bytes = 2 * kMiB;  // a cache of 1 region, batches of max(1, 0) = 1
  Allocator allocator(config);
  allocate_ok(allocator, 2 * kMiB);
  allocate_ok(allocator, 2 * kMiB);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.clean_regions, 14u) << describe(s);
  EXPECT_EQ(s.thread_regions, 0u) << describe(s);
  expect_consistent(allocator);
}

TEST(Allocate, SizeClassesArePooledSeparately) {
  Allocator allocator(enabled_config());
  const Region small = allocate_ok(allocator, 2 * kMiB);
  const Region large = allocate_ok(allocator, 4 * kMiB);
  ASSERT_EQ(allocator.deallocate(small), Status::kOk);
  const Region again = allocate_ok(allocator, 4 * kMiB);
  EXPECT_NE(again.ptr, small.ptr);
  EXPECT_EQ(again.capacity, 4 * kMiB);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).thread_regions, 1u);
  EXPECT_EQ(allocator.deallocate(large), Status::kOk);
  EXPECT_EQ(allocator.deallocate(again), Status::kOk);
  expect_consistent(allocator);
}

TEST(Allocate, RegionsDoNotOverlap) {
  Allocator allocator(enabled_config());
  std::vector<Region> regions;
  for (int i = 0; i < 40; ++i) {
    regions.push_back(allocate_ok(allocator, (i % 3 == 0 ? 4 : 2) * kMiB));
  }
  std::sort(regions.begin(), regions.end(),
            [](const Region& a, const Region& b) { return a.ptr < b.ptr; });
  for (std::size_t i = 1; i < regions.size(); ++i) {
    const char* end = static_cast<const char*>(regions[i - 1].ptr) + regions[i - 1].capacity;
    EXPECT_LE(end, static_cast<const char*>(regions[i].ptr));
  }
  for (const Region& region : regions) EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  expect_consistent(allocator);
}

TEST(Allocate, TheLargestClassIsReservedBeyondRam) {
  // 64 GiB is more than this machine's RAM and swap: the area is reserved with
  // MAP_NORESERVE, and only the pages touched take memory.
  Allocator allocator(enabled_config());
  Region region;
  ErrorDetail detail;
  ASSERT_EQ(allocator.allocate(kMaxRegionBytes, &region, &detail), Status::kOk)
      << "errno " << detail.os_errno;
  EXPECT_EQ(region.capacity, kMaxRegionBytes);
  EXPECT_EQ(region.size_class_index, kSizeClassCount - 1);
  EXPECT_TRUE(region.known_zero);
  char* bytes = static_cast<char*>(region.ptr);
  bytes[0] = 1;
  bytes[kPageBytes - 1] = 2;
  bytes[region.capacity - kPageBytes] = 3;
  bytes[region.capacity - 1] = 4;
  EXPECT_EQ(bytes[0] + bytes[kPageBytes - 1] + bytes[region.capacity - kPageBytes] +
                bytes[region.capacity - 1],
            10);
  SizeClassStats s = class_stats(allocator, kMaxRegionBytes);
  EXPECT_EQ(s.areas, 1u);
  EXPECT_EQ(s.area_total_bytes, kMaxRegionBytes);
  EXPECT_EQ(s.allocations, 1u);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, kMaxRegionBytes);

  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  s = class_stats(allocator, kMaxRegionBytes);
  EXPECT_EQ(s.deallocations, 1u);
  EXPECT_EQ(s.free_regions, 1u);
  expect_consistent(allocator);
}

TEST(Allocate, ThirtyTwoGiBRegionsAreReservedToo) {
  Allocator allocator(enabled_config());
  Region region;
  ErrorDetail detail;
  ASSERT_EQ(allocator.allocate(32 * kGiB, &region, &detail), Status::kOk)
      << "errno " << detail.os_errno;
  EXPECT_EQ(region.capacity, 32 * kGiB);
  char* bytes = static_cast<char*>(region.ptr);
  bytes[0] = 1;
  bytes[region.capacity - 1] = 2;
  EXPECT_EQ(bytes[0] + bytes[region.capacity - 1], 3);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  const SizeClassStats s = class_stats(allocator, 32 * kGiB);
  EXPECT_EQ(s.area_total_bytes, 32 * kGiB);
  EXPECT_EQ(s.allocations, 1u);
  EXPECT_EQ(s.deallocations, 1u);
  expect_consistent(allocator);
}

TEST(Allocate, AllocatorsDoNotShareRegions) {
  Allocator first(enabled_config());
  Allocator second(enabled_config());
  const Region a = allocate_ok(first, 2 * kMiB);
  ASSERT_EQ(first.deallocate(a), Status::kOk);
  const Region b = allocate_ok(second, 2 * kMiB);
  EXPECT_NE(b.ptr, a.ptr);
  EXPECT_EQ(class_stats(first, 2 * kMiB).thread_regions, 1u);
  EXPECT_EQ(class_stats(second, 2 * kMiB).allocations, 1u);
  EXPECT_EQ(second.deallocate(b), Status::kOk);
  expect_consistent(first);
  expect_consistent(second);
}

}  // namespace
}  // namespace lgalloc::test
