// Areas: how many regions each new area of a size class holds (32 MiB first, then growing
// by max(initial, last / (growth_dampener + 1)) regions), the max_area_bytes cap, and the
// stats that follow them (areas, area_total_bytes, mapped_bytes).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

// Allocates regions of `region_bytes` until `count` areas were mapped, and returns the
// number of regions in each. The regions stay allocated (the allocator unmaps them).
std::vector<std::uint64_t> grow_areas(Allocator& allocator, std::size_t region_bytes,
                                      std::size_t count) {
  std::vector<std::uint64_t> sizes;
  std::uint64_t total = 0;
  for (int guard = 0; sizes.size() < count && guard < 100000; ++guard) {
    Region region;
    ErrorDetail detail;
    const Status status = allocator.allocate(region_bytes, &region, &detail);
    if (status != Status::kOk) {
      ADD_FAILURE() << status_name(status) << " errno " << detail.os_errno;
      break;
    }
    const SizeClassStats s = class_stats(allocator, region_bytes);
    if (s.area_total_bytes != total) {
      sizes.push_back((s.area_total_bytes - total) / region_bytes);
      total = s.area_total_bytes;
      EXPECT_EQ(s.areas, sizes.size());
      EXPECT_EQ(s.refill, sizes.size());
    }
  }
  return sizes;
}

TEST(AreaGrowth, TheFirstAreaHoldsThirtyTwoMiB) {
  Allocator allocator(enabled_config());
  for (const std::size_t region_bytes : {2 * kMiB, 4 * kMiB, 8 * kMiB, 16 * kMiB, 32 * kMiB}) {
    SCOPED_TRACE(region_bytes);
    allocate_ok(allocator, region_bytes);
    const SizeClassStats s = class_stats(allocator, region_bytes);
    EXPECT_EQ(s.areas, 1u);
    EXPECT_EQ(s.area_total_bytes, 32 * kMiB);
    EXPECT_EQ(s.clean_regions, 32 * kMiB / region_bytes - 1);
  }
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 5 * 32 * kMiB);
  expect_consistent(allocator);
}

TEST(AreaGrowth, ClassesAbove32MiBStartWithOneRegion) {
  Allocator allocator(enabled_config());
  for (const std::size_t region_bytes : {64 * kMiB, 256 * kMiB, kGiB}) {
    SCOPED_TRACE(region_bytes);
    allocate_ok(allocator, region_bytes);
    const SizeClassStats s = class_stats(allocator, region_bytes);
    EXPECT_EQ(s.areas, 1u);
    EXPECT_EQ(s.area_total_bytes, region_bytes);
    EXPECT_EQ(s.free_regions, 0u);
  }
  expect_consistent(allocator);
}

TEST(AreaGrowth, AreasDoubleWithoutADampener) {
  Allocator allocator(enabled_config());
  EXPECT_EQ(grow_areas(allocator, 2 * kMiB, 4), (std::vector<std::uint64_t>{16, 32, 64, 128}));
  EXPECT_EQ(grow_areas(allocator, 64 * kMiB, 4), (std::vector<std::uint64_t>{1, 2, 4, 8}));
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.mapped_bytes, 240 * 2 * kMiB + 15 * 64 * kMiB);
  expect_consistent(allocator);
}

TEST(AreaGrowth, TheDampenerSlowsGrowthButNotBelowTheFirstArea) {
  Config config = enabled_config();
  config.growth_dampener = 1;
  Allocator allocator(config);
  // 8 MiB regions, first area 4: then 4 + max(4, 2), 8 + max(4, 4), 12 + max(4, 6), ...
  EXPECT_EQ(grow_areas(allocator, 8 * kMiB, 5), (std::vector<std::uint64_t>{4, 8, 12, 18, 27}));
  expect_consistent(allocator);
}

TEST(AreaGrowth, ALargeDampenerGrowsByTheFirstArea) {
  Config config = enabled_config();
  config.growth_dampener = 1000;
  Allocator allocator(config);
  EXPECT_EQ(grow_areas(allocator, 8 * kMiB, 4), (std::vector<std::uint64_t>{4, 8, 12, 16}));
  expect_consistent(allocator);
}

TEST(AreaGrowth, TheLargestDampenerGrowsByTheFirstArea) {
  Config config = enabled_config();
  config.growth_dampener = UINT64_MAX;
  Allocator allocator(config);
  EXPECT_EQ(grow_areas(allocator, 8 * kMiB, 3), (std::vector<std::uint64_t>{4, 8, 12}));
  expect_consistent(allocator);
}

TEST(AreaGrowth, TheDampenerCanChangeAtRunTime) {
  Allocator allocator(enabled_config());
  EXPECT_EQ(grow_areas(allocator, 8 * kMiB, 2), (std::vector<std::uint64_t>{4, 8}));
  ASSERT_EQ(allocator.configure(ConfigUpdate{.growth_dampener = 3}), Status::kOk);
  // The second area has 7 regions left; the 8th allocation maps a third of
  // 8 + max(4, 8 / (3 + 1)) = 12 regions.
  for (int i = 0; i < 8; ++i) allocate_ok(allocator, 8 * kMiB);
  const SizeClassStats s = class_stats(allocator, 8 * kMiB);
  EXPECT_EQ(s.areas, 3u) << describe(s);
  EXPECT_EQ(s.area_total_bytes, (4 + 8 + 12) * 8 * kMiB) << describe(s);
  expect_consistent(allocator);
}

TEST(AreaGrowth, MaxAreaBytesCapsEachArea) {
  Config config = enabled_config();
  config.max_area_bytes = 8 * kMiB;
  Allocator allocator(config);
  EXPECT_EQ(grow_areas(allocator, 2 * kMiB, 4), (std::vector<std::uint64_t>{4, 4, 4, 4}));
  expect_consistent(allocator);
}

TEST(AreaGrowth, ACapBelowTheRegionSizeGivesOneRegionAreas) {
  Config config = enabled_config();
  config.max_area_bytes = 1 * kMiB;
  Allocator allocator(config);
  EXPECT_EQ(grow_areas(allocator, 4 * kMiB, 3), (std::vector<std::uint64_t>{1, 1, 1}));
  const SizeClassStats s = class_stats(allocator, 4 * kMiB);
  EXPECT_EQ(s.areas, 3u);
  EXPECT_EQ(s.free_regions, 0u);
  expect_consistent(allocator);
}

TEST(AreaGrowth, TheCapAppliesToAreasMappedAfterItIsSet) {
  Allocator allocator(enabled_config());
  allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.configure(ConfigUpdate{.max_area_bytes = 2 * kMiB}), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).area_total_bytes, 32 * kMiB);
  for (int i = 0; i < 15; ++i) allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).areas, 1u);
  allocate_ok(allocator, 2 * kMiB);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.areas, 2u);
  EXPECT_EQ(s.area_total_bytes, 34 * kMiB);
  expect_consistent(allocator);
}

TEST(AreaGrowth, RegionsOfANewAreaAreKnownZeroInTheCleanPool) {
  Allocator allocator(enabled_config());
  allocate_ok(allocator, 4 * kMiB);
  const SizeClassStats s = class_stats(allocator, 4 * kMiB);
  EXPECT_EQ(s.clean_regions, 7u);
  EXPECT_EQ(s.global_regions, 0u);
  EXPECT_EQ(s.thread_regions, 0u);
  for (int i = 0; i < 7; ++i) {
    const Region region = allocate_ok(allocator, 4 * kMiB);
    EXPECT_TRUE(region.known_zero) << i;
    EXPECT_TRUE(sampled_pages_zero(region, 1)) << i;
  }
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
