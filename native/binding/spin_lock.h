// The lock of the handle table (handle_table.h): its critical sections are a few dozen
// instructions (pop or push a free entry, adjust the counts), taken twice per region, on
// every allocate and every release. std::mutex costs two locked instructions per section
// (lock and unlock); this lock one, since releasing it is a plain store. A waiter spins a
// little, then yields its core, so that a holder preempted on a busy machine gets to run.
//
// No Node headers: the native test suite builds the handle table under the sanitizers,
// which understand the std::atomic operations this is made of.
#pragma once

#include <atomic>
#include <thread>

namespace lgalloc::node {

class SpinLock {
 public:
  void lock() noexcept {
    // Try the exchange only when the lock looks free: spinning on a plain load keeps the
    // cache line shared instead of bouncing it between the cores.
    for (unsigned spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < kSpinsBeforeYield) {
          pause();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }

  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  static constexpr unsigned kSpinsBeforeYield = 64;

  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  std::atomic<bool> locked_{false};
};

}  // namespace lgalloc::node
