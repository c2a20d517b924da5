// Small pieces every part of the benchmark shares: the region size under test, the
// fatal-error exit, the optimisation barrier and the spin-wait backoff. Nothing here
// knows about allocators or workloads.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace lgbench {

/// Every workload allocates regions of exactly the smallest lgalloc size class.
inline constexpr std::size_t kRegionBytes = std::size_t{2} << 20;
/// The stride of the touch workload: one write per base page.
inline constexpr std::size_t kPageBytes = 4096;

/// A benchmark cannot continue after an allocator failed: the numbers would be
/// meaningless. Called from worker threads too, hence abort rather than exit (no static
/// destructors racing with running threads).
[[noreturn]] inline void die(const char* what, const char* detail = "") {
  std::fprintf(stderr, "lgalloc_bench: fatal: %s %s\n", what, detail);
  std::fflush(stderr);
  std::abort();
}

/// Makes the compiler believe `p` escapes and memory is read and written, so that an
/// allocate/free pair or a store into the region is not removed (GCC elides
/// `free(malloc(n))` at -O2 otherwise).
inline void escape(const void* p) noexcept { asm volatile("" : : "r"(p) : "memory"); }

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Spin-wait policy: spin briefly (the other side is usually running on the other core),
/// then yield so that a waiter never starves the thread it waits for on a 2-core machine.
class Backoff {
 public:
  void pause() noexcept {
    if (spins_ < kSpinLimit) {
      ++spins_;
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }

 private:
  static constexpr unsigned kSpinLimit = 1024;
  unsigned spins_ = 0;
};

}  // namespace lgbench
