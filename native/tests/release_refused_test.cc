// The kernel refusing to take pages back, for real (issue 12, "madvise refused"): pages the
// caller locked with mlock cannot be dropped, so madvise(MADV_FREE) and MADV_DONTNEED fail
// with EINVAL. The error reaches the caller of the OS layer, the first refusal of each advice
// prints one warning and later ones print none, and the allocator counts every refusal and
// keeps the region dirty, with its bytes, and usable. These tests use the real system calls:
// they are the only ones in the suite whose madvise is refused by the kernel, so the
// once-per-process warnings are theirs to see.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "test_support.h"

namespace lgalloc::test {
namespace {

// How often `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// Locks [address, address + length) without populating it; false where the kernel refuses
// (no CAP_IPC_LOCK and a small RLIMIT_MEMLOCK).
bool lock_on_fault(void* address, std::size_t length) {
  return ::mlock2(address, length, MLOCK_ONFAULT) == 0;
}

TEST(ReleaseRefused, LockedPagesAreRefusedWithOneWarningPerAdvice) {
  const std::shared_ptr<Os> os = system_os();
  const MapResult mapping = os->map(4 * kMiB);
  ASSERT_NE(mapping.address, nullptr);
  if (!lock_on_fault(mapping.address, 4 * kMiB)) {
    os->unmap(mapping.address, 4 * kMiB);
    GTEST_SKIP() << "mlock2 refused here: " << std::strerror(errno);
  }
  std::memset(mapping.address, 0x5a, 4 * kMiB);

  testing::internal::CaptureStderr();
  for (int round = 0; round < 3; ++round) {
    bool zeroed = true;
    EXPECT_EQ(os->advise(mapping.address, 4 * kMiB, Advice::kFree, &zeroed), EINVAL);
    EXPECT_FALSE(zeroed) << "a refused MADV_FREE dropped nothing";
    zeroed = true;
    EXPECT_EQ(os->advise(mapping.address, 4 * kMiB, Advice::kDontNeed, &zeroed), EINVAL);
    EXPECT_FALSE(zeroed) << "a refused MADV_DONTNEED dropped nothing";
  }
  const std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(occurrences(warnings, "\n"), 2u) << warnings;
  EXPECT_EQ(occurrences(warnings, "madvise(MADV_FREE) failed (errno 22)"), 1u) << warnings;
  EXPECT_EQ(occurrences(warnings, "madvise(MADV_DONTNEED) failed (errno 22)"), 1u) << warnings;
  EXPECT_EQ(static_cast<unsigned char*>(mapping.address)[4 * kMiB - 1], 0x5a);
  EXPECT_EQ(os->unmap(mapping.address, 4 * kMiB), 0);
}

TEST(ReleaseRefused, ALockedRegionReturnedEagerlyStaysDirtyAndCounted) {
  Config config = enabled_config();
  config.eager_return = true;
  config.local_buffer_bytes = 0;
  config.max_area_bytes = 2 * kMiB;  // one region per area: the next allocation is this one
  Allocator allocator(config);
  Region region = allocate_ok(allocator, 2 * kMiB);
  if (!lock_on_fault(region.ptr, region.capacity)) {
    EXPECT_EQ(allocator.deallocate(region), Status::kOk);
    GTEST_SKIP() << "mlock2 refused here: " << std::strerror(errno);
  }
  std::memset(region.ptr, 0x3c, region.capacity);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);

  SizeClassStats stats = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(stats.madvise_failures, 1u) << describe(stats);
  EXPECT_EQ(stats.clear_eager_total, 0u) << describe(stats);
  EXPECT_EQ(stats.allocations, stats.deallocations) << describe(stats);
  EXPECT_EQ(stats.free_regions, regions_in_areas(stats)) << describe(stats);
  EXPECT_EQ(stats_of(allocator).last_os_errno, EINVAL);
  expect_consistent(allocator);

  // The region went back dirty with its bytes and is handed out again.
  const Region again = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(static_cast<unsigned char*>(again.ptr)[0], 0x3c);
  EXPECT_EQ(allocator.deallocate(again), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).madvise_failures, 2u);
  expect_consistent(allocator);
}

}  // namespace
}  // namespace lgalloc::test
