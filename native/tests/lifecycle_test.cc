// An allocator's lifetime: what its constructor starts and its destructor gives back.
// (Threads that outlive it are in thread_cache_test.cc, the worker in
// background_worker_test.cc.)
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

TEST(Lifecycle, AFreshAllocatorHasNothingMapped) {
  auto os = faulty_os();
  Allocator allocator(enabled_config(), os);
  EXPECT_EQ(allocator.start_status(), Status::kOk);
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.mapped_bytes, 0u);
  EXPECT_EQ(stats.mmap_failures, 0u);
  EXPECT_EQ(stats.background_passes, 0u);
  EXPECT_EQ(stats.last_os_errno, 0);
  EXPECT_FALSE(stats.hugepage_advice_failed);
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    EXPECT_EQ(stats.size_classes[i].region_bytes, region_bytes_of(i));
    EXPECT_EQ(describe(stats.size_classes[i]),
              describe(SizeClassStats{.region_bytes = region_bytes_of(i)}));
  }
  EXPECT_EQ(os->map_calls(), 0u);
}

TEST(Lifecycle, AnInvalidBackgroundConfigStartsWithoutAWorker) {
  // The constructor cannot fail: it reports the bad worker schedule in start_status() and
  // applies the rest of the configuration.
  Config config = enabled_config();
  config.local_buffer_bytes = 8 * kMiB;
  config.memory_limit_bytes = kGiB;
  config.background = BackgroundConfig{0, kMiB};
  Allocator allocator(config);
  EXPECT_EQ(allocator.start_status(), Status::kInvalidArgument);
  const Config applied = allocator.config();
  EXPECT_FALSE(applied.background.has_value());
  EXPECT_TRUE(applied.enabled);
  EXPECT_EQ(applied.local_buffer_bytes, 8 * kMiB);
  EXPECT_EQ(applied.memory_limit_bytes, kGiB);
  EXPECT_EQ(threads_named("lgalloc-0"), 0u);
  Region region;
  ASSERT_EQ(allocator.allocate(2 * kMiB, &region), Status::kOk);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
}

TEST(Lifecycle, TheDestructorUnmapsEveryArea) {
  auto os = faulty_os();
  auto allocator = std::make_unique<Allocator>(enabled_config(), os);
  std::vector<Region> held;
  for (int i = 0; i < 20; ++i) held.push_back(allocate_ok(*allocator, 2 * kMiB));  // 2 areas
  held.push_back(allocate_ok(*allocator, 4 * kMiB));
  held.push_back(allocate_ok(*allocator, 128 * kMiB));
  ASSERT_EQ(allocator->deallocate(held.back()), Status::kOk);
  const Stats stats = stats_of(*allocator);
  std::uint64_t areas = 0;
  for (const SizeClassStats& s : stats.size_classes) areas += s.areas;
  EXPECT_EQ(areas, 4u);
  EXPECT_EQ(os->unmap_calls(), 0u);
  // Regions still allocated or cached are unmapped too: the caller promised not to use them.
  allocator.reset();
  EXPECT_EQ(os->unmap_calls(), areas);
}

TEST(Lifecycle, TheDestructorUnmapsWhatTrimLeft) {
  auto os = faulty_os();
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;
  auto allocator = std::make_unique<Allocator>(config, os);
  const Region kept = allocate_ok(*allocator, 2 * kMiB);
  const Region trimmed = allocate_ok(*allocator, 2 * kMiB);
  ASSERT_EQ(allocator->deallocate(trimmed), Status::kOk);
  allocator->flush_thread_cache();
  ASSERT_EQ(allocator->trim(), Status::kOk);
  EXPECT_EQ(os->unmap_calls(), 1u);
  allocator.reset();
  EXPECT_EQ(os->unmap_calls(), 2u);
  (void)kept;
}

TEST(Lifecycle, ManyAllocatorsComeAndGo) {
  for (int round = 0; round < 50; ++round) {
    Config config = enabled_config();
    config.eager_return = round % 2 == 0;
    Allocator allocator(config);
    const Region region = allocate_ok(allocator, (round % 3 + 1) * 2 * kMiB);
    static_cast<char*>(region.ptr)[0] = 1;
    ASSERT_EQ(allocator.deallocate(region), Status::kOk);
    expect_consistent(allocator);
  }
}

}  // namespace
}  // namespace lgalloc::test
