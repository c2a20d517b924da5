// Size classes and status names: the mapping from a request size to a size class index,
// the region size of each index, and the stable name of every Status.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "test_support.h"

namespace lgalloc::test {
namespace {

TEST(SizeClass, TheRangeIsTwoMiBToSixtyFourGiB) {
  EXPECT_EQ(kMinRegionBytes, 2 * kMiB);
  EXPECT_EQ(kMaxRegionBytes, 64 * kGiB);
  EXPECT_EQ(kSizeClassCount, 16u);
}

TEST(SizeClass, IndexForTheEdges) {
  EXPECT_EQ(size_class_index_for(0), std::nullopt);
  EXPECT_EQ(size_class_index_for(1), std::nullopt);
  EXPECT_EQ(size_class_index_for((std::size_t{1} << 21) - 1), std::nullopt);
  EXPECT_EQ(size_class_index_for(std::size_t{1} << 21), 0u);
  EXPECT_EQ(size_class_index_for((std::size_t{1} << 21) + 1), 1u);
  EXPECT_EQ(size_class_index_for(std::size_t{1} << 22), 1u);
  EXPECT_EQ(size_class_index_for((std::size_t{1} << 35) + 1), 15u);
  EXPECT_EQ(size_class_index_for(std::size_t{1} << 36), 15u);
  EXPECT_EQ(size_class_index_for((std::size_t{1} << 36) + 1), std::nullopt);
  EXPECT_EQ(size_class_index_for(std::size_t{1} << 37), std::nullopt);
  EXPECT_EQ(size_class_index_for(std::size_t{1} << 63), std::nullopt);
  EXPECT_EQ(size_class_index_for(SIZE_MAX), std::nullopt);
}

TEST(SizeClass, EveryPowerOfTwoAndItsNeighbours) {
  for (unsigned index = 0; index < kSizeClassCount; ++index) {
    const std::size_t bytes = region_bytes_of(index);
    SCOPED_TRACE(bytes);
    EXPECT_EQ(bytes, std::size_t{1} << (index + 21));
    EXPECT_EQ(size_class_index_for(bytes), index);
    EXPECT_EQ(size_class_index_for(bytes - 1),
              index == 0 ? std::nullopt : std::optional<unsigned>(index));
    if (index + 1 < kSizeClassCount) EXPECT_EQ(size_class_index_for(bytes + 1), index + 1);
  }
}

TEST(SizeClass, RegionBytesOfIsConstexpr) {
  static_assert(region_bytes_of(0) == std::size_t{1} << 21);
  static_assert(region_bytes_of(kSizeClassCount - 1) == kMaxRegionBytes);
}

TEST(StatusName, NamesEveryStatus) {
  EXPECT_STREQ(status_name(Status::kOk), "Ok");
  EXPECT_STREQ(status_name(Status::kInvalidSizeClass), "InvalidSizeClass");
  EXPECT_STREQ(status_name(Status::kDisabled), "Disabled");
  EXPECT_STREQ(status_name(Status::kOutOfMemory), "OutOfMemory");
  EXPECT_STREQ(status_name(Status::kInvalidHandle), "InvalidHandle");
  EXPECT_STREQ(status_name(Status::kOutOfBounds), "OutOfBounds");
  EXPECT_STREQ(status_name(Status::kOsError), "OsError");
  EXPECT_STREQ(status_name(Status::kInvalidArgument), "InvalidArgument");
}

TEST(StatusName, AnUnknownValueStillGetsAName) {
  const char* name = status_name(static_cast<Status>(1000));
  ASSERT_NE(name, nullptr);
  EXPECT_GT(std::string(name).size(), 0u);
}

}  // namespace
}  // namespace lgalloc::test
