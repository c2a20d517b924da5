// The thread cache's Chase-Lev deque (work_stealing_deque.h): whatever the owner pushes is
// taken exactly once, by the owner's pops or by thieves, including when the owner pops an
// empty deque again and again while thieves take the last values (the pop's fence-free
// early exit on an empty deque, issue 13).
#include "work_stealing_deque.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc {
namespace {

TEST(WorkStealingDeque, PopOfAnEmptyDequeReturnsNoSlotAndKeepsItUsable) {
  WorkStealingDeque deque;
  EXPECT_EQ(deque.pop(), kNoSlot);  // never pushed: no array yet
  ASSERT_TRUE(deque.push(7));
  EXPECT_EQ(deque.pop(), 7u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(deque.pop(), kNoSlot);
  EXPECT_EQ(deque.length(), 0u);
  ASSERT_TRUE(deque.push(8));
  ASSERT_TRUE(deque.push(9));
  EXPECT_EQ(deque.length(), 2u);
  EXPECT_EQ(deque.pop(), 9u);  // LIFO for the owner
  std::uint32_t stolen = kNoSlot;
  EXPECT_EQ(deque.steal(&stolen), StealResult::kSuccess);
  EXPECT_EQ(stolen, 8u);
  EXPECT_EQ(deque.steal(&stolen), StealResult::kEmpty);
  EXPECT_EQ(deque.pop(), kNoSlot);
}

TEST(WorkStealingDeque, EveryValueIsTakenOnceWhileTheOwnerPopsAnEmptyDequeAndThievesSteal) {
  WorkStealingDeque deque;
  const std::uint32_t values = 20000 / test::kSanitizerSlowdown;
  std::atomic<bool> done{false};
  std::vector<std::vector<std::uint32_t>> stolen(2);
  std::vector<std::thread> thieves;
  for (int t = 0; t < 2; ++t) {
    thieves.emplace_back([&, t] {
      for (;;) {
        const bool finished = done.load();
        std::uint32_t value = kNoSlot;
        const StealResult result = deque.steal(&value);
        if (result == StealResult::kSuccess) {
          stolen[t].push_back(value);
        } else if (result == StealResult::kEmpty && finished) {
          return;
        }
      }
    });
  }
  std::vector<std::uint32_t> popped;
  for (std::uint32_t v = 0; v < values; ++v) {
    ASSERT_TRUE(deque.push(v));
    // Mostly pops of a deque the thieves have just emptied, or are emptying.
    for (int i = 0; i < 3; ++i) {
      const std::uint32_t value = deque.pop();
      if (value != kNoSlot) popped.push_back(value);
    }
  }
  done.store(true);
  for (auto& thread : thieves) thread.join();
  std::vector<std::uint32_t> all = popped;
  for (const auto& part : stolen) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), values);
  for (std::uint32_t v = 0; v < values; ++v) ASSERT_EQ(all[v], v);
}

}  // namespace
}  // namespace lgalloc
