// Thread caches: what happens to a thread's cached regions and counters when it exits or
// flushes, regions freed on another thread than the one that allocated them, stealing from
// another thread's cache, and threads that outlive the allocator they used.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

TEST(ThreadCache, AnExitingThreadHandsItsCacheToTheDirtyPool) {
  Allocator allocator(enabled_config());
  Gate freed, exit;
  std::thread worker([&] {
    std::vector<Region> regions;
    for (int i = 0; i < 5; ++i) regions.push_back(allocate_ok(allocator, 2 * kMiB));
    for (const Region& region : regions) EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    freed.open();
    exit.wait();
  });
  freed.wait();
  const SizeClassStats alive = class_stats(allocator, 2 * kMiB);
  EXPECT_GT(alive.thread_regions, 5u) << describe(alive);
  EXPECT_EQ(alive.global_regions, 0u) << describe(alive);
  EXPECT_EQ(alive.allocations, 5u);
  EXPECT_EQ(alive.deallocations, 5u);
  exit.open();
  worker.join();

  const SizeClassStats gone = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(gone.thread_regions, 0u) << describe(gone);
  EXPECT_EQ(gone.global_regions, alive.thread_regions) << describe(gone);
  EXPECT_EQ(gone.clean_regions, alive.clean_regions) << describe(gone);
  EXPECT_EQ(gone.free_regions, 16u) << describe(gone);
  EXPECT_EQ(gone.allocations, 5u);
  EXPECT_EQ(gone.deallocations, 5u);
  EXPECT_EQ(gone.slow_path, 1u);
  EXPECT_EQ(gone.refill, 1u);
  expect_consistent(allocator);
}

TEST(ThreadCache, CountersOfManyExitedThreadsAddUp) {
  Allocator allocator(enabled_config());
  for (int round = 0; round < 4; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 10; ++i) {
          const Region region = allocate_ok(allocator, (i % 2 == 0 ? 2 : 4) * kMiB);
          EXPECT_EQ(allocator.deallocate(region), Status::kOk);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).allocations, 80u);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).deallocations, 80u);
  EXPECT_EQ(class_stats(allocator, 4 * kMiB).allocations, 80u);
  EXPECT_EQ(class_stats(allocator, 4 * kMiB).thread_regions, 0u);
  expect_consistent(allocator);
}

// Frees its region from a thread-local destructor, which runs after the thread's caches
// were handed back (it was constructed before them).
struct LateFree {
  Allocator* allocator = nullptr;
  Region region;
  Status* result = nullptr;
  ~LateFree() {
    if (allocator != nullptr) *result = allocator->deallocate(region);
  }
};

TEST(ThreadCache, AFreeFromALateThreadLocalDestructorGoesToTheDirtyPool) {
  Allocator allocator(enabled_config());
  Status result = Status::kInvalidArgument;
  std::thread worker([&] {
    thread_local LateFree late;
    late.result = &result;
    late.region = allocate_ok(allocator, 2 * kMiB);
    late.allocator = &allocator;
  });
  worker.join();
  EXPECT_EQ(result, Status::kOk);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.allocations, 1u) << describe(s);
  EXPECT_EQ(s.deallocations, 1u) << describe(s);
  EXPECT_EQ(s.thread_regions, 0u) << describe(s);
  EXPECT_EQ(s.global_regions, 1u) << describe(s);
  expect_consistent(allocator);
}

TEST(ThreadCache, FlushMovesTheCallersCacheToTheDirtyPool) {
  Allocator allocator(enabled_config());
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 4 * kMiB);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  const SizeClassStats before = class_stats(allocator, 2 * kMiB);
  ASSERT_EQ(before.thread_regions, 1u) << describe(before);
  allocator.flush_thread_cache();
  SizeClassStats after = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(after.thread_regions, 0u) << describe(after);
  EXPECT_EQ(after.global_regions, 1u) << describe(after);
  EXPECT_EQ(after.allocations, 1u);
  EXPECT_EQ(after.deallocations, 1u);
  after = class_stats(allocator, 4 * kMiB);
  EXPECT_EQ(after.thread_regions, 0u) << describe(after);
  EXPECT_EQ(after.global_regions, 1u) << describe(after);

  // The cache still works after a flush.
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, a.ptr);
  ASSERT_EQ(allocator.deallocate(again), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).thread_regions, 1u);
  expect_consistent(allocator);
}

TEST(ThreadCache, FlushWithoutACacheDoesNothing) {
  Allocator allocator(enabled_config());
  allocator.flush_thread_cache();
  allocator.flush_thread_cache();
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u);
  expect_consistent(allocator);
}

// A thread that only frees (a V8 platform thread running backing-store deleters) gets no
// cache: its regions would sit where no allocation of its own reuses them and where flush
// and trim cannot reach them (issue 7, item 3).
TEST(ThreadCache, AThreadThatNeverAllocatedFreesToTheGlobalPool) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 32 * kMiB);  // a one-region area
  std::thread other([&] { EXPECT_EQ(allocator.deallocate(region), Status::kOk); });
  other.join();
  SizeClassStats s = class_stats(allocator, 32 * kMiB);
  EXPECT_EQ(s.thread_regions, 0u) << describe(s);
  EXPECT_EQ(s.global_regions, 1u) << describe(s);
  EXPECT_EQ(s.deallocations, 1u) << describe(s);
  // Reachable from here: trim unmaps the area.
  TrimResult trimmed;
  EXPECT_EQ(allocator.trim(&trimmed), Status::kOk);
  EXPECT_EQ(trimmed.areas_unmapped, 1u);
  expect_consistent(allocator);
}

TEST(ThreadCache, ARegionFreedOnAnotherThreadThatAllocatesGoesToThatThreadsCache) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 32 * kMiB);  // a one-region area
  Gate freed, exit;
  std::thread other([&] {
    // Allocating gives this thread its cache (in another class, so the counts below are
    // those of `region` alone).
    EXPECT_EQ(allocator.deallocate(allocate_ok(allocator, 2 * kMiB)), Status::kOk);
    EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    freed.open();
    exit.wait();
  });
  freed.wait();
  SizeClassStats s = class_stats(allocator, 32 * kMiB);
  EXPECT_EQ(s.thread_regions, 1u) << describe(s);
  EXPECT_EQ(s.global_regions, 0u) << describe(s);
  EXPECT_EQ(s.deallocations, 1u) << describe(s);
  exit.open();
  other.join();
  s = class_stats(allocator, 32 * kMiB);
  EXPECT_EQ(s.thread_regions, 0u) << describe(s);
  EXPECT_EQ(s.global_regions, 1u) << describe(s);
  expect_consistent(allocator);
}

TEST(ThreadCache, AnEmptyThreadStealsFromAnotherThreadsCache) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 32 * kMiB);
  Gate freed, exit;
  std::thread other([&] {
    EXPECT_EQ(allocator.deallocate(allocate_ok(allocator, 2 * kMiB)), Status::kOk);
    EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    freed.open();
    exit.wait();
  });
  freed.wait();
  const Region stolen = allocate_ok(allocator, 32 * kMiB);
  EXPECT_EQ(stolen.ptr, region.ptr);
  EXPECT_FALSE(stolen.known_zero);
  const SizeClassStats s = class_stats(allocator, 32 * kMiB);
  EXPECT_EQ(s.refill, 1u) << describe(s);
  EXPECT_EQ(s.slow_path, 1u) << describe(s);
  EXPECT_EQ(s.areas, 1u) << describe(s);
  EXPECT_EQ(s.thread_regions, 0u) << describe(s);
  exit.open();
  other.join();
  EXPECT_EQ(allocator.deallocate(stolen), Status::kOk);
  expect_consistent(allocator);
}

TEST(ThreadCache, ThreadsOutliveADestroyedAllocator) {
  // Threads that used an allocator, with regions in their caches, exit after it is gone:
  // their exit must not touch it (AddressSanitizer catches a use after free).
  constexpr int kThreads = 4;
  auto allocator = std::make_unique<Allocator>(enabled_config());
  std::atomic<int> ready{0};
  Gate exit;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<Region> regions;
      for (int i = 0; i < 3; ++i) regions.push_back(allocate_ok(*allocator, 2 * kMiB));
      regions.push_back(allocate_ok(*allocator, 8 * kMiB));
      for (const Region& region : regions) EXPECT_EQ(allocator->deallocate(region), Status::kOk);
      ready.fetch_add(1);
      exit.wait();
    });
  }
  ASSERT_TRUE(wait_until([&] { return ready.load() == kThreads; }));
  EXPECT_GT(class_stats(*allocator, 2 * kMiB).thread_regions, 0u);
  allocator.reset();

  // A new allocator, perhaps at the same address: the old caches must not land in it.
  Allocator successor(enabled_config());
  exit.open();
  for (std::thread& thread : threads) thread.join();
  const Stats stats = stats_of(successor);
  for (const SizeClassStats& s : stats.size_classes) {
    EXPECT_EQ(s.free_regions, 0u) << describe(s);
    EXPECT_EQ(s.allocations, 0u) << describe(s);
    EXPECT_EQ(s.deallocations, 0u) << describe(s);
  }
  EXPECT_EQ(stats.mapped_bytes, 0u);
  const Region region = allocate_ok(successor, 2 * kMiB);
  EXPECT_EQ(successor.deallocate(region), Status::kOk);
  expect_consistent(successor);
}

TEST(ThreadCache, ThreadsExitWhileTheAllocatorIsDestroyed) {
  // Thread exit and the destructor race; each thread's cache is either handed back before
  // the allocator goes or abandoned, never handed to freed memory.
  constexpr int kThreads = 6;
  for (int round = 0; round < 5; ++round) {
    auto allocator = std::make_unique<Allocator>(enabled_config());
    std::atomic<int> ready{0};
    Gate exit;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        const Region a = allocate_ok(*allocator, 2 * kMiB);
        const Region b = allocate_ok(*allocator, 4 * kMiB);
        EXPECT_EQ(allocator->deallocate(a), Status::kOk);
        EXPECT_EQ(allocator->deallocate(b), Status::kOk);
        ready.fetch_add(1);
        exit.wait();
      });
    }
    ASSERT_TRUE(wait_until([&] { return ready.load() == kThreads; }));
    exit.open();
    allocator.reset();
    for (std::thread& thread : threads) thread.join();
  }
}

TEST(ThreadCache, OneThreadUsesManyAllocators) {
  // Each allocator has its own cache in the same thread.
  Allocator first(enabled_config());
  Allocator second(enabled_config());
  std::thread worker([&] {
    for (int i = 0; i < 3; ++i) {
      const Region a = allocate_ok(first, 2 * kMiB);
      const Region b = allocate_ok(second, 2 * kMiB);
      EXPECT_EQ(first.deallocate(a), Status::kOk);
      EXPECT_EQ(second.deallocate(b), Status::kOk);
      EXPECT_EQ(second.deallocate(a), Status::kInvalidHandle);
    }
  });
  worker.join();
  for (const Allocator* allocator : {&first, &second}) {
    const SizeClassStats s = class_stats(*allocator, 2 * kMiB);
    EXPECT_EQ(s.allocations, 3u) << describe(s);
    EXPECT_EQ(s.deallocations, 3u) << describe(s);
    EXPECT_EQ(s.thread_regions, 0u) << describe(s);
    EXPECT_EQ(s.free_regions, 16u) << describe(s);
    expect_consistent(*allocator);
  }
}

}  // namespace
}  // namespace lgalloc::test
