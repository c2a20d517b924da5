// The workload bodies (templated over the allocator backends) and the row runner that
// builds an allocator, drives the batch harness and turns ticks into nanoseconds.
#include "workloads.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "backends.h"
#include "spsc_queue.h"
#include "sysinfo.h"

namespace lgbench {
namespace {

/// One byte per 4 KiB page: enough to fault every page in (the cost the pooled
/// allocator avoids on reuse) without measuring memory bandwidth. Volatile, so that the
/// stores happen although nothing reads them.
inline void touch_pages(void* data) noexcept {
  auto* bytes = static_cast<volatile unsigned char*>(data);
  for (std::size_t offset = 0; offset < kRegionBytes; offset += kPageBytes) bytes[offset] = 1;
}

template <class Backend>
struct AllocFreeBody {
  Backend& backend;
  void operator()(int, std::uint64_t n, LatencyHistogram* hist) {
    timed_loop(n, hist, [this] {
      auto handle = backend.allocate();
      escape(Backend::data(handle));
      backend.deallocate(handle);
    });
  }
};

template <class Backend>
struct TouchBody {
  Backend& backend;
  void operator()(int, std::uint64_t n, LatencyHistogram* hist) {
    timed_loop(n, hist, [this] {
      auto handle = backend.allocate();
      touch_pages(Backend::data(handle));
      backend.deallocate(handle);
    });
  }
};

/// Thread 0 allocates and pushes, thread 1 pops and frees; both handle n regions per
/// batch, so the ring is empty at every batch boundary. Latency samples time the
/// allocate call alone: the push may wait for the consumer, which is not allocation.
template <class Backend>
struct HandoffBody {
  Backend& backend;
  SpscQueue<typename Backend::Handle, kHandoffQueueCapacity> queue;

  explicit HandoffBody(Backend& b) : backend(b) {}

  void operator()(int tid, std::uint64_t n, LatencyHistogram* hist) {
    if (tid == 0) {
      if (hist == nullptr) {
        for (std::uint64_t i = 0; i < n; ++i) queue.push(backend.allocate());
        return;
      }
      const std::uint64_t overhead = TickClock::overhead_ticks();
      for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t t0 = TickClock::now();
        auto handle = backend.allocate();
        std::uint64_t elapsed = TickClock::now() - t0;
        hist->record(elapsed > overhead ? elapsed - overhead : 0);
        queue.push(handle);
      }
    } else {
      for (std::uint64_t i = 0; i < n; ++i) backend.deallocate(queue.pop());
    }
  }
};

struct NoEpilogue {
  void operator()(int) const noexcept {}
};

/// Run by thread 0 of a touch row after its last batch, on the same thread (and so the
/// same thread cache or malloc arena) as the measurement.
template <class Backend>
struct ThpEpilogue {
  Backend& backend;
  ThpProbe& probe;
  void operator()(int tid) {
    if (tid != 0) return;
    auto handle = backend.allocate();
    void* data = Backend::data(handle);
    touch_pages(data);
    probe.present = true;
    probe.process_kib = anon_huge_pages_kib();
    probe.mapping_kib = mapping_anon_huge_pages_kib(data);
    probe.region_aligned = (reinterpret_cast<std::uintptr_t>(data) & (kRegionBytes - 1)) == 0;
    backend.deallocate(handle);
  }
};

RowResult summarise(const RowSpec& spec, const HarnessResult& harness) {
  RowResult row;
  row.spec = spec;
  row.ops_per_batch = harness.ops_per_batch;
  row.batches = harness.throughput.size();
  row.truncated = harness.truncated;
  const double threads = static_cast<double>(spec.threads);
  const bool handoff = spec.workload == Workload::kHandoff;
  std::vector<double> per_thread, aggregate, on_cpu;
  for (const BatchSample& batch : harness.throughput) {
    const double n = static_cast<double>(batch.ops);
    const double wall_ns = TickClock::to_ns(static_cast<double>(batch.wall_ticks));
    const double thread_ns = TickClock::to_ns(static_cast<double>(batch.thread_ticks_sum));
    // A handoff moves n regions per batch through two threads; the others do n ops on
    // each thread.
    const double total_ops = handoff ? n : n * threads;
    aggregate.push_back(wall_ns / total_ops);
    per_thread.push_back(handoff ? wall_ns / n : thread_ns / (n * threads));
    on_cpu.push_back(static_cast<double>(batch.thread_cpu_ns_sum) / thread_ns);
  }
  row.per_thread_ns = median(per_thread);
  row.best_ns = per_thread.empty() ? 0.0 : *std::min_element(per_thread.begin(), per_thread.end());
  row.on_cpu = median(on_cpu);
  row.aggregate_ns = median(aggregate);
  row.latency_samples = harness.latency.count();
  row.p50_ns = TickClock::to_ns(harness.latency.percentile(0.50));
  row.p99_ns = TickClock::to_ns(harness.latency.percentile(0.99));
  return row;
}

template <class Backend>
RowResult run_workload(const RowSpec& spec, const BatchPlan& plan, Backend& backend) {
  NoEpilogue none;
  HarnessResult harness;
  ThpProbe probe;
  switch (spec.workload) {
    case Workload::kAllocFree: {
      AllocFreeBody<Backend> body{backend};
      harness = run_batches(spec.threads, plan, body, none);
      break;
    }
    case Workload::kTouch: {
      probe.process_kib_before = anon_huge_pages_kib();
      TouchBody<Backend> body{backend};
      ThpEpilogue<Backend> epilogue{backend, probe};
      harness = run_batches(spec.threads, plan, body, epilogue);
      break;
    }
    case Workload::kHandoff: {
      // On the heap: the ring is cache-line aligned and holds up to 64 handles.
      auto body = std::make_unique<HandoffBody<Backend>>(backend);
      harness = run_batches(2, plan, *body, none);
      break;
    }
  }
  RowResult row = summarise(spec, harness);
  row.thp = probe;
  return row;
}

LgallocCounters capture_counters(const lgalloc::Allocator& allocator) {
  auto stats = std::make_unique<lgalloc::Stats>();
  allocator.stats(stats.get());
  LgallocCounters counters;
  counters.present = true;
  counters.size_class = stats->size_classes[0];  // 2 MiB
  counters.mapped_bytes = stats->mapped_bytes;
  counters.background_passes = stats->background_passes;
  counters.hugepage_advice_failed = stats->hugepage_advice_failed;
  return counters;
}

}  // namespace

std::string RowSpec::key() const {
  return std::string(workload_name(workload)) + "/" + allocator_name(allocator) + "/" +
         std::to_string(threads) + "t";
}

const char* workload_name(Workload workload) {
  switch (workload) {
    case Workload::kAllocFree:
      return "alloc-free";
    case Workload::kTouch:
      return "touch";
    case Workload::kHandoff:
      return "handoff";
  }
  return "?";
}

const char* allocator_name(AllocatorKind allocator) {
  switch (allocator) {
    case AllocatorKind::kLgalloc:
      return "lgalloc";
    case AllocatorKind::kLgallocBackground:
      return "lgalloc+bg";
    case AllocatorKind::kMalloc:
      return "malloc";
    case AllocatorKind::kMmap:
      return "mmap";
    case AllocatorKind::kNone:
      return "ring-only";
  }
  return "?";
}

lgalloc::BackgroundConfig bench_background_config() {
  lgalloc::BackgroundConfig background;
  background.interval_ns = 100'000'000;
  background.clear_bytes = std::uint64_t{64} << 20;
  return background;
}

std::vector<RowSpec> all_rows() {
  const AllocatorKind allocators[] = {AllocatorKind::kLgalloc, AllocatorKind::kLgallocBackground,
                                      AllocatorKind::kMalloc, AllocatorKind::kMmap};
  const struct {
    Workload workload;
    int threads;
  } groups[] = {{Workload::kAllocFree, 1},
                {Workload::kAllocFree, 2},
                {Workload::kTouch, 1},
                {Workload::kTouch, 2},
                {Workload::kHandoff, 2}};
  std::vector<RowSpec> rows;
  for (const auto& group : groups) {
    for (AllocatorKind allocator : allocators)
      rows.push_back({group.workload, group.threads, allocator});
  }
  rows.push_back({Workload::kHandoff, 2, AllocatorKind::kNone});
  return rows;
}

RowResult run_row(const RowSpec& spec, const BatchPlan& plan) {
  const auto started = std::chrono::steady_clock::now();
  RowResult row;
  switch (spec.allocator) {
    case AllocatorKind::kLgalloc:
    case AllocatorKind::kLgallocBackground: {
      // A fresh allocator per row: no areas, caches or dirty regions carry over from the
      // previous row, and its destructor returns everything before the next row.
      lgalloc::Config config;
      config.enabled = true;
      if (spec.allocator == AllocatorKind::kLgallocBackground)
        config.background = bench_background_config();
      lgalloc::Allocator allocator(config);
      const bool started_ok = allocator.start_status() == lgalloc::Status::kOk;
      if (!started_ok) {
        std::fprintf(stderr, "lgalloc_bench: warning: %s: background worker not started: %s\n",
                     spec.key().c_str(), lgalloc::status_name(allocator.start_status()));
      }
      LgallocBackend backend(allocator);
      row = run_workload(spec, plan, backend);
      row.lgalloc = capture_counters(allocator);
      row.lgalloc.background_started = started_ok;
      break;
    }
    case AllocatorKind::kMalloc: {
      MallocBackend backend;
      row = run_workload(spec, plan, backend);
      break;
    }
    case AllocatorKind::kMmap: {
      MmapBackend backend;
      row = run_workload(spec, plan, backend);
      break;
    }
    case AllocatorKind::kNone: {
      NoAllocatorBackend backend;
      row = run_workload(spec, plan, backend);
      break;
    }
  }
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return row;
}

}  // namespace lgbench
