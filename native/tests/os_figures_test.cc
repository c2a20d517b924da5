// What the OS layer reads from the kernel instead of assuming it: the page size, the huge
// page size, and the rule for retrying a refused mapping without commit charge (issue 7,
// items 7 and 10).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "test_support.h"

namespace lgalloc::test {
namespace {

TEST(OsFigures, ThePageSizeIsTheKernels) {
  EXPECT_EQ(os_page_bytes(), static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
}

TEST(OsFigures, TheHugePageSizeIsTheKernelsWhereItSaysSo) {
  std::ifstream file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
  std::size_t bytes = 0;
  if (!(file >> bytes)) bytes = 2 * kMiB;
  EXPECT_EQ(os_huge_page_bytes(), bytes);
}

TEST(OsFigures, AreasStartAtAHugePageBoundary) {
  Allocator allocator(enabled_config());
  const Region region = allocate_ok(allocator, 2 * kMiB);
  const std::size_t alignment = std::max(2 * kMiB, os_huge_page_bytes());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(region.ptr) % alignment, 0u);
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
}

TEST(OsFigures, OnlyMappingsLargerThanRamPlusSwapAreRetriedWithoutReserve) {
  const std::uint64_t total = os_ram_and_swap_bytes();
  ASSERT_GT(total, 0u);
  EXPECT_FALSE(noreserve_retry_allowed(1 * kGiB, total));
  EXPECT_FALSE(noreserve_retry_allowed(static_cast<std::size_t>(total), total));
  EXPECT_TRUE(noreserve_retry_allowed(static_cast<std::size_t>(total) + 1, total));
  EXPECT_FALSE(noreserve_retry_allowed(kMaxRegionBytes, 0)) << "unknown allows no retry";
}

// The largest class still exists: its area is larger than this machine's RAM plus swap, so
// the kernel refuses it as an ordinary mapping and the retry reserves it.
TEST(OsFigures, TheLargestClassStillMaps) {
  Allocator allocator(enabled_config());
  Region region;
  ASSERT_EQ(allocator.allocate(kMaxRegionBytes, &region), Status::kOk);
  static_cast<volatile char*>(region.ptr)[kMaxRegionBytes - 1] = 1;
  EXPECT_EQ(allocator.deallocate(region), Status::kOk);
}

}  // namespace
}  // namespace lgalloc::test
