// The global pool's Treiber stack (global_pool.h): batch pops and trim's take_all, alone
// and racing with pushes and pops, never lose or duplicate a slot; its length counts
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

constexpr std::uint32_t kSlots = 2048;

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
        std::uint32_t count = 0;
        const std::uint32_t first = pool.pop_batch(8, &count);
        if (first == kNoSlot) continue;
        const std::vector<std::uint32_t> batch = chain(slots, first, count);
        for (std::uint32_t slot : batch) pool.push(slot);
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
      std::uint32_t count = 0;
      const std::uint32_t first = pool.pop_batch(8, &count);
      if (first == kNoSlot) {
        if (finished) return;
        continue;
      }
      // Keep what was popped out of the pool; the pusher pushes fresh slots only.
      for (std::uint32_t slot : chain(slots, first, count)) seen.push_back(slot);
      popped.fetch_add(count);
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

}  // namespace
}  // namespace lgalloc
