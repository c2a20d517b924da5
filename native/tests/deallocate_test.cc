// Allocator::deallocate: where a freed region goes (the caller's cache, or the dirty pool
// once the cache is full), eager return with MADV_DONTNEED, and the rejection of handles
// that are repeated, stale, forged or from another allocator.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

// local_buffer_bytes = 4 MiB: the cache holds two 2 MiB regions.
Config small_cache_config() {
  Config config = enabled_config();
  config.local_buffer_bytes = 4 * kMiB;
  return config;
}

TEST(Deallocate, CountsAndCachesTheRegion) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.deallocations, 1u);
  EXPECT_EQ(s.thread_regions, 1u);
  EXPECT_EQ(s.global_regions, 0u);
  EXPECT_EQ(s.free_regions, 16u);
  expect_consistent(allocator);
}

TEST(Deallocate, OverflowsAFullCacheIntoTheDirtyPool) {
  Allocator allocator(small_cache_config());
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  const Region c = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.thread_regions, 2u) << describe(s);
  EXPECT_EQ(s.global_regions, 0u) << describe(s);
  ASSERT_EQ(allocator.deallocate(c), Status::kOk);
  s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.thread_regions, 2u) << describe(s);
  EXPECT_EQ(s.global_regions, 1u) << describe(s);
  EXPECT_EQ(s.deallocations, 3u) << describe(s);
  EXPECT_EQ(s.clear_eager_total, 0u) << describe(s);
  expect_consistent(allocator);
}

TEST(Deallocate, ARegionFromTheDirtyPoolKeepsItsBytesAndIsNotKnownZero) {
  Config config = enabled_config();
  config.local_buffer_bytes = 0;  // no cache: every free goes to the dirty pool
  Allocator allocator(config);
  const Region region = allocate_ok(allocator, 2 * kMiB);
  std::memset(region.ptr, 0x5a, 4 * kKiB);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).global_regions, 1u);
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(again.ptr, region.ptr);
  EXPECT_FALSE(again.known_zero);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).global_regions, 0u);
  ASSERT_EQ(allocator.deallocate(again), Status::kOk);
  expect_consistent(allocator);
}

TEST(Deallocate, EagerReturnZeroesRegionsThatOverflowTheCache) {
  Config config = small_cache_config();
  config.eager_return = true;
  Allocator allocator(config);
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  const Region c = allocate_ok(allocator, 2 * kMiB);
  for (const Region& region : {a, b, c}) std::memset(region.ptr, 0x77, region.capacity);
  for (const Region& region : {a, b, c}) ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.clear_eager_total, 1u) << describe(s);
  EXPECT_EQ(s.global_regions, 1u) << describe(s);

  // The two cached regions come back as they were; the third from the dirty pool, zeroed.
  const Region cached_b = allocate_ok(allocator, 2 * kMiB);
  const Region cached_a = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(cached_b.ptr, b.ptr);
  EXPECT_EQ(cached_a.ptr, a.ptr);
  EXPECT_FALSE(cached_b.known_zero);
  EXPECT_EQ(static_cast<unsigned char*>(cached_b.ptr)[0], 0x77);
  const Region cleared = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(cleared.ptr, c.ptr);
  EXPECT_TRUE(cleared.known_zero);
  EXPECT_TRUE(all_zero(cleared.ptr, cleared.capacity));
  s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.global_regions, 0u) << describe(s);
  for (const Region& region : {cached_a, cached_b, cleared}) {
    ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  }
  expect_consistent(allocator);
}

TEST(Deallocate, WorksWhileDisabled) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.configure(ConfigUpdate{.enabled = false}), Status::kOk);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
  Region again;
  EXPECT_EQ(allocator.allocate(2 * kMiB, &again), Status::kDisabled);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).deallocations, 1u);
  expect_consistent(allocator);
}

TEST(Deallocate, ConcurrentFreesOfOneRegionLetExactlyOneWin) {
  Allocator allocator(enabled_config());
  constexpr int kThreads = 4;
  const int rounds = 100 / kSanitizerSlowdown + 10;
  for (int round = 0; round < rounds; ++round) {
    const Region region = allocate_ok(allocator, 2 * kMiB);
    std::atomic<int> ready{0};
    std::atomic<int> won{0};
    std::atomic<int> rejected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        const Status status = allocator.deallocate(region);
        (status == Status::kOk ? won : rejected).fetch_add(1);
      });
    }
    for (std::thread& thread : threads) thread.join();
    ASSERT_EQ(won.load(), 1) << round;
    ASSERT_EQ(rejected.load(), kThreads - 1) << round;
  }
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.deallocations, static_cast<std::uint64_t>(rounds)) << describe(s);
  expect_consistent(allocator);
}

// Invalid handles: each case frees something that is not an allocated region of this
// allocator, and expects kInvalidHandle with every counter unchanged.
class DeallocateInvalidHandle : public ::testing::Test {
 protected:
  DeallocateInvalidHandle() : allocator_(enabled_config()) {
    region_ = allocate_ok(allocator_, 2 * kMiB);
    before_ = stats_of(allocator_);
  }

  void expect_rejected(const Region& handle) {
    EXPECT_EQ(allocator_.deallocate(handle), Status::kInvalidHandle);
    const Stats after = stats_of(allocator_);
    for (unsigned i = 0; i < kSizeClassCount; ++i) {
      EXPECT_EQ(describe(after.size_classes[i]), describe(before_.size_classes[i])) << i;
    }
    EXPECT_EQ(after.mapped_bytes, before_.mapped_bytes);
  }

  void expect_owner_can_free() {
    EXPECT_EQ(allocator_.deallocate(region_), Status::kOk);
    expect_consistent(allocator_);
  }

  Allocator allocator_;
  Region region_;
  Stats before_;
};

TEST_F(DeallocateInvalidHandle, RejectsADoubleFree) {
  ASSERT_EQ(allocator_.deallocate(region_), Status::kOk);
  before_ = stats_of(allocator_);
  expect_rejected(region_);
  expect_consistent(allocator_);
}

TEST_F(DeallocateInvalidHandle, RejectsADoubleFreeFromTheDirtyPool) {
  ASSERT_EQ(allocator_.configure(ConfigUpdate{.local_buffer_bytes = 0}), Status::kOk);
  ASSERT_EQ(allocator_.deallocate(region_), Status::kOk);
  ASSERT_EQ(class_stats(allocator_, 2 * kMiB).global_regions, 1u);
  before_ = stats_of(allocator_);
  expect_rejected(region_);
  expect_consistent(allocator_);
}

TEST_F(DeallocateInvalidHandle, RejectsAStaleCopyAfterTheSlotWasReallocated) {
  const Region copy = region_;
  ASSERT_EQ(allocator_.deallocate(region_), Status::kOk);
  region_ = allocate_ok(allocator_, 2 * kMiB);
  ASSERT_EQ(region_.ptr, copy.ptr);
  ASSERT_EQ(region_.slot, copy.slot);
  EXPECT_NE(region_.generation, copy.generation);
  before_ = stats_of(allocator_);
  expect_rejected(copy);
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsAWrongPointer) {
  Region forged = region_;
  forged.ptr = static_cast<char*>(region_.ptr) + kPageBytes;
  expect_rejected(forged);
  forged.ptr = nullptr;
  expect_rejected(forged);
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsAnotherRegionsPointer) {
  const Region other = allocate_ok(allocator_, 2 * kMiB);
  before_ = stats_of(allocator_);
  Region forged = region_;
  forged.ptr = other.ptr;
  expect_rejected(forged);
  EXPECT_EQ(allocator_.deallocate(other), Status::kOk);
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsASlotOutOfRange) {
  for (const std::uint32_t slot : {std::uint32_t{16}, std::uint32_t{1} << 20,
                                   std::uint32_t{1} << 22, UINT32_MAX - 1, UINT32_MAX}) {
    SCOPED_TRACE(slot);
    Region forged = region_;
    forged.slot = slot;
    expect_rejected(forged);
  }
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsASizeClassOutOfRange) {
  for (const unsigned index : {kSizeClassCount, kSizeClassCount + 1, 255u}) {
    SCOPED_TRACE(index);
    Region forged = region_;
    forged.size_class_index = static_cast<std::uint8_t>(index);
    expect_rejected(forged);
  }
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsTheWrongSizeClass) {
  Region forged = region_;
  forged.size_class_index = 1;
  forged.capacity = 4 * kMiB;
  expect_rejected(forged);
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsAWrongGeneration) {
  Region forged = region_;
  forged.generation += 1;
  expect_rejected(forged);
  forged.generation = 0;
  expect_rejected(forged);
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsADefaultConstructedRegion) {
  expect_rejected(Region{});
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsAFreeSlotThatWasNeverAllocated) {
  // Slot 1 exists (the area holds 16 regions) but is still in the clean pool.
  Region forged = region_;
  forged.slot = region_.slot + 1;
  forged.ptr = static_cast<char*>(region_.ptr) + region_.capacity;
  forged.generation = 0;
  expect_rejected(forged);
  forged.generation = 1;
  expect_rejected(forged);
  expect_owner_can_free();
}

TEST_F(DeallocateInvalidHandle, RejectsARegionOfAnotherAllocator) {
  Allocator other(enabled_config());
  const Region foreign = allocate_ok(other, 2 * kMiB);
  before_ = stats_of(allocator_);
  expect_rejected(foreign);
  EXPECT_EQ(other.deallocate(foreign), Status::kOk);
  expect_owner_can_free();
}

}  // namespace
}  // namespace lgalloc::test
