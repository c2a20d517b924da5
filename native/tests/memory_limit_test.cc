// memory_limit_bytes: new areas shrink to fit under the limit (down to one region), an
// allocation that needs a region beyond it fails with kOutOfMemory naming the limit, and
// raising the limit or trimming makes room again.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

Config limited(std::uint64_t limit) {
  Config config = enabled_config();
  config.memory_limit_bytes = limit;
  return config;
}

// An allocation the limit is expected to refuse: kOutOfMemory with os_errno 0 and the
// limit in the detail, `*out` untouched, nothing mapped.
void expect_over_limit(Allocator& allocator, std::size_t size, std::uint64_t limit) {
  const Stats before = stats_of(allocator);
  Region region;
  region.capacity = 99;
  ErrorDetail detail;
  EXPECT_EQ(allocator.allocate(size, &region, &detail), Status::kOutOfMemory);
  EXPECT_EQ(detail.os_errno, 0);
  EXPECT_EQ(detail.limit, limit);
  EXPECT_EQ(detail.size, size);
  EXPECT_EQ(region.capacity, 99u);
  EXPECT_EQ(region.ptr, nullptr);
  const Stats after = stats_of(allocator);
  EXPECT_EQ(after.mapped_bytes, before.mapped_bytes);
  const unsigned index = class_of(size);
  EXPECT_EQ(after.size_classes[index].allocations, before.size_classes[index].allocations);
  EXPECT_EQ(after.size_classes[index].areas, before.size_classes[index].areas);
}

TEST(MemoryLimit, ShrinksTheFirstAreaToFit) {
  Allocator allocator(limited(8 * kMiB));
  allocate_ok(allocator, 2 * kMiB);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.areas, 1u) << describe(s);
  EXPECT_EQ(s.area_total_bytes, 8 * kMiB) << describe(s);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 8 * kMiB);
  EXPECT_EQ(stats_of(allocator).memory_limit_bytes, 8 * kMiB);
  expect_consistent(allocator);
}

TEST(MemoryLimit, RefusesARegionBeyondTheLimit) {
  Allocator allocator(limited(8 * kMiB));
  for (int i = 0; i < 4; ++i) allocate_ok(allocator, 2 * kMiB);
  expect_over_limit(allocator, 2 * kMiB, 8 * kMiB);
  expect_over_limit(allocator, 16 * kMiB, 8 * kMiB);
  EXPECT_EQ(stats_of(allocator).mmap_failures, 0u);
  expect_consistent(allocator);
}

TEST(MemoryLimit, RefusesAClassLargerThanTheLimit) {
  Allocator allocator(limited(8 * kMiB));
  expect_over_limit(allocator, 16 * kMiB, 8 * kMiB);
  expect_over_limit(allocator, kMaxRegionBytes, 8 * kMiB);
  // Smaller classes still fit.
  allocate_ok(allocator, 8 * kMiB);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 8 * kMiB);
  expect_consistent(allocator);
}

TEST(MemoryLimit, FreedRegionsAreReusedUnderTheLimit) {
  Allocator allocator(limited(8 * kMiB));
  std::vector<Region> regions;
  for (int i = 0; i < 4; ++i) regions.push_back(allocate_ok(allocator, 2 * kMiB));
  ASSERT_EQ(allocator.deallocate(regions[2]), Status::kOk);
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, regions[2].ptr);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 8 * kMiB);
  expect_consistent(allocator);
}

TEST(MemoryLimit, IsSharedByAllClasses) {
  Allocator allocator(limited(12 * kMiB));
  allocate_ok(allocator, 8 * kMiB);  // one region of 8 MiB fits, four would not
  EXPECT_EQ(class_stats(allocator, 8 * kMiB).area_total_bytes, 8 * kMiB);
  allocate_ok(allocator, 4 * kMiB);
  EXPECT_EQ(class_stats(allocator, 4 * kMiB).area_total_bytes, 4 * kMiB);
  expect_over_limit(allocator, 2 * kMiB, 12 * kMiB);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 12 * kMiB);
  expect_consistent(allocator);
}

TEST(MemoryLimit, RaisingTheLimitMakesRoom) {
  Allocator allocator(limited(4 * kMiB));
  allocate_ok(allocator, 2 * kMiB);
  allocate_ok(allocator, 2 * kMiB);
  expect_over_limit(allocator, 2 * kMiB, 4 * kMiB);
  ASSERT_EQ(allocator.configure(ConfigUpdate{.memory_limit_bytes = 6 * kMiB}), Status::kOk);
  EXPECT_EQ(stats_of(allocator).memory_limit_bytes, 6 * kMiB);
  allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 6 * kMiB);
  expect_over_limit(allocator, 2 * kMiB, 6 * kMiB);
  ASSERT_EQ(allocator.configure(ConfigUpdate{.memory_limit_bytes = 0}), Status::kOk);
  EXPECT_EQ(stats_of(allocator).memory_limit_bytes, 0u);
  allocate_ok(allocator, 2 * kMiB);
  expect_consistent(allocator);
}

TEST(MemoryLimit, TrimMakesRoom) {
  Allocator allocator(limited(4 * kMiB));
  const Region small = allocate_ok(allocator, 2 * kMiB);
  const Region other = allocate_ok(allocator, 2 * kMiB);
  expect_over_limit(allocator, 4 * kMiB, 4 * kMiB);
  ASSERT_EQ(allocator.deallocate(small), Status::kOk);
  ASSERT_EQ(allocator.deallocate(other), Status::kOk);
  allocator.flush_thread_cache();
  ASSERT_EQ(allocator.trim(), Status::kOk);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u);
  const Region big = allocate_ok(allocator, 4 * kMiB);
  EXPECT_EQ(big.capacity, 4 * kMiB);
  expect_consistent(allocator);
}

TEST(MemoryLimit, ALimitBelowTheMappedBytesOnlyStopsNewAreas) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);  // maps 32 MiB
  ASSERT_EQ(allocator.configure(ConfigUpdate{.memory_limit_bytes = 4 * kMiB}), Status::kOk);
  // The 15 pooled regions are still handed out.
  for (int i = 0; i < 15; ++i) allocate_ok(allocator, 2 * kMiB);
  expect_over_limit(allocator, 2 * kMiB, 4 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, region.ptr);
  expect_consistent(allocator);
}

TEST(MemoryLimit, HoldsUnderConcurrentGrowth) {
  // Threads race to map areas; together they never exceed the limit.
  constexpr std::uint64_t kLimit = 40 * kMiB;
  Config config = limited(kLimit);
  config.max_area_bytes = 4 * kMiB;
  Allocator allocator(config);
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<Region> held;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Region region;
        ErrorDetail detail;
        const Status status = allocator.allocate(2 * kMiB, &region, &detail);
        if (status == Status::kOk) {
          std::lock_guard<std::mutex> lock(mutex);
          held.push_back(region);
        } else {
          EXPECT_EQ(status, Status::kOutOfMemory);
          EXPECT_EQ(detail.limit, kLimit);
          refused.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // A region on its way from a new area into the pools may make another thread give up
  // early, so only the bound is exact.
  EXPECT_LE(held.size(), 20u);
  EXPECT_EQ(held.size() + static_cast<std::size_t>(refused.load()), 40u);
  EXPECT_LE(stats_of(allocator).mapped_bytes, kLimit);
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
