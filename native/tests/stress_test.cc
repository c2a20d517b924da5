// A multi-threaded stress test of one allocator: worker threads allocate regions of the
// 2-8 MiB classes and hand most of them to another thread to free, through a shared queue;
// a small thread cache pushes traffic through the global pools and stealing; a background
// worker cleans the dirty pool; and one more thread keeps reconfiguring and trimming.
//
// Two owners of one region are caught three ways: a registry of live address ranges, a
// pattern written after allocation and checked just before the free, and "known zero"
// regions that must read zero where the pattern goes.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

constexpr int kWorkers = 8;
constexpr int kIterationsPerWorker = 4000 / kSanitizerSlowdown;
constexpr std::size_t kQueueBound = 64;
constexpr std::size_t kLocalBound = 4;
constexpr std::size_t kSampleStridePages = 64;  // one page in 256 KiB, plus the last

struct Owned {
  Region region;
  std::uint64_t tag;  // (worker + 1) << 40 | sequence
};

int owner_of(const Owned& owned) { return static_cast<int>(owned.tag >> 40) - 1; }

// The pages of a region that carry the pattern.
template <typename Visit>
void for_each_sampled_page(const Region& region, Visit visit) {
  const std::size_t pages = region.capacity / kPageBytes;
  for (std::size_t page = 0; page < pages; page += kSampleStridePages) visit(page);
  visit(pages - 1);
}

std::uint64_t* word_at(const Region& region, std::size_t offset) {
  return reinterpret_cast<std::uint64_t*>(static_cast<char*>(region.ptr) + offset);
}

// The first and last 8 bytes of each sampled page.
void write_pattern(const Owned& owned) {
  for_each_sampled_page(owned.region, [&](std::size_t page) {
    *word_at(owned.region, page * kPageBytes) = owned.tag ^ page;
    *word_at(owned.region, (page + 1) * kPageBytes - 8) = ~owned.tag ^ page;
  });
}

bool pattern_intact(const Owned& owned) {
  bool intact = true;
  for_each_sampled_page(owned.region, [&](std::size_t page) {
    intact = intact && *word_at(owned.region, page * kPageBytes) == (owned.tag ^ page) &&
             *word_at(owned.region, (page + 1) * kPageBytes - 8) == (~owned.tag ^ page);
  });
  return intact;
}

bool pattern_zero(const Region& region) {
  bool zero = true;
  for_each_sampled_page(region, [&](std::size_t page) {
    zero = zero && *word_at(region, page * kPageBytes) == 0 &&
           *word_at(region, (page + 1) * kPageBytes - 8) == 0;
  });
  return zero;
}

// Every region currently allocated, by address: an overlap means two owners.
class LiveRegions {
 public:
  bool insert(const Region& region) {
    std::lock_guard<std::mutex> lock(mutex_);
    char* start = static_cast<char*>(region.ptr);
    auto next = live_.lower_bound(start);
    if (next != live_.end() && next->first < start + region.capacity) return false;
    if (next != live_.begin()) {
      auto previous = std::prev(next);
      if (previous->first + previous->second > start) return false;
    }
    live_.emplace(start, region.capacity);
    return true;
  }
  void erase(const Region& region) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_.erase(static_cast<char*>(region.ptr));
  }

 private:
  std::mutex mutex_;
  std::map<char*, std::size_t> live_;
};

class HandoffQueue {
 public:
  std::size_t push(const Owned& owned) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(owned);
    return queue_.size();
  }
  // The oldest region another thread allocated, or with `any`, the oldest of all.
  bool pop(int id, bool any, Owned* out) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (any || owner_of(*it) != id) {
        *out = *it;
        queue_.erase(it);
        return true;
      }
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::deque<Owned> queue_;
};

struct Tally {
  std::atomic<std::uint64_t> allocated{0};
  std::atomic<std::uint64_t> freed{0};
  std::atomic<std::uint64_t> freed_by_another_thread{0};
  std::atomic<std::uint64_t> allocate_errors{0};
  std::atomic<std::uint64_t> free_errors{0};
  std::atomic<std::uint64_t> double_owners{0};
  std::atomic<std::uint64_t> broken_patterns{0};
  std::atomic<std::uint64_t> dirty_known_zero{0};
  std::atomic<std::uint64_t> grown{0};
  std::atomic<std::uint64_t> move_errors{0};
};

class Stress {
 public:
  explicit Stress(Allocator& allocator) : allocator_(allocator) {}

  void worker(int id) {
    start_.wait();
    std::mt19937_64 random(0x5eed + static_cast<std::uint64_t>(id));
    std::vector<Owned> local;
    std::uint64_t sequence = 0;
    for (int i = 0; i < kIterationsPerWorker; ++i) {
      const bool allocate = random() % 2 == 0;
      if (allocate) {
        Owned owned;
        if (!allocate_one(id, ++sequence, random, &owned)) continue;
        if (random() % 4 == 0 && local.size() < kLocalBound) {
          local.push_back(owned);
        } else if (queue_.push(owned) > kQueueBound) {
          // Over the bound: free another thread's region, letting the others run first if
          // the queue holds only this thread's.
          bool freed = free_from_queue(id, /*any=*/false);
          for (int wait = 0; !freed && wait < 10; ++wait) {
            std::this_thread::yield();
            freed = free_from_queue(id, /*any=*/false);
          }
          if (!freed) free_from_queue(id, /*any=*/true);
        }
      } else if (!local.empty() && random() % 4 == 0) {
        grow_one(id, ++sequence, &local.back());
      } else if (!local.empty() && random() % 2 == 0) {
        free_one(id, local.back());
        local.pop_back();
      } else {
        free_from_queue(id, /*any=*/false);
      }
    }
    for (const Owned& owned : local) free_one(id, owned);
    while (free_from_queue(id, /*any=*/true)) {
    }
  }

  void start() { start_.open(); }

  // Keeps changing the configuration until `stop`.
  void reconfigure(const std::atomic<bool>& stop) {
    static constexpr std::uint64_t kLocalBuffers[] = {2 * kMiB, 4 * kMiB, 8 * kMiB, 16 * kMiB};
    static constexpr std::uint64_t kClearBytes[] = {0, 2 * kMiB, 8 * kMiB, 32 * kMiB};
    for (std::uint64_t i = 0; !stop.load(); ++i) {
      ConfigUpdate update;
      update.eager_return = i % 2 == 0;
      update.local_buffer_bytes = kLocalBuffers[i % 4];
      update.background = std::optional<BackgroundConfig>(
          BackgroundConfig{1'000'000 * (1 + i % 3), kClearBytes[(i / 3) % 4]});
      EXPECT_EQ(allocator_.configure(update), Status::kOk);
      if (i % 16 == 15) EXPECT_EQ(allocator_.trim(), Status::kOk);
      Stats stats;
      allocator_.stats(&stats);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  Tally tally;

 private:
  bool allocate_one(int id, std::uint64_t sequence, std::mt19937_64& random, Owned* owned) {
    return allocate_sized(id, sequence, 2 * kMiB + random() % (6 * kMiB + 1), owned);
  }

  // Allocates, checks the region has no other owner and reads zero if it says so, and
  // writes this owner's pattern.
  bool allocate_sized(int id, std::uint64_t sequence, std::size_t size, Owned* owned) {
    ErrorDetail detail;
    if (allocator_.allocate(size, &owned->region, &detail) != Status::kOk) {
      tally.allocate_errors.fetch_add(1);
      return false;
    }
    tally.allocated.fetch_add(1);
    if (!live_.insert(owned->region)) tally.double_owners.fetch_add(1);
    if (owned->region.known_zero && !pattern_zero(owned->region)) {
      tally.dirty_known_zero.fetch_add(1);
    }
    owned->tag = static_cast<std::uint64_t>(id + 1) << 40 | sequence;
    write_pattern(*owned);
    return true;
  }

  // Moves `owned` into a region twice its size, as a growing vector does, checks that the
  // pattern arrived, and frees the old region.
  void grow_one(int id, std::uint64_t sequence, Owned* owned) {
    if (owned->region.capacity >= 8 * kMiB) return;
    Owned grown;
    if (!allocate_sized(id, sequence, owned->region.capacity * 2, &grown)) return;
    if (allocator_.move_contents(owned->region, grown.region, owned->region.capacity) !=
        Status::kOk) {
      tally.move_errors.fetch_add(1);
    }
    // The old region's pattern must now stand in the first half of the new one.
    Owned moved{grown.region, owned->tag};
    moved.region.capacity = owned->region.capacity;
    if (!pattern_intact(moved)) tally.broken_patterns.fetch_add(1);
    release(*owned);
    tally.grown.fetch_add(1);
    write_pattern(grown);
    *owned = grown;
  }

  bool free_from_queue(int id, bool any) {
    Owned owned;
    if (!queue_.pop(id, any, &owned)) return false;
    free_one(id, owned);
    return true;
  }

  void free_one(int id, const Owned& owned) {
    if (!pattern_intact(owned)) tally.broken_patterns.fetch_add(1);
    if (owner_of(owned) != id) tally.freed_by_another_thread.fetch_add(1);
    release(owned);
  }

  void release(const Owned& owned) {
    live_.erase(owned.region);
    if (allocator_.deallocate(owned.region) != Status::kOk) tally.free_errors.fetch_add(1);
    tally.freed.fetch_add(1);
  }

  Allocator& allocator_;
  Gate start_;
  HandoffQueue queue_;
  LiveRegions live_;
};

TEST(Stress, ManyThreadsHandRegionsToEachOther) {
  Config config = enabled_config();
  config.local_buffer_bytes = 4 * kMiB;
  config.background = BackgroundConfig{1'000'000, 8 * kMiB};
  Allocator allocator(config);
  ASSERT_EQ(allocator.start_status(), Status::kOk);
  Stress stress(allocator);

  std::atomic<bool> stop{false};
  std::thread reconfigurer([&] { stress.reconfigure(stop); });
  std::vector<std::thread> workers;
  for (int id = 0; id < kWorkers; ++id) workers.emplace_back([&, id] { stress.worker(id); });
  stress.start();
  for (std::thread& worker : workers) worker.join();
  stop.store(true);
  reconfigurer.join();

  const Tally& tally = stress.tally;
  EXPECT_EQ(tally.allocate_errors.load(), 0u);
  EXPECT_EQ(tally.free_errors.load(), 0u);
  EXPECT_EQ(tally.double_owners.load(), 0u);
  EXPECT_EQ(tally.broken_patterns.load(), 0u);
  EXPECT_EQ(tally.dirty_known_zero.load(), 0u);
  EXPECT_EQ(tally.allocated.load(), tally.freed.load());
  EXPECT_GT(tally.freed_by_another_thread.load(), (tally.freed.load() - tally.grown.load()) / 2);
  EXPECT_EQ(tally.move_errors.load(), 0u);
  EXPECT_GT(tally.grown.load(), 0u);

  // Quiescent: stop the worker so that no region is between two pools.
  ConfigUpdate stop_background;
  stop_background.background = std::optional<BackgroundConfig>{};
  ASSERT_EQ(allocator.configure(stop_background), Status::kOk);
  const Stats stats = stats_of(allocator);
  SCOPED_TRACE(describe(stats));
  std::uint64_t allocations = 0;
  for (unsigned index = 0; index < kSizeClassCount; ++index) {
    const SizeClassStats& s = stats.size_classes[index];
    EXPECT_EQ(s.allocations, s.deallocations) << index;
    EXPECT_EQ(s.free_regions, regions_in_areas(s)) << index;
    EXPECT_EQ(s.thread_regions, 0u) << index;
    EXPECT_EQ(s.madvise_failures, 0u) << index;
    if (index > 2) EXPECT_EQ(s.allocations, 0u) << index;
    allocations += s.allocations;
  }
  EXPECT_EQ(allocations, tally.allocated.load());
  EXPECT_GT(stats.background_passes, 0u);
  expect_consistent(allocator);

  // Everything is free again, so trim unmaps every area.
  ASSERT_EQ(allocator.trim(), Status::kOk);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u);
  expect_consistent(allocator);
}

TEST(Stress, StealingUnderContention) {
  // Producers (threads that never allocate, so without caches) free into the global pool and
  // linger; consumers take batches from it into their caches and steal from each other.
  // Every region is handed out once at a time.
  Config config = enabled_config();
  config.max_area_bytes = 2 * kMiB;  // no clean regions besides the one returned
  Allocator allocator(config);
  constexpr int kRegions = 16;
  const int rounds = 200 / kSanitizerSlowdown + 5;
  LiveRegions live;
  std::atomic<int> double_owners{0};
  for (int round = 0; round < rounds; ++round) {
    std::vector<Region> regions;
    for (int i = 0; i < kRegions; ++i) regions.push_back(allocate_ok(allocator, 2 * kMiB));
    const std::uint64_t areas_before = class_stats(allocator, 2 * kMiB).areas;
    Gate freed, exit;
    std::atomic<int> producers_done{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < 2; ++p) {
      producers.emplace_back([&, p] {
        for (int i = p; i < kRegions; i += 2) {
          EXPECT_EQ(allocator.deallocate(regions[i]), Status::kOk);
        }
        producers_done.fetch_add(1);
        exit.wait();
      });
    }
    ASSERT_TRUE(wait_until([&] { return producers_done.load() == 2; }));
    std::vector<std::thread> consumers;
    std::mutex mutex;
    std::vector<Region> taken;
    for (int c = 0; c < 4; ++c) {
      consumers.emplace_back([&] {
        for (int i = 0; i < kRegions / 4; ++i) {
          const Region region = allocate_ok(allocator, 2 * kMiB);
          if (!live.insert(region)) double_owners.fetch_add(1);
          std::lock_guard<std::mutex> lock(mutex);
          taken.push_back(region);
        }
      });
    }
    for (std::thread& consumer : consumers) consumer.join();
    exit.open();
    for (std::thread& producer : producers) producer.join();
    // All 16 came from the regions the producers freed, as a rule without a new area. But
    // regions move from the global pool into a consumer's cache in a batch, and while a
    // batch is in that consumer's hands (popped, not yet pushed into its deque) no other
    // thread can see it: a consumer that looks then finds nothing and maps (as Rust lgalloc
    // does with crossbeam's batch steals). Seen in ~1 round in 30, up to 4 areas in a round
    // under ASan; the bound catches a pool that stops reusing. Nothing is handed out twice
    // (checked above).
    EXPECT_LE(class_stats(allocator, 2 * kMiB).areas, areas_before + kRegions / 2) << round;
    for (const Region& region : taken) {
      live.erase(region);
      EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    }
    allocator.flush_thread_cache();
    ASSERT_EQ(allocator.trim(), Status::kOk);
  }
  EXPECT_EQ(double_owners.load(), 0);
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
