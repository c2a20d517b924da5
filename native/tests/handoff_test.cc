// Regions allocated on one thread and freed on another that never allocates (a handoff,
// as when V8's platform threads run backing-store deleters): they pass through the global
// pool's ring, or its overflow stack when more are freed at once than the ring holds, and
// come back to allocations without a new area; a second or stale free of a handed-off
// region still fails, whichever of the two held it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "global_pool.h"
#include "test_support.h"

namespace lgalloc {
namespace {

using test::allocate_ok;
using test::class_stats;
using test::describe;
using test::enabled_config;
using test::kMiB;

TEST(Handoff, MoreRegionsThanTheRingHoldsFreedElsewhereAreAllReusedWithoutANewArea) {
  Allocator allocator(enabled_config());
  // More than the ring holds, so some go to the overflow stack.
  const std::size_t count = GlobalPool::kRingCapacity + 88;
  std::vector<Region> first;
  for (std::size_t i = 0; i < count; ++i) first.push_back(allocate_ok(allocator, 2 * kMiB));
  const SizeClassStats before = class_stats(allocator, 2 * kMiB);
  std::thread freeing([&] {
    for (const Region& region : first) EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    for (const Region& region : first) {
      EXPECT_EQ(allocator.deallocate(region), Status::kInvalidHandle);
    }
  });
  freeing.join();
  SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.global_regions, before.global_regions + count) << describe(s);
  EXPECT_EQ(s.deallocations, count) << describe(s);

  std::vector<Region> second;
  for (std::size_t i = 0; i < count; ++i) second.push_back(allocate_ok(allocator, 2 * kMiB));
  s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.areas, before.areas) << describe(s);
  EXPECT_EQ(s.refill, before.refill) << describe(s);
  // The old handles name reused slots, under an older generation.
  for (const Region& region : first) {
    EXPECT_EQ(allocator.deallocate(region), Status::kInvalidHandle);
  }
  for (const Region& region : second) EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  test::expect_consistent(allocator);
  allocator.flush_thread_cache();
  TrimResult trimmed;
  EXPECT_EQ(allocator.trim(&trimmed), Status::kOk);
  EXPECT_EQ(trimmed.areas_unmapped, before.areas);
  test::expect_consistent(allocator);
}

// The bench's handoff, as a test: one thread allocates and passes each region to another,
// which frees it and then tries to free it again, while a background worker clears the
// dirty pool into the clean one. Every region is freed exactly once, its second free
// fails, and the regions keep coming back (a handful of areas for thousands of handoffs).
TEST(Handoff, ConcurrentHandoffFreesEachRegionOnceAndReusesThem) {
  Config config = enabled_config();
  BackgroundConfig background;
  background.interval_ns = 1'000'000;
  background.clear_bytes = 16 * kMiB;
  config.background = background;
  Allocator allocator(config);
  const int rounds = 20000 / test::kSanitizerSlowdown;
  constexpr std::size_t kInFlight = 64;
  std::vector<Region> queue(kInFlight);
  std::atomic<std::uint64_t> pushed{0}, popped{0};
  std::atomic<int> second_free_errors{0};
  std::thread freeing([&] {
    for (int i = 0; i < rounds; ++i) {
      while (popped.load(std::memory_order_relaxed) == pushed.load(std::memory_order_acquire)) {
        std::this_thread::yield();
      }
      const std::uint64_t at = popped.load(std::memory_order_relaxed);
      const Region region = queue[at % kInFlight];
      popped.store(at + 1, std::memory_order_release);
      EXPECT_EQ(allocator.deallocate(region), Status::kOk);
      if (allocator.deallocate(region) == Status::kInvalidHandle) ++second_free_errors;
    }
  });
  for (int i = 0; i < rounds; ++i) {
    const Region region = allocate_ok(allocator, 2 * kMiB);
    while (pushed.load(std::memory_order_relaxed) - popped.load(std::memory_order_acquire) ==
           kInFlight) {
      std::this_thread::yield();
    }
    const std::uint64_t at = pushed.load(std::memory_order_relaxed);
    queue[at % kInFlight] = region;
    pushed.store(at + 1, std::memory_order_release);
  }
  freeing.join();
  EXPECT_EQ(second_free_errors.load(), rounds);
  ConfigUpdate stop;
  stop.background.emplace();  // no worker
  EXPECT_EQ(allocator.configure(stop, nullptr), Status::kOk);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.allocations, static_cast<std::uint64_t>(rounds)) << describe(s);
  EXPECT_EQ(s.deallocations, static_cast<std::uint64_t>(rounds)) << describe(s);
  // In flight at most 64 + the queue's slack; 32 MiB areas hold 16 each.
  EXPECT_LE(s.areas, 8u) << describe(s);
  test::expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc
