// The benchmark's clock: a tick counter cheap enough to read around every single
// operation. On x86 with an invariant TSC it is `rdtsc` fenced by `lfence` (about 10-20 ns
// a pair, versus 20-50 ns for steady_clock under virtualisation); elsewhere it is
// std::chrono::steady_clock in nanoseconds. Ticks are converted to nanoseconds only when
// results are reported. The cost of one back-to-back pair of reads (`overhead_ticks`) is
// measured at start-up, reported, and subtracted from every per-operation sample. So is
// the clock's resolution: some TSCs (AMD under virtualisation, for one) advance in steps
// of about 10 ns, which quantises per-op samples of the fastest operations.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define LGBENCH_HAVE_TSC 1
#else
#define LGBENCH_HAVE_TSC 0
#endif

namespace lgbench {

class TickClock {
 public:
  /// Chooses the source and measures its rate and read overhead. Call once, before any
  /// thread reads the clock.
  static void init(std::chrono::milliseconds calibration);

  static std::uint64_t now() noexcept {
#if LGBENCH_HAVE_TSC
    if (use_tsc_) {
      // The fences keep the read from drifting into or out of the timed operation.
      _mm_lfence();
      std::uint64_t t = __rdtsc();
      _mm_lfence();
      return t;
    }
#endif
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  }

  static double to_ns(double ticks) noexcept { return ticks * ns_per_tick_; }
  static std::uint64_t from_ns(double ns) noexcept {
    return static_cast<std::uint64_t>(ns / ns_per_tick_);
  }
  /// Median cost of two back-to-back `now()` calls, in ticks.
  static std::uint64_t overhead_ticks() noexcept { return overhead_ticks_; }
  /// The step by which the clock advances, in ticks, as estimated by `init`; 0 if it
  /// could not be told (then it is at most the overhead).
  static std::uint64_t resolution_ticks() noexcept { return resolution_ticks_; }
  static const char* source() noexcept { return use_tsc_ ? "rdtsc" : "steady_clock"; }
  static double ticks_per_ns() noexcept { return 1.0 / ns_per_tick_; }

 private:
  static inline bool use_tsc_ = false;
  static inline double ns_per_tick_ = 1.0;
  static inline std::uint64_t overhead_ticks_ = 0;
  static inline std::uint64_t resolution_ticks_ = 0;
};

}  // namespace lgbench
