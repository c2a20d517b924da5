// The background worker: it moves regions from the dirty pool to the clean pool with
// MADV_FREE, at most clear_bytes per size class and pass; it can be started, changed and
// stopped at run time, and the allocator's destructor stops it without waiting for its
// interval.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::uint64_t kTenMs = 10'000'000;
constexpr std::uint64_t kOneHour = 3'600'000'000'000;

// No thread cache: every region freed goes straight to the dirty pool.
Config no_cache_config() {
  Config config = enabled_config();
  config.local_buffer_bytes = 0;
  return config;
}

ConfigUpdate background(std::uint64_t interval_ns, std::uint64_t clear_bytes) {
  ConfigUpdate update;
  update.background = std::optional<BackgroundConfig>(BackgroundConfig{interval_ns, clear_bytes});
  return update;
}

ConfigUpdate stop_background() {
  ConfigUpdate update;
  update.background = std::optional<BackgroundConfig>{};
  return update;
}

// Allocates `count` regions of `region_bytes`, writes into them and frees them, so that they
// end up in the dirty pool (the allocator must have no thread cache).
void make_dirty(Allocator& allocator, std::size_t region_bytes, int count) {
  std::vector<Region> regions;
  for (int i = 0; i < count; ++i) regions.push_back(allocate_ok(allocator, region_bytes));
  for (const Region& region : regions) {
    std::memset(region.ptr, 0x3c, 64 * kKiB);
    ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  }
}

double seconds_since(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

TEST(BackgroundWorker, MovesDirtyRegionsToTheCleanPool) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 8);
  SizeClassStats s = class_stats(allocator, 2 * kMiB);
  ASSERT_EQ(s.global_regions, 8u) << describe(s);
  ASSERT_EQ(s.clean_regions, 8u) << describe(s);

  ASSERT_EQ(allocator.configure(background(kTenMs, 64 * kMiB)), Status::kOk);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 8));
  s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.global_regions, 0u) << describe(s);
  EXPECT_EQ(s.clean_regions, 16u) << describe(s);
  EXPECT_EQ(s.clear_slow_total, 8u) << describe(s);
  EXPECT_EQ(s.madvise_failures, 0u) << describe(s);
  EXPECT_GT(stats_of(allocator).background_passes, 0u);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  expect_consistent(allocator);
}

TEST(BackgroundWorker, ClearsAtMostClearBytesPerPassAndClass) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 10);
  // 3 MiB rounds up to two 2 MiB regions per pass.
  constexpr std::uint64_t kPerPass = 2;
  ASSERT_EQ(allocator.configure(background(150'000'000, 3 * kMiB)), Status::kOk);

  // The first pass clears exactly two regions; the next comes 150 ms later.
  ASSERT_TRUE(wait_until([&] { return class_stats(allocator, 2 * kMiB).clear_slow_total > 0; }));
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).clear_slow_total, kPerPass);

  bool done = false;
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (!done && steady_clock::now() < deadline) {
    const Stats stats = stats_of(allocator);
    const SizeClassStats& s = stats.size_classes[0];
    // A pass may be under way while the stats are read: allow one pass more.
    EXPECT_LE(s.clear_slow_total, kPerPass * (stats.background_passes + 1)) << describe(stats);
    done = s.clear_slow_total == 10;
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).global_regions, 0u);
  EXPECT_GE(stats_of(allocator).background_passes, 5u);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  expect_consistent(allocator);
}

TEST(BackgroundWorker, CleansEverySizeClass) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 3);
  make_dirty(allocator, 4 * kMiB, 2);
  make_dirty(allocator, 64 * kMiB, 1);
  ASSERT_EQ(allocator.configure(background(kTenMs, 128 * kMiB)), Status::kOk);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 3));
  EXPECT_TRUE(wait_until_cleared(allocator, 4 * kMiB, 2));
  EXPECT_TRUE(wait_until_cleared(allocator, 64 * kMiB, 1));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  const Stats stats = stats_of(allocator);
  for (const unsigned index : {0u, 1u, 5u}) {
    EXPECT_EQ(stats.size_classes[index].global_regions, 0u) << index;
    EXPECT_EQ(stats.size_classes[index].madvise_failures, 0u) << index;
  }
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  expect_consistent(allocator);
}

TEST(BackgroundWorker, ZeroClearBytesClearsNothing) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 4);
  ASSERT_EQ(allocator.configure(background(kTenMs, 0)), Status::kOk);
  EXPECT_TRUE(wait_until([&] { return stats_of(allocator).background_passes >= 3; }));
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.global_regions, 4u) << describe(s);
  EXPECT_EQ(s.clear_slow_total, 0u) << describe(s);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
}

TEST(BackgroundWorker, TheLargestClearBytesClearsEverything) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 5);
  make_dirty(allocator, 8 * kMiB, 3);
  ASSERT_EQ(allocator.configure(background(kTenMs, UINT64_MAX)), Status::kOk);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 5));
  EXPECT_TRUE(wait_until_cleared(allocator, 8 * kMiB, 3));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).global_regions, 0u);
  EXPECT_EQ(class_stats(allocator, 8 * kMiB).global_regions, 0u);
}

TEST(BackgroundWorker, AHugeIntervalIsRejectedOrNeverElapses) {
  // Whatever the allocator does with an interval beyond its clock's range, it must not turn
  // into a worker that passes without pause.
  Allocator allocator(enabled_config());
  for (const std::uint64_t interval : {std::uint64_t{1} << 62, UINT64_MAX}) {
    SCOPED_TRACE(interval);
    ErrorDetail detail;
    const Status status = allocator.configure(background(interval, kMiB), &detail);
    if (status == Status::kInvalidArgument) {
      ASSERT_NE(detail.field, nullptr);
      EXPECT_STREQ(detail.field, "background.interval_ns");
      EXPECT_FALSE(allocator.config().background.has_value());
      continue;
    }
    ASSERT_EQ(status, Status::kOk);
    const std::uint64_t passes = stats_of(allocator).background_passes;
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_LE(stats_of(allocator).background_passes, passes + 1);
    ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  }
}

TEST(BackgroundWorker, LeavesThreadCachesAlone) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  ASSERT_EQ(allocator.configure(background(kTenMs, 64 * kMiB)), Status::kOk);
  EXPECT_TRUE(wait_until([&] { return stats_of(allocator).background_passes >= 3; }));
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.thread_regions, 1u) << describe(s);
  EXPECT_EQ(s.clear_slow_total, 0u) << describe(s);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
}

TEST(BackgroundWorker, RegionsCleanedWithMadvFreeAreNotKnownZero) {
  // One-region areas, so that the clean pool holds only the region the worker cleaned.
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;
  config.local_buffer_bytes = 2 * kMiB;  // a cache of one region
  Allocator allocator(config);
  const Region cached = allocate_ok(allocator, 2 * kMiB);
  const Region dirty = allocate_ok(allocator, 2 * kMiB);
  std::memset(cached.ptr, 1, cached.capacity);
  std::memset(dirty.ptr, 2, dirty.capacity);
  ASSERT_EQ(allocator.deallocate(cached), Status::kOk);
  ASSERT_EQ(allocator.deallocate(dirty), Status::kOk);
  ASSERT_EQ(class_stats(allocator, 2 * kMiB).global_regions, 1u);

  ASSERT_EQ(allocator.configure(background(kTenMs, 2 * kMiB)), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return class_stats(allocator, 2 * kMiB).clean_regions == 1; }));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);

  const Region first = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(first.ptr, cached.ptr);
  const Region second = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(second.ptr, dirty.ptr);
  EXPECT_FALSE(second.known_zero);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).refill, 2u);
  ASSERT_EQ(allocator.deallocate(first), Status::kOk);
  ASSERT_EQ(allocator.deallocate(second), Status::kOk);
  expect_consistent(allocator);
}

TEST(BackgroundWorker, StartsFromTheConstructorsConfig) {
  Config config = no_cache_config();
  config.background = BackgroundConfig{kTenMs, 64 * kMiB};
  Allocator allocator(config);
  EXPECT_EQ(allocator.start_status(), Status::kOk);
  make_dirty(allocator, 2 * kMiB, 4);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 4));
  EXPECT_GT(stats_of(allocator).background_passes, 0u);
}

TEST(BackgroundWorker, TheThreadIsNamedAndGoneOnceStopped) {
  Allocator allocator(enabled_config());
  EXPECT_EQ(threads_named("lgalloc-0"), 0u);
  ASSERT_EQ(allocator.configure(background(kTenMs, 0)), Status::kOk);
  EXPECT_TRUE(wait_until([&] { return threads_named("lgalloc-0") == 1; }));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  EXPECT_TRUE(wait_until([&] { return threads_named("lgalloc-0") == 0; }));
}

TEST(BackgroundWorker, ReconfiguringWakesASleepingWorker) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 4);
  ASSERT_EQ(allocator.configure(background(kOneHour, 0)), Status::kOk);
  std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(allocator.configure(background(kTenMs, 64 * kMiB)), Status::kOk);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 4));
  const std::uint64_t passes = stats_of(allocator).background_passes;
  EXPECT_TRUE(wait_until([&] { return stats_of(allocator).background_passes >= passes + 3; }));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
}

TEST(BackgroundWorker, ChangingClearBytesAtRunTimeTakesEffect) {
  Allocator allocator(no_cache_config());
  make_dirty(allocator, 2 * kMiB, 6);
  ASSERT_EQ(allocator.configure(background(kTenMs, 0)), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return stats_of(allocator).background_passes >= 2; }));
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).clear_slow_total, 0u);
  ASSERT_EQ(allocator.configure(background(kTenMs, 1)), Status::kOk);  // one region a pass
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 6));
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).clear_slow_total, 6u);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  expect_consistent(allocator);
}

TEST(BackgroundWorker, FrequentReconfigurationDoesNotStarvePasses) {
  // A controller that adjusts clear_bytes more often than the interval must not keep
  // postponing the next pass forever.
  Allocator allocator(enabled_config());
  constexpr std::uint64_t kInterval = 30'000'000;
  ASSERT_EQ(allocator.configure(background(kInterval, 0)), Status::kOk);
  const auto end = steady_clock::now() + milliseconds(400);
  for (std::uint64_t i = 0; steady_clock::now() < end; ++i) {
    ASSERT_EQ(allocator.configure(background(kInterval, (i % 4) * kMiB)), Status::kOk);
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_GE(stats_of(allocator).background_passes, 5u);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
}

TEST(BackgroundWorker, StoppingDoesNotWaitForTheInterval) {
  Allocator allocator(enabled_config());
  ASSERT_EQ(allocator.configure(background(kOneHour, 0)), Status::kOk);
  std::this_thread::sleep_for(milliseconds(20));
  const auto start = steady_clock::now();
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_FALSE(allocator.config().background.has_value());
}

TEST(BackgroundWorker, StopsPassingOnceStopped) {
  Allocator allocator(enabled_config());
  ASSERT_EQ(allocator.configure(background(kTenMs, 0)), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return stats_of(allocator).background_passes >= 2; }));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  const std::uint64_t passes = stats_of(allocator).background_passes;
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(stats_of(allocator).background_passes, passes);
}

// A stop() that runs between the thread's creation and its first look at the schedule
// resets the schedule under it; reading it then is undefined behaviour, which the
// assertions variant (-D_GLIBCXX_ASSERTIONS) turns into an abort (issue 7, item 5). Many
// quick start/stop pairs make that window likely.
TEST(BackgroundWorker, StoppingRightAfterStartingNeverReadsAnEmptySchedule) {
  Allocator allocator(enabled_config());
  const int rounds = 2000 / kSanitizerSlowdown;
  for (int i = 0; i < rounds; ++i) {
    ASSERT_EQ(allocator.configure(background(kOneHour, 0)), Status::kOk);
    ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  }
  EXPECT_FALSE(allocator.config().background.has_value());
}

TEST(BackgroundWorker, RestartsAfterAStop) {
  Allocator allocator(no_cache_config());
  ASSERT_EQ(allocator.configure(background(kTenMs, 0)), Status::kOk);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);  // stopping twice is fine
  make_dirty(allocator, 2 * kMiB, 2);
  ASSERT_EQ(allocator.configure(background(kTenMs, 64 * kMiB)), Status::kOk);
  EXPECT_TRUE(wait_until_cleared(allocator, 2 * kMiB, 2));
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
}

TEST(BackgroundWorker, TheDestructorStopsASleepingWorker) {
  auto allocator = std::make_unique<Allocator>(enabled_config());
  ASSERT_EQ(allocator->configure(background(kOneHour, 0)), Status::kOk);
  std::this_thread::sleep_for(milliseconds(20));
  const auto start = steady_clock::now();
  allocator.reset();
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_EQ(threads_named("lgalloc-0"), 0u);
}

TEST(BackgroundWorker, TheDestructorStopsABusyWorker) {
  for (int round = 0; round < 5; ++round) {
    Config config = no_cache_config();
    config.background = BackgroundConfig{1'000'000, 64 * kMiB};
    auto allocator = std::make_unique<Allocator>(config);
    make_dirty(*allocator, 2 * kMiB, 8);
    std::this_thread::sleep_for(milliseconds(round * 2));
    const auto start = steady_clock::now();
    allocator.reset();
    EXPECT_LT(seconds_since(start), 2.0);
  }
  EXPECT_EQ(threads_named("lgalloc-0"), 0u);
}

TEST(BackgroundWorker, ReconfiguresWhileAllocating) {
  Allocator allocator(no_cache_config());
  std::atomic<bool> stop{false};
  std::thread reconfigure([&] {
    for (std::uint64_t i = 0; !stop.load(); ++i) {
      if (i % 3 == 2) {
        EXPECT_EQ(allocator.configure(stop_background()), Status::kOk);
      } else {
        EXPECT_EQ(allocator.configure(background(1'000'000 * (1 + i % 4), (i % 5) * kMiB)),
                  Status::kOk);
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
  });
  const int iterations = 2000 / kSanitizerSlowdown;
  for (int i = 0; i < iterations; ++i) {
    const Region region = allocate_ok(allocator, 2 * kMiB);
    static_cast<char*>(region.ptr)[i % kPageBytes] = 1;
    ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  }
  stop.store(true);
  reconfigure.join();
  ASSERT_EQ(allocator.configure(stop_background()), Status::kOk);
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
