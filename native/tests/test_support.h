// Helpers shared by the allocator core's tests: sizes and configurations, the stats of one
// size class, the invariants every quiescent allocator satisfies, polling for what the
// background worker does, and a gate to hold helper threads at a known point.
//
// Every test builds its own `Allocator` with an explicit `Config`, never the process
// default, so that no test sees another's regions, caches or counters.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "lgalloc/lgalloc.h"
#include "lgalloc/os.h"

namespace lgalloc {
/// So that gtest prints "Disabled" rather than the bytes of the enum.
inline void PrintTo(Status status, std::ostream* os) { *os << status_name(status); }
}  // namespace lgalloc

namespace lgalloc::test {

inline constexpr std::size_t kKiB = std::size_t{1} << 10;
inline constexpr std::size_t kMiB = std::size_t{1} << 20;
inline constexpr std::size_t kGiB = std::size_t{1} << 30;
inline constexpr std::size_t kPageBytes = 4 * kKiB;

// Sanitizers make every memory access and atomic several times slower; loops that aim at a
// wall-clock budget divide their iteration counts by this.
#if defined(__SANITIZE_THREAD__)
inline constexpr int kSanitizerSlowdown = 4;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr int kSanitizerSlowdown = 2;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr int kSanitizerSlowdown = 4;
#elif __has_feature(address_sanitizer)
inline constexpr int kSanitizerSlowdown = 2;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

/// A configuration with allocation switched on and every other field at its default.
inline Config enabled_config() {
  Config config;
  config.enabled = true;
  return config;
}

/// A fault-injecting wrapper around the real system calls.
inline std::shared_ptr<FaultInjectingOs> faulty_os() {
  return std::make_shared<FaultInjectingOs>(system_os());
}

/// The size class index of a region size the test knows to be valid.
inline unsigned class_of(std::size_t region_bytes) {
  const std::optional<unsigned> index = size_class_index_for(region_bytes);
  EXPECT_TRUE(index.has_value()) << region_bytes;
  return index.value_or(0);
}

inline Stats stats_of(const Allocator& allocator) {
  Stats stats;
  allocator.stats(&stats);
  return stats;
}

/// The stats of the size class that holds regions of `region_bytes`.
inline SizeClassStats class_stats(const Allocator& allocator, std::size_t region_bytes) {
  return stats_of(allocator).size_classes[class_of(region_bytes)];
}

inline std::uint64_t regions_in_areas(const SizeClassStats& stats) {
  return stats.region_bytes == 0 ? 0 : stats.area_total_bytes / stats.region_bytes;
}

/// Every field of one class's stats, for messages and for "nothing changed" checks.
inline std::string describe(const SizeClassStats& s) {
  return "region_bytes=" + std::to_string(s.region_bytes) + " areas=" + std::to_string(s.areas) +
         " area_total_bytes=" + std::to_string(s.area_total_bytes) +
         " free=" + std::to_string(s.free_regions) + " clean=" + std::to_string(s.clean_regions) +
         " global=" + std::to_string(s.global_regions) +
         " thread=" + std::to_string(s.thread_regions) +
         " allocations=" + std::to_string(s.allocations) +
         " slow_path=" + std::to_string(s.slow_path) + " refill=" + std::to_string(s.refill) +
         " deallocations=" + std::to_string(s.deallocations) +
         " clear_eager=" + std::to_string(s.clear_eager_total) +
         " clear_slow=" + std::to_string(s.clear_slow_total) +
         " trimmed=" + std::to_string(s.trimmed_areas) +
         " madvise_failures=" + std::to_string(s.madvise_failures);
}

inline std::string describe(const Stats& stats) {
  std::string text = "mapped_bytes=" + std::to_string(stats.mapped_bytes) +
                     " limit=" + std::to_string(stats.memory_limit_bytes) +
                     " mmap_failures=" + std::to_string(stats.mmap_failures) +
                     " passes=" + std::to_string(stats.background_passes) +
                     " last_os_errno=" + std::to_string(stats.last_os_errno);
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    if (stats.size_classes[i].areas == 0 && stats.size_classes[i].allocations == 0) continue;
    text += "\n  class " + std::to_string(i) + ": " + describe(stats.size_classes[i]);
  }
  return text;
}

/// Checks what must hold whenever no thread is inside the allocator: the free regions are
/// exactly those of the three places, every region of every area is either free or
/// allocated (allocations minus deallocations), and the areas add up to the mapped bytes.
inline void expect_consistent(const Allocator& allocator) {
  const Stats stats = stats_of(allocator);
  SCOPED_TRACE(describe(stats));
  std::uint64_t area_bytes = 0;
  for (unsigned i = 0; i < kSizeClassCount; ++i) {
    const SizeClassStats& s = stats.size_classes[i];
    SCOPED_TRACE("size class " + std::to_string(i));
    EXPECT_EQ(s.region_bytes, region_bytes_of(i));
    EXPECT_EQ(s.free_regions, s.clean_regions + s.global_regions + s.thread_regions);
    EXPECT_EQ(s.area_total_bytes % region_bytes_of(i), 0u);
    EXPECT_EQ(s.areas == 0, s.area_total_bytes == 0);
    EXPECT_LE(s.free_regions, regions_in_areas(s));
    EXPECT_GE(s.allocations, s.deallocations);
    EXPECT_EQ(s.allocations - s.deallocations, regions_in_areas(s) - s.free_regions);
    area_bytes += s.area_total_bytes;
  }
  EXPECT_EQ(stats.mapped_bytes, area_bytes);
}

/// Polls `condition` every millisecond until it holds or `timeout` passes.
template <typename Condition>
bool wait_until(Condition condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

/// Waits until the background worker has cleaned `count` regions of a class. (Waiting for
/// an empty dirty pool is not enough: a pass takes regions out before it counts them.)
inline bool wait_until_cleared(const Allocator& allocator, std::size_t region_bytes,
                               std::uint64_t count) {
  return wait_until([&] { return class_stats(allocator, region_bytes).clear_slow_total >= count; });
}

/// Whether `length` bytes at `address` are all zero.
inline bool all_zero(const void* address, std::size_t length) {
  static const char zeros[64 * 1024] = {};
  const char* bytes = static_cast<const char*>(address);
  while (length > 0) {
    const std::size_t chunk = length < sizeof zeros ? length : sizeof zeros;
    if (std::memcmp(bytes, zeros, chunk) != 0) return false;
    bytes += chunk;
    length -= chunk;
  }
  return true;
}

/// Whether the first and last byte of every `stride`-th page of the region read zero.
inline bool sampled_pages_zero(const Region& region, std::size_t stride = 64) {
  const char* bytes = static_cast<const char*>(region.ptr);
  for (std::size_t page = 0; page < region.capacity / kPageBytes; page += stride) {
    if (bytes[page * kPageBytes] != 0 || bytes[page * kPageBytes + kPageBytes - 1] != 0) {
      return false;
    }
  }
  return bytes[region.capacity - 1] == 0;
}

/// Writes `value` into the first byte of every page of the region's first `length` bytes.
inline void touch(const Region& region, char value, std::size_t length = 0) {
  if (length == 0) length = region.capacity;
  char* bytes = static_cast<char*>(region.ptr);
  for (std::size_t offset = 0; offset < length; offset += kPageBytes) bytes[offset] = value;
}

/// Allocates a region that the test expects to get; fails the test otherwise.
inline Region allocate_ok(Allocator& allocator, std::size_t size) {
  Region region;
  ErrorDetail detail;
  const Status status = allocator.allocate(size, &region, &detail);
  EXPECT_EQ(status, Status::kOk) << status_name(status) << " errno " << detail.os_errno;
  return region;
}

/// The names (`comm`) of the threads of this process.
inline std::vector<std::string> thread_names() {
  std::vector<std::string> names;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return names;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
    std::string name;
    if (std::getline(comm, name)) names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

inline std::size_t threads_named(const std::string& name) {
  std::size_t count = 0;
  for (const std::string& each : thread_names()) count += each == name ? 1 : 0;
  return count;
}

/// A one-way signal between threads: `open` once, `wait` any number of times.
class Gate {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

}  // namespace lgalloc::test
