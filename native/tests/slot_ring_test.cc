// The global pool's ring (slot_ring.h): FIFO order across many laps of its array, a full
// ring that refuses a push and keeps what it holds, batch pops of at most their limit, an
// exact length when quiescent, and every value taken exactly once while producers and
// consumers race on a small ring whose cells are reused thousands of times (the ABA case
// the cell numbers guard against). ThreadSanitizer runs the races too.
#include "slot_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc {
namespace {

TEST(SlotRing, AnEmptyRingPopsNothing) {
  SlotRing<8> ring;
  std::uint32_t out[8];
  EXPECT_EQ(ring.pop_batch(8, out), 0u);
  EXPECT_EQ(ring.length(), 0u);
}

TEST(SlotRing, ValuesComeOutInTheOrderTheyWentInOverManyLaps) {
  SlotRing<8> ring;
  std::uint32_t next_in = 0, next_out = 0;
  std::uint32_t out[8];
  // Uneven pushes and pops, so the head and the tail cross the array's end at every
  // offset.
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 1 + round % 5; ++i) ASSERT_TRUE(ring.push(next_in++));
    const std::uint32_t limit = 1 + static_cast<std::uint32_t>(round % 3);
    const std::uint32_t taken = ring.pop_batch(limit, out);
    ASSERT_EQ(taken, std::min<std::uint32_t>(limit, next_in - next_out));
    for (std::uint32_t i = 0; i < taken; ++i) ASSERT_EQ(out[i], next_out++);
    while (ring.length() > 3) {  // room for the next round's pushes (up to 5)
      const std::uint32_t more = ring.pop_batch(8, out);
      for (std::uint32_t i = 0; i < more; ++i) ASSERT_EQ(out[i], next_out++);
    }
  }
  EXPECT_EQ(ring.length(), next_in - next_out);
}

TEST(SlotRing, AFullRingRefusesAPushAndKeepsWhatItHolds) {
  SlotRing<4> ring;
  for (std::uint32_t i = 0; i < 4; ++i) ASSERT_TRUE(ring.push(100 + i));
  EXPECT_FALSE(ring.push(999));
  EXPECT_EQ(ring.length(), 4u);
  std::uint32_t out[4];
  ASSERT_EQ(ring.pop_batch(1, out), 1u);
  EXPECT_EQ(out[0], 100u);
  EXPECT_TRUE(ring.push(104));
  EXPECT_FALSE(ring.push(999));
  ASSERT_EQ(ring.pop_batch(4, out), 4u);
  EXPECT_EQ(std::vector<std::uint32_t>(out, out + 4),
            (std::vector<std::uint32_t>{101, 102, 103, 104}));
  EXPECT_EQ(ring.pop_batch(4, out), 0u);
}

TEST(SlotRing, ABatchTakesAtMostItsLimitAndAtMostWhatIsThere) {
  SlotRing<64> ring;
  for (std::uint32_t i = 0; i < 10; ++i) ASSERT_TRUE(ring.push(i));
  std::uint32_t out[64];
  EXPECT_EQ(ring.pop_batch(3, out), 3u);
  EXPECT_EQ(ring.pop_batch(64, out), 7u);
  EXPECT_EQ(out[0], 3u);
  EXPECT_EQ(out[6], 9u);
  // A limit beyond the capacity is the capacity.
  for (std::uint32_t i = 0; i < 64; ++i) ASSERT_TRUE(ring.push(i));
  std::vector<std::uint32_t> big(128);
  EXPECT_EQ(ring.pop_batch(128, big.data()), 64u);
}

TEST(SlotRing, PushedAndPoppedCountEveryValueThatPassed) {
  SlotRing<4> ring;
  std::uint32_t out[4];
  for (std::uint32_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(ring.push(i));
    ASSERT_EQ(ring.pop_batch(4, out), 1u);
  }
  ASSERT_TRUE(ring.push(10));
  EXPECT_EQ(ring.pushed(), 11u);
  EXPECT_EQ(ring.popped(), 10u);
  EXPECT_EQ(ring.length(), 1u);
}

// Two producers push disjoint values (retrying while the ring is full), two consumers
// pop in batches of different sizes; the ring has 8 cells, so each is reused thousands of
// times. Every value comes out exactly once, and each producer's values in the order it
// pushed them.
TEST(SlotRing, EveryValueIsTakenOnceWhileProducersAndConsumersRaceOnASmallRing) {
  SlotRing<8> ring;
  const std::uint32_t per_producer = 40000 / test::kSanitizerSlowdown;
  constexpr int kProducers = 2;
  constexpr int kConsumers = 2;
  std::atomic<std::uint32_t> taken{0};
  std::vector<std::vector<std::uint32_t>> seen(kConsumers);
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (std::uint32_t i = 0; i < per_producer; ++i) {
        const std::uint32_t value = static_cast<std::uint32_t>(p) << 24 | i;
        while (!ring.push(value)) std::this_thread::yield();
      }
    });
  }
  const std::uint32_t total = per_producer * kProducers;
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&, c] {
      std::uint32_t out[8];
      const std::uint32_t limit = c == 0 ? 1 : 5;
      while (taken.load() < total) {
        const std::uint32_t count = ring.pop_batch(limit, out);
        if (count == 0) {
          std::this_thread::yield();
          continue;
        }
        ASSERT_LE(count, limit);
        seen[c].insert(seen[c].end(), out, out + count);
        taken.fetch_add(count);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ring.length(), 0u);
  // Per consumer, each producer's values arrive in increasing order (FIFO per producer).
  for (const auto& values : seen) {
    std::uint32_t last[kProducers] = {0, 0};
    bool any[kProducers] = {false, false};
    for (std::uint32_t value : values) {
      const std::uint32_t p = value >> 24, i = value & 0xffffff;
      ASSERT_LT(p, static_cast<std::uint32_t>(kProducers));
      if (any[p]) EXPECT_GT(i, last[p]);
      last[p] = i;
      any[p] = true;
    }
  }
  std::vector<std::uint32_t> all;
  for (const auto& values : seen) all.insert(all.end(), values.begin(), values.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), total);
  for (int p = 0; p < kProducers; ++p) {
    for (std::uint32_t i = 0; i < per_producer; ++i) {
      ASSERT_EQ(all[static_cast<std::size_t>(p) * per_producer + i],
                static_cast<std::uint32_t>(p) << 24 | i);
    }
  }
}

}  // namespace
}  // namespace lgalloc
