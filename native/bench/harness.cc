// The batch controller: warm-up sizing and the measurement schedule (see harness.h).
#include "harness.h"

#include <algorithm>
#include <cmath>

namespace lgbench {

namespace {

/// The batch size that would have taken the target time at the rate just seen, moved at
/// most by a factor of two from `current` so that one disturbed batch cannot swing it.
std::uint64_t resize(std::uint64_t current, double wall_ns, double target_ns) {
  const double per_op = std::max(wall_ns / static_cast<double>(current), 1e-3);
  const double ideal = std::max(1.0, std::round(target_ns / per_op));
  const double bounded =
      std::clamp(ideal, static_cast<double>(current) / 2, static_cast<double>(current) * 2);
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(bounded));
}

}  // namespace

BatchCommand BatchController::after(const BatchCommand& done, std::uint64_t wall_ticks,
                                    const BatchSample& timing) {
  const double wall_ns = TickClock::to_ns(static_cast<double>(wall_ticks));
  if (!measuring_) {
    warm_ns_ += wall_ns;
    // Trust the rate once a batch is a sizeable fraction of the target: short batches
    // are dominated by barrier latency and first-touch costs.
    const bool estimate_good = wall_ns >= plan_.batch_target_ns / 4;
    const std::uint64_t next = resize(done.n, wall_ns, plan_.batch_target_ns);
    if ((warm_ns_ >= plan_.warmup_ns && estimate_good) || warm_ns_ >= 4 * plan_.warmup_ns) {
      measuring_ = true;
      throughput_n_ = latency_n_ = next;
      return BatchCommand{next, false, false};
    }
    return BatchCommand{next, false, false};
  }

  if (done.sample) {
    latency_n_ = resize(done.n, wall_ns, plan_.batch_target_ns);
  } else {
    BatchSample sample = timing;
    sample.ops = done.n;
    result_.throughput.push_back(sample);
    throughput_n_ = resize(done.n, wall_ns, plan_.batch_target_ns);
  }
  measure_ns_ += wall_ns;
  ++steps_;
  const int total_steps = 2 * plan_.batches;
  if (steps_ >= total_steps) return BatchCommand{done.n, false, true};
  if (measure_ns_ >= plan_.max_measure_ns && steps_ >= 2) {
    result_.truncated = true;
    return BatchCommand{done.n, false, true};
  }
  // Odd steps sample latency, even steps measure throughput.
  const bool sample = steps_ % 2 == 1;
  return BatchCommand{sample ? latency_n_ : throughput_n_, sample, false};
}

HarnessResult BatchController::take_result() {
  std::vector<double> sizes;
  for (const BatchSample& batch : result_.throughput)
    sizes.push_back(static_cast<double>(batch.ops));
  result_.ops_per_batch = static_cast<std::uint64_t>(median(sizes));
  return std::move(result_);
}

}  // namespace lgbench
