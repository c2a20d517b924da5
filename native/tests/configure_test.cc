// Allocator::configure and Allocator::config: partial updates change only the fields they
// set, config() reflects them, and an invalid update is rejected whole, naming its field.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace lgalloc::test {
namespace {

void expect_same_config(const Config& actual, const Config& expected) {
  EXPECT_EQ(actual.enabled, expected.enabled);
  EXPECT_EQ(actual.eager_return, expected.eager_return);
  EXPECT_EQ(actual.growth_dampener, expected.growth_dampener);
  EXPECT_EQ(actual.local_buffer_bytes, expected.local_buffer_bytes);
  EXPECT_EQ(actual.max_area_bytes, expected.max_area_bytes);
  EXPECT_EQ(actual.memory_limit_bytes, expected.memory_limit_bytes);
  ASSERT_EQ(actual.background.has_value(), expected.background.has_value());
  if (actual.background) {
    EXPECT_EQ(actual.background->interval_ns, expected.background->interval_ns);
    EXPECT_EQ(actual.background->clear_bytes, expected.background->clear_bytes);
  }
}

TEST(Configure, TheDefaultsFollowLgalloc) {
  const Config config;
  EXPECT_FALSE(config.enabled);
  EXPECT_FALSE(config.eager_return);
  EXPECT_EQ(config.growth_dampener, 0u);
  EXPECT_EQ(config.local_buffer_bytes, 32 * kMiB);
  EXPECT_FALSE(config.background.has_value());
  EXPECT_EQ(config.max_area_bytes, 0u);
  EXPECT_EQ(config.memory_limit_bytes, 0u);
  const BackgroundConfig background;
  EXPECT_EQ(background.interval_ns, 1'000'000'000u);
  EXPECT_EQ(background.clear_bytes, 0u);
}

TEST(Configure, ConfigReturnsTheConstructorsConfig) {
  Config config;
  config.enabled = true;
  config.eager_return = true;
  config.growth_dampener = 3;
  config.local_buffer_bytes = 64 * kMiB;
  config.max_area_bytes = 256 * kMiB;
  config.memory_limit_bytes = kGiB;
  config.background = BackgroundConfig{5'000'000, 4 * kMiB};
  Allocator allocator(config);
  EXPECT_EQ(allocator.start_status(), Status::kOk);
  expect_same_config(allocator.config(), config);
  EXPECT_EQ(stats_of(allocator).memory_limit_bytes, kGiB);
}

TEST(Configure, AnEmptyUpdateChangesNothing) {
  Allocator allocator(enabled_config());
  EXPECT_EQ(allocator.configure(ConfigUpdate{}), Status::kOk);
  expect_same_config(allocator.config(), enabled_config());
}

TEST(Configure, UpdatesOnlyTheFieldsThatAreSet) {
  Allocator allocator;
  Config expected;

  ASSERT_EQ(allocator.configure(ConfigUpdate{.enabled = true}), Status::kOk);
  expected.enabled = true;
  expect_same_config(allocator.config(), expected);

  ASSERT_EQ(allocator.configure(ConfigUpdate{.eager_return = true}), Status::kOk);
  expected.eager_return = true;
  expect_same_config(allocator.config(), expected);

  ASSERT_EQ(allocator.configure(ConfigUpdate{.growth_dampener = 2}), Status::kOk);
  expected.growth_dampener = 2;
  expect_same_config(allocator.config(), expected);

  ASSERT_EQ(allocator.configure(ConfigUpdate{.local_buffer_bytes = 8 * kMiB}), Status::kOk);
  expected.local_buffer_bytes = 8 * kMiB;
  expect_same_config(allocator.config(), expected);

  ASSERT_EQ(allocator.configure(ConfigUpdate{.max_area_bytes = 64 * kMiB}), Status::kOk);
  expected.max_area_bytes = 64 * kMiB;
  expect_same_config(allocator.config(), expected);

  ASSERT_EQ(allocator.configure(ConfigUpdate{.memory_limit_bytes = kGiB}), Status::kOk);
  expected.memory_limit_bytes = kGiB;
  expect_same_config(allocator.config(), expected);
  EXPECT_EQ(stats_of(allocator).memory_limit_bytes, kGiB);

  ConfigUpdate start;
  start.background = std::optional<BackgroundConfig>(BackgroundConfig{20'000'000, 2 * kMiB});
  ASSERT_EQ(allocator.configure(start), Status::kOk);
  expected.background = BackgroundConfig{20'000'000, 2 * kMiB};
  expect_same_config(allocator.config(), expected);

  ConfigUpdate stop;
  stop.background = std::optional<BackgroundConfig>{};
  ASSERT_EQ(allocator.configure(stop), Status::kOk);
  expected.background.reset();
  expect_same_config(allocator.config(), expected);

  ASSERT_EQ(allocator.configure(ConfigUpdate{.enabled = false, .eager_return = false}),
            Status::kOk);
  expected.enabled = false;
  expected.eager_return = false;
  expect_same_config(allocator.config(), expected);
}

TEST(Configure, RejectsAZeroIntervalAndNamesTheField) {
  Allocator allocator;
  const Config before = allocator.config();
  ConfigUpdate update;
  update.enabled = true;
  update.memory_limit_bytes = 64 * kMiB;
  update.background = std::optional<BackgroundConfig>(BackgroundConfig{0, 2 * kMiB});
  ErrorDetail detail;
  EXPECT_EQ(allocator.configure(update, &detail), Status::kInvalidArgument);
  ASSERT_NE(detail.field, nullptr);
  EXPECT_NE(std::string(detail.field).find("interval_ns"), std::string::npos) << detail.field;
  // Nothing of the update applied, not even its valid fields.
  expect_same_config(allocator.config(), before);
  Region region;
  EXPECT_EQ(allocator.allocate(2 * kMiB, &region), Status::kDisabled);
  EXPECT_EQ(stats_of(allocator).memory_limit_bytes, 0u);
  EXPECT_EQ(threads_named("lgalloc-0"), 0u);
  EXPECT_EQ(allocator.configure(update), Status::kInvalidArgument);  // no detail
}

TEST(Configure, AZeroIntervalLeavesARunningWorkerAlone) {
  Allocator allocator(enabled_config());
  ConfigUpdate start;
  start.background = std::optional<BackgroundConfig>(BackgroundConfig{10'000'000, 0});
  ASSERT_EQ(allocator.configure(start), Status::kOk);
  ConfigUpdate bad;
  bad.background = std::optional<BackgroundConfig>(BackgroundConfig{0, 0});
  EXPECT_EQ(allocator.configure(bad), Status::kInvalidArgument);
  const Config config = allocator.config();
  ASSERT_TRUE(config.background.has_value());
  EXPECT_EQ(config.background->interval_ns, 10'000'000u);
  const std::uint64_t passes = stats_of(allocator).background_passes;
  EXPECT_TRUE(wait_until([&] { return stats_of(allocator).background_passes > passes + 1; }));
}

TEST(Configure, EagerReturnAppliesToTheNextFree) {
  Config config = enabled_config();
  config.local_buffer_bytes = 0;
  Allocator allocator(config);
  const Region a = allocate_ok(allocator, 2 * kMiB);
  const Region b = allocate_ok(allocator, 2 * kMiB);
  ASSERT_EQ(allocator.deallocate(a), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).clear_eager_total, 0u);
  ASSERT_EQ(allocator.configure(ConfigUpdate{.eager_return = true}), Status::kOk);
  ASSERT_EQ(allocator.deallocate(b), Status::kOk);
  EXPECT_EQ(class_stats(allocator, 2 * kMiB).clear_eager_total, 1u);
  expect_consistent(allocator);
}

TEST(Configure, LocalBufferBytesSizesTheCache) {
  Allocator allocator(enabled_config());
  ASSERT_EQ(allocator.configure(ConfigUpdate{.local_buffer_bytes = 6 * kMiB}), Status::kOk);
  std::vector<Region> regions;
  for (int i = 0; i < 5; ++i) regions.push_back(allocate_ok(allocator, 2 * kMiB));
  allocator.flush_thread_cache();
  for (const Region& region : regions) ASSERT_EQ(allocator.deallocate(region), Status::kOk);
  // A cache of 6 MiB / 2 MiB = 3 regions; the other two overflow to the dirty pool.
  const SizeClassStats s = class_stats(allocator, 2 * kMiB);
  EXPECT_EQ(s.thread_regions, 3u) << describe(s);
  EXPECT_EQ(s.global_regions, 2u) << describe(s);
  expect_consistent(allocator);
}

TEST(Configure, ConfigIsReadableFromManyThreads) {
  Allocator allocator(enabled_config());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (std::uint64_t i = 0; !stop.load(); ++i) {
      ConfigUpdate update;
      update.growth_dampener = i % 5;
      update.local_buffer_bytes = (1 + i % 4) * 8 * kMiB;
      EXPECT_EQ(allocator.configure(update), Status::kOk);
    }
  });
  for (int i = 0; i < 2000 / kSanitizerSlowdown; ++i) {
    const Config config = allocator.config();
    EXPECT_LT(config.growth_dampener, 5u);
    EXPECT_EQ(config.local_buffer_bytes % (8 * kMiB), 0u);
  }
  stop.store(true);
  writer.join();
}

}  // namespace
}  // namespace lgalloc::test
