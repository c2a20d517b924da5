// Allocator::move_contents: growing (or shrinking) into another region without copying.
// Whole 2 MiB pieces move by remapping their pages (the destination sees the source's
// bytes, the source reads zero), the rest is copied, and a piece the kernel refuses to
// move is copied too. Handles are validated like deallocate's; lengths like prefetch's.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

/// A byte that depends on the offset, so that a piece landing at the wrong place shows.
char pattern_at(std::size_t offset, char seed) {
  return static_cast<char>(seed + offset / kPageBytes * 7 + offset % 251);
}

void write_pattern(const Region& region, std::size_t length, char seed) {
  auto* bytes = static_cast<char*>(region.ptr);
  for (std::size_t i = 0; i < length; ++i) bytes[i] = pattern_at(i, seed);
}

/// The first offset in [0, length) whose byte differs from the pattern, or `length`.
std::size_t first_mismatch(const Region& region, std::size_t length, char seed) {
  const auto* bytes = static_cast<const char*>(region.ptr);
  for (std::size_t i = 0; i < length; ++i) {
    if (bytes[i] != pattern_at(i, seed)) return i;
  }
  return length;
}

/// Two 8 MiB regions: `from` carrying the pattern of `seed`, `to` every byte `fill`.
std::pair<Region, Region> patterned_pair(Allocator& allocator, char seed, int fill) {
  const Region from = allocate_ok(allocator, 8 * kMiB);
  const Region to = allocate_ok(allocator, 8 * kMiB);
  write_pattern(from, from.capacity, seed);
  std::memset(to.ptr, fill, to.capacity);
  return {from, to};
}

std::size_t mapping_count() {
  std::ifstream maps("/proc/self/maps");
  std::size_t lines = 0;
  for (std::string line; std::getline(maps, line);) ++lines;
  return lines;
}

TEST(MoveContents, MovesWholePiecesByRemappingThem) {
  Allocator allocator(enabled_config());
  const Region from = allocate_ok(allocator, 8 * kMiB);
  const Region to = allocate_ok(allocator, 16 * kMiB);
  ASSERT_TRUE(to.known_zero);
  write_pattern(from, from.capacity, 1);

  ASSERT_EQ(allocator.move_contents(from, to, from.capacity), Status::kOk);
  EXPECT_EQ(first_mismatch(to, from.capacity, 1), from.capacity);
  // The destination past the moved range is untouched; the source holds the target's
  // former pages, which were never touched, so it reads zero.
  EXPECT_TRUE(all_zero(static_cast<char*>(to.ptr) + from.capacity, to.capacity - from.capacity));
  EXPECT_TRUE(all_zero(from.ptr, from.capacity));
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.moved_bytes, 8 * kMiB);
  EXPECT_EQ(stats.copied_bytes, 0u);

  // Both regions remain ordinary regions: writable, freeable, reusable.
  write_pattern(from, from.capacity, 2);
  EXPECT_EQ(first_mismatch(from, from.capacity, 2), from.capacity);
  ASSERT_EQ(allocator.deallocate(from), Status::kOk);
  ASSERT_EQ(allocator.deallocate(to), Status::kOk);
  expect_consistent(allocator);
}

TEST(MoveContents, CopiesWhatIsNotAWholePiece) {
  Allocator allocator(enabled_config());
  const Region from = allocate_ok(allocator, 4 * kMiB);
  const Region to = allocate_ok(allocator, 8 * kMiB);
  const std::size_t length = 3 * kMiB + 123;
  write_pattern(from, from.capacity, 3);
  std::memset(to.ptr, 0x5a, to.capacity);

  ASSERT_EQ(allocator.move_contents(from, to, length), Status::kOk);
  EXPECT_EQ(first_mismatch(to, length, 3), length);
  const auto* target = static_cast<const unsigned char*>(to.ptr);
  EXPECT_EQ(target[length], 0x5a) << "a byte past the length was overwritten";
  EXPECT_EQ(target[to.capacity - 1], 0x5a);
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.moved_bytes, 2 * kMiB);
  EXPECT_EQ(stats.copied_bytes, kMiB + 123);
  ASSERT_EQ(allocator.deallocate(from), Status::kOk);
  ASSERT_EQ(allocator.deallocate(to), Status::kOk);
}

TEST(MoveContents, ShrinksIntoASmallerRegion) {
  Allocator allocator(enabled_config());
  const Region from = allocate_ok(allocator, 16 * kMiB);
  const Region to = allocate_ok(allocator, 4 * kMiB);
  write_pattern(from, from.capacity, 4);
  ASSERT_EQ(allocator.move_contents(from, to, to.capacity), Status::kOk);
  EXPECT_EQ(first_mismatch(to, to.capacity, 4), to.capacity);
  // Only the moved part of the source changed.
  const auto* rest = static_cast<const char*>(from.ptr) + to.capacity;
  EXPECT_EQ(rest[0], pattern_at(to.capacity, 4));
  ASSERT_EQ(allocator.deallocate(from), Status::kOk);
  ASSERT_EQ(allocator.deallocate(to), Status::kOk);
}

// Each piece takes three moves (target to scratch, source to target, scratch to source);
// a failure at any of them must still leave the target with the source's bytes.
TEST(MoveContents, SurvivesTheKernelRefusingAnyStep) {
  const struct {
    const char* step;
    int after;  // successful moves before the failures
    int count;
    std::size_t copied;
  } cases[] = {
      {"target to scratch, then the plain move", 0, 2, 2 * kMiB},
      {"source to target", 1, 1, 2 * kMiB},
      {"scratch to source", 2, 1, 0},
      {"every move", 0, 1000, 8 * kMiB},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.step);
    auto os = faulty_os();
    Allocator allocator(enabled_config(), os);
    const auto [from, to] = patterned_pair(allocator, 5, 0x33);
    os->fail_move_pages(ENOMEM, c.count, c.after);

    ASSERT_EQ(allocator.move_contents(from, to, from.capacity), Status::kOk);
    EXPECT_EQ(first_mismatch(to, from.capacity, 5), from.capacity);
    const Stats stats = stats_of(allocator);
    EXPECT_EQ(stats.copied_bytes, c.copied);
    EXPECT_EQ(stats.moved_bytes, 8 * kMiB - c.copied);
    // Whatever happened, the source is still mapped and usable.
    write_pattern(from, from.capacity, 6);
    EXPECT_EQ(first_mismatch(from, from.capacity, 6), from.capacity);
    os->fail_move_pages(0, 0);
    ASSERT_EQ(allocator.deallocate(from), Status::kOk);
    ASSERT_EQ(allocator.deallocate(to), Status::kOk);
  }
}

// The target's pages take the source's place, so a pooled source region is not left
// without pages (which would all fault in again at its next use).
TEST(MoveContents, SwapsPagesSoTheSourceKeepsItsMemory) {
  Allocator allocator(enabled_config());
  const auto [from, to] = patterned_pair(allocator, 7, 0x44);
  ASSERT_EQ(allocator.move_contents(from, to, from.capacity), Status::kOk);
  std::vector<unsigned char> resident(from.capacity / kPageBytes);
  ASSERT_EQ(::mincore(from.ptr, from.capacity, resident.data()), 0) << errno;
  std::size_t missing = 0;
  for (unsigned char page : resident) missing += (page & 1) == 0;
  EXPECT_EQ(missing, 0u) << "pages of the source were given back instead of swapped";
  // And they are the target's former pages.
  EXPECT_EQ(static_cast<const unsigned char*>(from.ptr)[0], 0x44);
  EXPECT_EQ(static_cast<const unsigned char*>(from.ptr)[from.capacity - 1], 0x44);
  ASSERT_EQ(allocator.deallocate(from), Status::kOk);
  ASSERT_EQ(allocator.deallocate(to), Status::kOk);
}

TEST(MoveContents, RejectsHandlesThatAreNotLive) {
  Allocator allocator(enabled_config());
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  const Region freed = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(freed), Status::kOk);
  std::memset(b.ptr, 0x11, b.capacity);
  Region forged = a;
  forged.generation += 1;
  Region foreign = a;
  foreign.ptr = static_cast<char*>(a.ptr) + kPageBytes;
  Region wrong_class = a;
  wrong_class.size_class_index = 3;

  for (const Region& bad : {freed, forged, foreign, wrong_class}) {
    ErrorDetail detail;
    EXPECT_EQ(allocator.move_contents(bad, b, kMiB, &detail), Status::kInvalidHandle);
    EXPECT_EQ(detail.status, Status::kInvalidHandle);
    EXPECT_EQ(allocator.move_contents(a, bad, kMiB), Status::kInvalidHandle);
  }
  EXPECT_EQ(allocator.move_contents(a, a, kMiB), Status::kInvalidHandle);
  EXPECT_EQ(static_cast<const unsigned char*>(b.ptr)[0], 0x11) << "a refused move wrote";
  const Stats stats = stats_of(allocator);
  EXPECT_EQ(stats.moved_bytes + stats.copied_bytes, 0u);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  expect_consistent(allocator);
}

TEST(MoveContents, RejectsLengthsPastEitherCapacity) {
  Allocator allocator(enabled_config());
  const Region small = allocate_ok(allocator, 2 * kMiB);
  const Region large = allocate_ok(allocator, 4 * kMiB);
  for (const auto& [from, to] : {std::pair{small, large}, std::pair{large, small}}) {
    ErrorDetail detail;
    EXPECT_EQ(allocator.move_contents(from, to, 2 * kMiB + 1, &detail), Status::kOutOfBounds);
    EXPECT_EQ(detail.length, 2 * kMiB + 1);
    EXPECT_EQ(detail.capacity, 2 * kMiB);
    EXPECT_EQ(allocator.move_contents(from, to, SIZE_MAX), Status::kOutOfBounds);
  }
  EXPECT_EQ(allocator.move_contents(small, large, 0), Status::kOk);
  ASSERT_EQ(allocator.deallocate(small), Status::kOk);
  ASSERT_EQ(allocator.deallocate(large), Status::kOk);
}

// A vector that grows and shrinks for a long time moves pieces between the same areas
// again and again; the kernel must keep merging them, or the process would run into the
// limit on mappings (vm.max_map_count) and every mmap would fail.
TEST(MoveContents, RepeatedMovesKeepTheMappingCountBounded) {
  Allocator allocator(enabled_config());
  const std::size_t before = mapping_count();
  for (int round = 0; round < 200; ++round) {
    const Region small = allocate_ok(allocator, 2 * kMiB << (round % 3));
    const Region large = allocate_ok(allocator, 16 * kMiB);
    write_pattern(small, kPageBytes, static_cast<char>(round));
    ASSERT_EQ(allocator.move_contents(small, large, small.capacity), Status::kOk);
    ASSERT_EQ(first_mismatch(large, kPageBytes, static_cast<char>(round)), kPageBytes);
    ASSERT_EQ(allocator.move_contents(large, small, small.capacity), Status::kOk);
    ASSERT_EQ(first_mismatch(small, kPageBytes, static_cast<char>(round)), kPageBytes);
    ASSERT_EQ(allocator.deallocate(small), Status::kOk);
    ASSERT_EQ(allocator.deallocate(large), Status::kOk);
  }
  // Each distinct (area, moved range) pair may add a mapping; 200 rounds over a handful
  // of regions must not add hundreds.
  EXPECT_LT(mapping_count(), before + 64);
  expect_consistent(allocator);
  allocator.flush_thread_cache();
  TrimResult trimmed;
  ASSERT_EQ(allocator.trim(&trimmed), Status::kOk);
  EXPECT_EQ(stats_of(allocator).mapped_bytes, 0u) << "areas split by moves must still unmap";
}

}  // namespace
}  // namespace lgalloc::test
