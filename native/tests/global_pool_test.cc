// The global pool (global_pool.h), its ring and its overflow stack together: batch pops
// and trim's take_all, alone and racing with pushes and pops, never lose or duplicate a
// slot, whether the slots fit in the ring or spill into the stack; its length counts
// pushes minus pops from any threads.
#include "global_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc {
namespace {

// More than the ring holds, so that every test also goes through the overflow stack.
constexpr std::uint32_t kSlots = 2048;
static_assert(kSlots > 2 * GlobalPool::kRingCapacity);

std::vector<std::uint32_t> pop_some(GlobalPool& pool, std::uint32_t limit) {
  std::uint32_t out[GlobalPool::kMaxBatch];
  const std::uint32_t count = pool.pop_batch(limit, out);
  return std::vector<std::uint32_t>(out, out + count);
}

std::vector<std::uint32_t> chain(const RegionTable& slots, std::uint32_t first,
                                 std::uint32_t count) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0, slot = first; i < count; ++i) {
    out.push_back(slot);
    slot = slots.at(slot).next.load();
  }
  return out;
}

TEST(GlobalPool, TakeAllEmptiesThePoolAndCountsWhatItTook) {
  RegionTable slots;
  ASSERT_TRUE(slots.ensure(0, kSlots));
  GlobalPool pool(slots);
  for (std::uint32_t i = 0; i < kSlots; ++i) pool.push(i);
  std::uint32_t count = 0;
  const std::uint32_t first = pool.take_all(&count);
  EXPECT_EQ(count, kSlots);
  EXPECT_EQ(pool.length(), 0u);
  std::vector<std::uint32_t> taken = chain(slots, first, count);
  std::sort(taken.begin(), taken.end());
  for (std::uint32_t i = 0; i < kSlots; ++i) EXPECT_EQ(taken[i], i);
  std::uint32_t none = 0;
  EXPECT_EQ(pool.take_all(&none), kNoSlot);
  EXPECT_EQ(none, 0u);
}

TEST(GlobalPool, TakeAllRacingWithPopsAndPushesLosesAndDuplicatesNothing) {
  RegionTable slots;
  ASSERT_TRUE(slots.ensure(0, kSlots));
  GlobalPool pool(slots);
  for (std::uint32_t i = 0; i < kSlots; ++i) pool.push(i);
  std::atomic<bool> stop{false};
  const int rounds = 2000 / test::kSanitizerSlowdown;
  std::vector<std::thread> churners;
  for (int t = 0; t < 2; ++t) {
    churners.emplace_back([&] {
      while (!stop.load()) {
        for (std::uint32_t slot : pop_some(pool, 8)) pool.push(slot);
      }
    });
  }
  for (int i = 0; i < rounds; ++i) {
    std::uint32_t count = 0;
    const std::uint32_t first = pool.take_all(&count);
    if (count != 0) {
      const std::vector<std::uint32_t> taken = chain(slots, first, count);
      pool.push_chain(first, taken.back(), count);
    }
  }
  stop.store(true);
  for (auto& thread : churners) thread.join();
  std::uint32_t count = 0;
  const std::uint32_t first = pool.take_all(&count);
  std::vector<std::uint32_t> all = chain(slots, first, count);
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), kSlots);
  for (std::uint32_t i = 0; i < kSlots; ++i) EXPECT_EQ(all[i], i);
}

TEST(GlobalPool, LengthIsPushesMinusPopsWhenOneThreadPushesAndAnotherPops) {
  RegionTable slots;
  ASSERT_TRUE(slots.ensure(0, kSlots));
  GlobalPool pool(slots);
  const int rounds = 200 / test::kSanitizerSlowdown;
  std::atomic<std::uint32_t> popped{0};
  std::atomic<bool> done{false};
  std::vector<std::uint32_t> seen;
  std::thread popper([&] {
    for (;;) {
      const bool finished = done.load();
      const std::vector<std::uint32_t> batch = pop_some(pool, 8);
      if (batch.empty()) {
        if (finished) return;
        continue;
      }
      // Keep what was popped out of the pool; the pusher pushes fresh slots only.
      for (std::uint32_t slot : batch) seen.push_back(slot);
      popped.fetch_add(static_cast<std::uint32_t>(batch.size()));
    }
  });
  for (int r = 0; r < rounds; ++r) {
    for (std::uint32_t i = 0; i < kSlots / rounds; ++i) {
      pool.push(static_cast<std::uint32_t>(r) * (kSlots / rounds) + i);
    }
  }
  done.store(true);
  popper.join();
  const std::uint32_t pushed = static_cast<std::uint32_t>(rounds) * (kSlots / rounds);
  EXPECT_EQ(popped.load(), pushed);
  EXPECT_EQ(pool.length(), 0u);
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), pushed);
  for (std::uint32_t i = 0; i < pushed; ++i) EXPECT_EQ(seen[i], i);
  for (std::uint32_t i = 0; i < 5; ++i) pool.push(seen[i]);
  EXPECT_EQ(pool.length(), 5u);
}

TEST(GlobalPool, SlotsBeyondTheRingGoToTheStackAndAllComeBackInBatchesOfAtMostTheLimit) {
  RegionTable slots;
  ASSERT_TRUE(slots.ensure(0, kSlots));
  GlobalPool pool(slots);
  for (std::uint32_t i = 0; i < kSlots; ++i) pool.push(i);
  EXPECT_EQ(pool.length(), kSlots);
  std::vector<std::uint32_t> all;
  // The ring's slots first, oldest first; then the stack's.
  for (std::uint32_t limit : {1u, 7u, 32u, 1000u}) {
    const std::vector<std::uint32_t> batch = pop_some(pool, limit);
    EXPECT_EQ(batch.size(), std::min(limit, GlobalPool::kMaxBatch));
    all.insert(all.end(), batch.begin(), batch.end());
  }
  for (std::uint32_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i);
  for (std::vector<std::uint32_t> batch = pop_some(pool, 32); !batch.empty();
       batch = pop_some(pool, 32)) {
    EXPECT_LE(batch.size(), GlobalPool::kMaxBatch);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(pool.length(), 0u);
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), kSlots);
  for (std::uint32_t i = 0; i < kSlots; ++i) EXPECT_EQ(all[i], i);
}

TEST(GlobalPool, AChainPushedWholeIsPoppedAfterTheRingsSlots) {
  RegionTable slots;
  ASSERT_TRUE(slots.ensure(0, 16));
  GlobalPool pool(slots);
  for (std::uint32_t i = 0; i < 8; ++i) slots.at(i).next.store(i + 1 < 8 ? i + 1 : kNoSlot);
  pool.push_chain(0, 7, 8);
  for (std::uint32_t i = 8; i < 12; ++i) pool.push(i);
  EXPECT_EQ(pool.length(), 12u);
  EXPECT_EQ(pop_some(pool, 32), (std::vector<std::uint32_t>{8, 9, 10, 11}));
  EXPECT_EQ(pop_some(pool, 32), (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_TRUE(pop_some(pool, 32).empty());
}

TEST(GlobalPool, TakeAllTakesTheRingAndTheStackAndLeavesThePoolUsable) {
  RegionTable slots;
  ASSERT_TRUE(slots.ensure(0, kSlots));
  GlobalPool pool(slots);
  // Wrap the ring a few laps first, so take_all starts mid-array.
  for (std::uint32_t lap = 0; lap < 3; ++lap) {
    for (std::uint32_t i = 0; i < 300; ++i) pool.push(i);
    std::uint32_t count = 0;
    const std::uint32_t first = pool.take_all(&count);
    ASSERT_EQ(count, 300u);
    std::vector<std::uint32_t> taken = chain(slots, first, count);
    std::sort(taken.begin(), taken.end());
    for (std::uint32_t i = 0; i < 300; ++i) EXPECT_EQ(taken[i], i);
  }
  for (std::uint32_t i = 0; i < 20; ++i) pool.push(i);
  EXPECT_EQ(pop_some(pool, 32).size(), 20u);
}

}  // namespace
}  // namespace lgalloc
