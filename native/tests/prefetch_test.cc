// Allocator::prefetch: read-ahead of a byte range inside an allocated region. Ranges that
// reach outside the region (including sums that overflow) are kOutOfBounds with the range
// and capacity in the detail; a failed MADV_WILLNEED is kOsError; a region that is not
// allocated is kInvalidHandle.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>

#include "test_support.h"

namespace lgalloc::test {
namespace {

TEST(Prefetch, AcceptsRangesInsideTheRegion) {
  auto os = faulty_os();
  Allocator allocator(enabled_config(), os);
  const Region region = allocate_ok(allocator, 4 * kMiB);
  const struct {
    std::size_t offset;
    std::size_t length;
  } ranges[] = {
      {0, region.capacity}, {0, 1},           {region.capacity - 1, 1}, {100, 5000},
      {kPageBytes + 1, 3},  {2 * kMiB, kMiB}, {region.capacity, 0},     {0, 0},
  };
  for (const auto& range : ranges) {
    SCOPED_TRACE(std::to_string(range.offset) + "+" + std::to_string(range.length));
    ErrorDetail detail;
    EXPECT_EQ(allocator.prefetch(region, range.offset, range.length, &detail), Status::kOk)
        << "errno " << detail.os_errno;
  }
  EXPECT_GE(os->advise_calls(Advice::kWillNeed), 1u);
  EXPECT_EQ(stats_of(allocator).last_os_errno, 0);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
}

TEST(Prefetch, RejectsRangesOutsideTheRegion) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  const std::size_t capacity = region.capacity;
  const struct {
    std::size_t offset;
    std::size_t length;
  } ranges[] = {
      {capacity, 1},     {0, capacity + 1},    {capacity - 1, 2},
      {capacity + 1, 0}, {1, SIZE_MAX},        {SIZE_MAX, 2},
      {SIZE_MAX, 0},     {SIZE_MAX, SIZE_MAX}, {capacity / 2, SIZE_MAX - capacity / 2 + 1},
  };
  for (const auto& range : ranges) {
    SCOPED_TRACE(std::to_string(range.offset) + "+" + std::to_string(range.length));
    ErrorDetail detail;
    EXPECT_EQ(allocator.prefetch(region, range.offset, range.length, &detail),
              Status::kOutOfBounds);
    EXPECT_EQ(detail.offset, range.offset);
    EXPECT_EQ(detail.length, range.length);
    EXPECT_EQ(detail.capacity, capacity);
  }
  EXPECT_EQ(allocator.prefetch(region, capacity, 1), Status::kOutOfBounds);  // no detail
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
}

TEST(Prefetch, ReportsAFailedAdviceWithItsErrno) {
  auto os = faulty_os();
  Allocator allocator(enabled_config(), os);
  const Region region = allocate_ok(allocator, 2 * kMiB);
  os->fail_advise(Advice::kWillNeed, EAGAIN);
  ErrorDetail detail;
  EXPECT_EQ(allocator.prefetch(region, 0, region.capacity, &detail), Status::kOsError);
  EXPECT_EQ(detail.os_errno, EAGAIN);
  EXPECT_EQ(stats_of(allocator).last_os_errno, EAGAIN);
  EXPECT_EQ(allocator.prefetch(region, 0, region.capacity), Status::kOk);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  expect_consistent(allocator);
}

TEST(Prefetch, RejectsRegionsThatAreNotAllocated) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  EXPECT_EQ(allocator.prefetch(Region{}, 0, 1), Status::kInvalidHandle);
  Region forged = region;
  forged.slot = 1u << 30;
  EXPECT_EQ(allocator.prefetch(forged, 0, 1), Status::kInvalidHandle);
  forged = region;
  forged.generation += 7;
  EXPECT_EQ(allocator.prefetch(forged, 0, 1), Status::kInvalidHandle);
  forged = region;
  forged.size_class_index = kSizeClassCount;
  EXPECT_EQ(allocator.prefetch(forged, 0, 1), Status::kInvalidHandle);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  EXPECT_EQ(allocator.prefetch(region, 0, 1), Status::kInvalidHandle);
  expect_consistent(allocator);
}

TEST(Prefetch, LeavesTheRegionsBytesAlone) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  touch(region, 7);
  ASSERT_EQ(allocator.prefetch(region, 0, region.capacity), Status::kOk);
  EXPECT_EQ(static_cast<char*>(region.ptr)[0], 7);
  EXPECT_EQ(static_cast<char*>(region.ptr)[region.capacity - kPageBytes], 7);
  ASSERT_EQ(allocator.deallocate(region), Status::kOk);
}

}  // namespace
}  // namespace lgalloc::test
