// The rows of the benchmark: which workloads exist, on how many threads, for which
// allocators, and what one row's run produces. A row is one (workload, threads,
// allocator) triple; `run_row` builds the allocator, runs the workload in the batch
// harness and summarises it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness.h"
#include "lgalloc/lgalloc.h"

namespace lgbench {

enum class Workload {
  kAllocFree,  // allocate and free one untouched region
  kTouch,      // allocate, write one byte per 4 KiB page, free
  kHandoff,    // one thread allocates, a second frees, via an SPSC ring
};

enum class AllocatorKind {
  kLgalloc,
  kLgallocBackground,
  kMalloc,
  kMmap,
  kNone,  // handoff only: the ring without any allocator, the floor of that workload
};

struct RowSpec {
  Workload workload;
  int threads;
  AllocatorKind allocator;
  /// "workload/allocator/Nt", what --filter matches against.
  std::string key() const;
};

const char* workload_name(Workload workload);
const char* allocator_name(AllocatorKind allocator);

/// Capacity of the handoff ring: enough to decouple the two threads' jitter, small
/// enough that few regions are in flight.
inline constexpr std::size_t kHandoffQueueCapacity = 64;

/// The background worker schedule of the "lgalloc+bg" rows (that of the Rust crate's
/// alloc_bench): a pass every 100 ms clearing up to 64 MiB per size class.
lgalloc::BackgroundConfig bench_background_config();

/// The 2 MiB size class's counters at the end of an lgalloc row (warm-up included).
struct LgallocCounters {
  bool present = false;
  lgalloc::SizeClassStats size_class;
  std::uint64_t mapped_bytes = 0;
  std::uint64_t background_passes = 0;
  bool hugepage_advice_failed = false;
  bool background_started = true;
};

/// Huge page backing seen by a touch row: one region allocated and touched at the end
/// of the row, inspected while still held.
struct ThpProbe {
  bool present = false;
  std::int64_t process_kib_before = -1;  // AnonHugePages before the row started
  std::int64_t process_kib = -1;         // AnonHugePages with the probe region touched
  std::int64_t mapping_kib = -1;         // AnonHugePages of the probe region's mapping
  bool region_aligned = false;           // probe region starts on a 2 MiB boundary
};

struct RowResult {
  RowSpec spec;
  /// Median over throughput batches. Independent workloads: each thread's own time per
  /// op, averaged over threads. Handoff: wall time per region handed off.
  double per_thread_ns = 0;
  /// Median over throughput batches of wall time / ops of all threads.
  double aggregate_ns = 0;
  /// Best throughput batch, per thread as per_thread_ns: the least disturbed figure.
  double best_ns = 0;
  /// Median over throughput batches of the share of the threads' wall time they were on
  /// a CPU (1 = never preempted). Low values mean other load distorted the row.
  double on_cpu = 0;
  /// Per-op latency (handoff: the allocate call only), clock cost subtracted.
  double p50_ns = 0;
  double p99_ns = 0;
  std::uint64_t latency_samples = 0;
  std::uint64_t ops_per_batch = 0;  // per thread
  std::size_t batches = 0;
  bool truncated = false;
  double seconds = 0;  // wall time of the whole row, warm-up and set-up included
  LgallocCounters lgalloc;
  ThpProbe thp;
};

/// Every row, grouped by workload and threads with the lgalloc row first in each group
/// (the ratio column refers to it).
std::vector<RowSpec> all_rows();

RowResult run_row(const RowSpec& spec, const BatchPlan& plan);

}  // namespace lgbench
