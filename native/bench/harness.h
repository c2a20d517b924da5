// The batch harness: runs one workload body on N threads in lock-step batches and
// collects per-batch timings and per-op latency samples.
//
// A row goes through two phases, both driven by thread 0 between barriers:
// - warm-up: batches of 1, 2, 4, ... ops until the warm-up time is spent and a batch is
//   long enough to estimate the op cost; that estimate fixes the batch size N so that a
//   batch takes about `batch_target_ns`.
// - measurement: `batches` throughput batches interleaved with as many latency batches.
//   Throughput batches run the bare loop (no clock inside), so their ns/op is not
//   inflated by timing; latency batches read the clock around every op. Interleaving
//   makes both kinds see the same machine conditions (noise, background worker passes).
//   Latency batches are sized separately (from their own timing), because two clock
//   reads per op make a fast op several times slower. Both sizes keep adapting (at most
//   halving or doubling per batch), so a warm-up disturbed by other load does not leave
//   the row with batches far shorter or longer than the target.
//
// Every thread runs the same N ops per batch; the wall time of a batch runs from the
// start barrier to the end barrier as seen by thread 0, so it covers the slowest thread.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "clock.h"
#include "common.h"
#include "stats.h"

namespace lgbench {

struct BatchPlan {
  double batch_target_ns = 15e6;
  /// Throughput batches; the same number of latency batches is interleaved.
  int batches = 64;
  double warmup_ns = 250e6;
  /// Measurement stops early (the row is marked truncated) beyond this, so that a
  /// pathologically slow or noisy row cannot blow the run's time budget.
  double max_measure_ns = 6e9;
};

struct BatchSample {
  std::uint64_t ops = 0;  // per thread
  std::uint64_t wall_ticks = 0;
  /// Sum over threads of each thread's own time for its N ops.
  std::uint64_t thread_ticks_sum = 0;
  /// Sum over threads of the CPU time each spent in its N ops: against thread_ticks_sum
  /// it tells how much of the batch the threads were actually running (other load on the
  /// machine preempts them and inflates every wall-clock figure).
  std::uint64_t thread_cpu_ns_sum = 0;
};

/// CPU time of the calling thread. A system call, so read once per batch only.
inline std::uint64_t thread_cpu_ns() noexcept {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec);
}

struct HarnessResult {
  std::vector<BatchSample> throughput;
  /// Per-op samples of all latency batches and threads, in ticks, clock cost subtracted.
  LatencyHistogram latency;
  std::uint64_t ops_per_batch = 0;  // per thread, median of the throughput batches
  bool truncated = false;
};

/// What thread 0 tells every thread to do next.
struct BatchCommand {
  std::uint64_t n = 1;
  bool sample = false;
  bool stop = false;
};

/// Thread 0's bookkeeping: decides the next batch from the timing of the last one.
class BatchController {
 public:
  explicit BatchController(const BatchPlan& plan) : plan_(plan) {}
  BatchCommand first() const { return BatchCommand{}; }
  BatchCommand after(const BatchCommand& done, std::uint64_t wall_ticks, const BatchSample& timing);
  HarnessResult take_result();

 private:
  BatchPlan plan_;
  bool measuring_ = false;
  std::uint64_t throughput_n_ = 1;
  std::uint64_t latency_n_ = 1;
  double warm_ns_ = 0;
  double measure_ns_ = 0;
  int steps_ = 0;
  HarnessResult result_;
};

/// A generation-counting barrier that spins (then yields, see Backoff): batch starts
/// must be tight, and futex wake-ups would add tens of microseconds of skew.
class SpinBarrier {
 public:
  explicit SpinBarrier(int count) : count_(count) {}
  void wait() noexcept {
    unsigned generation = generation_.load(std::memory_order_acquire);
    if (waiting_.fetch_add(1, std::memory_order_acq_rel) + 1 == count_) {
      // Reset before releasing: nobody can arrive for the next round until released.
      waiting_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    Backoff backoff;
    while (generation_.load(std::memory_order_acquire) == generation) backoff.pause();
  }

 private:
  const int count_;
  alignas(64) std::atomic<int> waiting_{0};
  alignas(64) std::atomic<unsigned> generation_{0};
};

/// Runs `op` n times; if `hist` is set, times each call and records its cost minus the
/// clock's own cost. The untimed loop is separate so that it carries no clock at all.
template <class Op>
inline void timed_loop(std::uint64_t n, LatencyHistogram* hist, Op&& op) {
  if (hist == nullptr) {
    for (std::uint64_t i = 0; i < n; ++i) op();
    return;
  }
  const std::uint64_t overhead = TickClock::overhead_ticks();
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t t0 = TickClock::now();
    op();
    std::uint64_t elapsed = TickClock::now() - t0;
    hist->record(elapsed > overhead ? elapsed - overhead : 0);
  }
}

/// Runs `body(thread, n, hist_or_null)` on `threads` new threads, batch by batch as
/// described above, then `epilogue(thread)` on each before it exits. Fresh threads per
/// row keep thread caches and malloc arenas from leaking state between rows.
template <class Body, class Epilogue>
HarnessResult run_batches(int threads, const BatchPlan& plan, Body& body, Epilogue& epilogue) {
  struct alignas(64) PerThread {
    std::uint64_t ticks = 0;
    std::uint64_t cpu_ns = 0;
    LatencyHistogram latency;
  };
  auto per_thread = std::make_unique<PerThread[]>(static_cast<std::size_t>(threads));
  SpinBarrier barrier(threads);
  BatchController controller(plan);
  BatchCommand command = controller.first();  // written by thread 0 between barriers

  auto worker = [&](int tid) {
    PerThread& mine = per_thread[static_cast<std::size_t>(tid)];
    for (;;) {
      barrier.wait();
      const BatchCommand current = command;
      if (current.stop) break;
      const std::uint64_t cpu_start = thread_cpu_ns();
      const std::uint64_t start = TickClock::now();
      body(tid, current.n, current.sample ? &mine.latency : nullptr);
      mine.ticks = TickClock::now() - start;
      mine.cpu_ns = thread_cpu_ns() - cpu_start;
      barrier.wait();
      if (tid == 0) {
        const std::uint64_t wall = TickClock::now() - start;
        BatchSample sample;
        sample.wall_ticks = wall;
        for (int t = 0; t < threads; ++t) {
          sample.thread_ticks_sum += per_thread[static_cast<std::size_t>(t)].ticks;
          sample.thread_cpu_ns_sum += per_thread[static_cast<std::size_t>(t)].cpu_ns;
        }
        command = controller.after(current, wall, sample);
      }
    }
    epilogue(tid);
  };

  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& thread : pool) thread.join();

  HarnessResult result = controller.take_result();
  for (int t = 0; t < threads; ++t)
    result.latency.merge(per_thread[static_cast<std::size_t>(t)].latency);
  return result;
}

}  // namespace lgbench
