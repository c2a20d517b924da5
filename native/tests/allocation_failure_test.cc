// The core's "never throws, never aborts" under allocation failure: a replaced global
// operator new that fails on demand, armed on the calling thread only, makes every heap
// allocation the core does fail in turn (issue 7, item 6). Before the fix, a vector that
// grew inside a noexcept function (the thread-cache registry, the area list, trim's
// scratch lists) threw std::bad_alloc there, and std::terminate ended the process.
//
// Each scenario runs once with the n-th allocation failing, for n = 0, 1, 2, ... until a
// run sees no failure: so every allocation on the path fails once. Whatever fails, the
// calls return a status, and the allocator stays consistent and usable afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>
#include <thread>
#include <vector>

#include "test_support.h"

namespace {

// -1: disarmed. Otherwise the number of allocations still allowed before one fails. Only
// allocations made inside the allocator's calls (`in_allocator`) count: the test's own
// (gtest's messages, std::thread) never fail.
thread_local long allocations_before_failure = -1;
thread_local bool inside_allocator = false;
thread_local bool failed_once = false;

void* allocate_or_fail(std::size_t size, std::size_t alignment) {
  if (inside_allocator && allocations_before_failure == 0) {
    allocations_before_failure = -1;  // one failure per run
    failed_once = true;
    throw std::bad_alloc();
  }
  if (inside_allocator && allocations_before_failure > 0) --allocations_before_failure;
  if (size == 0) size = 1;
  void* memory =
      alignment <= alignof(std::max_align_t)
          ? std::malloc(size)
          : std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

}  // namespace

// The replaceable global allocation functions ([new.delete]); the nothrow and array
// forms of libstdc++ call these.
void* operator new(std::size_t size) { return allocate_or_fail(size, 0); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate_or_fail(size, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate_or_fail(size, 0);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return allocate_or_fail(size, static_cast<std::size_t>(alignment));
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return operator new(size, alignment);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void* operator new[](std::size_t size, std::align_val_t alignment,
                     const std::nothrow_t& tag) noexcept {
  return operator new(size, alignment, tag);
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }

namespace lgalloc::test {
namespace {

// Runs one call into the allocator with the armed failure active.
template <typename Call>
auto in_allocator(Call&& call) {
  inside_allocator = true;
  auto result = call();
  inside_allocator = false;
  return result;
}

// Runs `scenario` on a fresh thread (so that thread-cache creation is on the path) with the
// n-th allocation of that thread failing, for every n until one run allocates without
// failing. Returns how many runs saw a failure.
int fail_each_allocation_in_turn(const std::function<void(long)>& scenario) {
  int failures = 0;
  for (long n = 0;; ++n) {
    bool failed = false;
    std::thread runner([&] {
      allocations_before_failure = n;
      failed_once = false;
      scenario(n);
      allocations_before_failure = -1;
      failed = failed_once;
    });
    runner.join();
    if (!failed) return failures;
    ++failures;
  }
}

TEST(AllocationFailure, AllocateAndDeallocateReturnStatusesAndLoseNothing) {
  Allocator allocator(enabled_config());
  const int failures = fail_each_allocation_in_turn([&](long n) {
    SCOPED_TRACE("allocation " + std::to_string(n) + " fails");
    Region regions[3];
    Status statuses[3];
    // Three classes: a thread cache, new areas, new slot chunks, the area lists.
    const std::size_t sizes[3] = {2 * kMiB, 8 * kMiB, 64 * kMiB};
    for (int i = 0; i < 3; ++i) {
      statuses[i] = in_allocator([&] { return allocator.allocate(sizes[i], &regions[i]); });
    }
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(statuses[i] == Status::kOk || statuses[i] == Status::kOutOfMemory)
          << status_name(statuses[i]);
      if (statuses[i] == Status::kOk) {
        EXPECT_EQ(in_allocator([&] { return allocator.deallocate(regions[i]); }), Status::kOk);
      }
    }
    in_allocator([&] {
      allocator.flush_thread_cache();
      return 0;
    });
  });
  EXPECT_GT(failures, 0) << "no allocation on the path: the test tests nothing";
  expect_consistent(allocator);
  // Still usable.
  EXPECT_EQ(allocator.deallocate(allocate_ok(allocator, 2 * kMiB)), Status::kOk);
}

TEST(AllocationFailure, TrimEitherTrimsOrChangesNothing) {
  Allocator allocator(enabled_config());
  const int failures = fail_each_allocation_in_turn([&](long n) {
    SCOPED_TRACE("allocation " + std::to_string(n) + " fails");
    // Disarmed while setting up, armed for trim alone.
    allocations_before_failure = -1;
    std::vector<Region> regions;
    for (int i = 0; i < 4; ++i) regions.push_back(allocate_ok(allocator, 32 * kMiB));
    for (const Region& region : regions) EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    allocator.flush_thread_cache();
    const SizeClassStats before = class_stats(allocator, 32 * kMiB);
    failed_once = false;
    allocations_before_failure = n;
    TrimResult trimmed;
    const Status status = in_allocator([&] { return allocator.trim(&trimmed); });
    allocations_before_failure = -1;
    if (failed_once) {
      EXPECT_EQ(status, Status::kOutOfMemory);
      EXPECT_EQ(describe(class_stats(allocator, 32 * kMiB)), describe(before));
    } else {
      EXPECT_EQ(status, Status::kOk);
      EXPECT_GT(trimmed.areas_unmapped, 0u);
      EXPECT_EQ(class_stats(allocator, 32 * kMiB).areas, 0u);
    }
    allocator.trim();
  });
  EXPECT_GT(failures, 0) << "trim allocated nothing: the test tests nothing";
  expect_consistent(allocator);
}

TEST(AllocationFailure, ConfigureAndStatsReturnStatuses) {
  Allocator allocator(enabled_config());
  fail_each_allocation_in_turn([&](long) {
    ConfigUpdate update;
    update.background = std::optional<BackgroundConfig>(BackgroundConfig{3'600'000'000'000, 0});
    const Status started = in_allocator([&] { return allocator.configure(update); });
    EXPECT_TRUE(started == Status::kOk || started == Status::kOsError) << status_name(started);
    update.background = std::optional<BackgroundConfig>{};
    EXPECT_EQ(in_allocator([&] { return allocator.configure(update); }), Status::kOk);
    Stats stats;
    in_allocator([&] {
      allocator.stats(&stats);
      return 0;
    });
  });
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
