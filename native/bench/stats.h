// Summary statistics of the benchmark: the median of per-batch figures, and a
// log-linear latency histogram for per-operation samples.
//
// The histogram exists because per-op samples are too many to keep (a 30 ns operation
// timed for a second is 30 million samples). Its buckets are exact below 32 and then 32
// per power of two, so any percentile is within about 3% of the true sample; recording
// is a count-leading-zeros and an increment, cheap next to the clock reads around it.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace lgbench {

/// The median of `values` (mean of the two middle ones for an even count); 0 if empty.
inline double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  std::size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid - 1] + values[mid]) / 2.0;
}

class LatencyHistogram {
 public:
  void record(std::uint64_t value) noexcept {
    ++counts_[bucket_of(value)];
    ++total_;
  }

  void merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }

  std::uint64_t count() const noexcept { return total_; }

  /// The value below which a fraction `q` (0..1) of the samples lie, as the midpoint of
  /// the bucket holding that rank; 0 if there are no samples.
  double percentile(double q) const noexcept {
    if (total_ == 0) return 0.0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return midpoint_of(i);
    }
    return midpoint_of(kBuckets - 1);
  }

 private:
  static constexpr unsigned kSubBits = 5;
  static constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;
  // One exact group for values below kSub, then one group per exponent 5..63.
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSub;

  static std::size_t bucket_of(std::uint64_t v) noexcept {
    if (v < kSub) return static_cast<std::size_t>(v);
    unsigned exponent = 63u - static_cast<unsigned>(__builtin_clzll(v));
    unsigned shift = exponent - kSubBits;
    // (v >> shift) is in [kSub, 2 kSub): the top kSubBits+1 bits of v.
    return static_cast<std::size_t>((shift + 1) * kSub + ((v >> shift) - kSub));
  }

  static double midpoint_of(std::size_t index) noexcept {
    if (index < kSub) return static_cast<double>(index);
    unsigned shift = static_cast<unsigned>(index / kSub) - 1;
    std::uint64_t mantissa = index % kSub + kSub;
    double lower = static_cast<double>(mantissa << shift);
    double width = static_cast<double>(std::uint64_t{1} << shift);
    return lower + (width - 1.0) / 2.0;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
};

}  // namespace lgbench
