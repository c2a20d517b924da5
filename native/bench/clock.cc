// TickClock start-up: whether the TSC can be trusted, its rate, and the read overhead.
#include "clock.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lgbench {
namespace {

/// The TSC is only a clock if it ticks at a constant rate and keeps ticking in idle
/// states; Linux advertises both as cpu flags.
bool tsc_is_invariant() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line);
    bool constant = false, nonstop = false;
    std::string word;
    while (words >> word) {
      constant |= word == "constant_tsc";
      nonstop |= word == "nonstop_tsc";
    }
    return constant && nonstop;
  }
  return false;
}

}  // namespace

void TickClock::init(std::chrono::milliseconds calibration) {
#if LGBENCH_HAVE_TSC
  use_tsc_ = tsc_is_invariant();
#endif
  if (use_tsc_) {
    // Rate: TSC ticks over a sleep measured by steady_clock. Sleeping is fine: only the
    // two end points matter and the interval is long compared with their jitter.
    auto wall0 = std::chrono::steady_clock::now();
    std::uint64_t tick0 = now();
    std::this_thread::sleep_for(calibration);
    auto wall1 = std::chrono::steady_clock::now();
    std::uint64_t tick1 = now();
    double ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(wall1 - wall0).count());
    ns_per_tick_ = ns / static_cast<double>(tick1 - tick0);
  } else {
    ns_per_tick_ = 1.0;
  }

  // Overhead: the median, not the minimum, because the samples it is subtracted from
  // see the typical cost of the reads.
  std::vector<std::uint64_t> pairs(20000);
  for (auto& pair : pairs) {
    std::uint64_t a = now();
    std::uint64_t b = now();
    pair = b - a;
  }
  std::sort(pairs.begin(), pairs.end());
  overhead_ticks_ = pairs[pairs.size() / 2];

  // Resolution: a stepping clock makes the pair costs fall on a few values one step
  // apart. The smallest gap between frequent values is the step; gaps of up to 2 ticks
  // are the rounding of a step that is not a whole number of ticks, not steps.
  std::vector<std::uint64_t> frequent;
  for (std::size_t i = 0; i < pairs.size();) {
    std::size_t j = i;
    while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
    if (j - i >= pairs.size() / 200) frequent.push_back(pairs[i]);
    i = j;
  }
  resolution_ticks_ = 0;
  for (std::size_t i = 1; i < frequent.size(); ++i) {
    std::uint64_t gap = frequent[i] - frequent[i - 1];
    if (gap > 2 && (resolution_ticks_ == 0 || gap < resolution_ticks_)) resolution_ticks_ = gap;
  }
}

}  // namespace lgbench
