// The operating-system primitives the allocator needs, and nothing else: map, unmap and
// advise. Every mmap, munmap and madvise of the core goes through an `Os`, so that tests
// can inject failures (`FaultInjectingOs`) without touching process-wide state.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace lgalloc {

enum class Advice {
  kHugePage,  // MADV_HUGEPAGE: back the range with transparent huge pages
  kDontNeed,  // MADV_DONTNEED: drop the pages now; they read back as zero
  kFree,      // MADV_FREE: the kernel may reclaim the pages lazily; contents undefined
  kWillNeed,  // MADV_WILLNEED: read ahead
};

struct MapResult {
  void* address = nullptr;  // null on failure
  int os_errno = 0;
  /// The mapping was made with MAP_NORESERVE because an ordinary one was refused.
  bool noreserve = false;
};

class Os {
 public:
  virtual ~Os() = default;
  /// A private anonymous read-write mapping of `length` bytes, aligned to the larger of
  /// 2 MiB and the huge page size. If the kernel refuses it (ENOMEM) and it is larger
  /// than RAM plus swap (`noreserve_retry_allowed`), one more try with MAP_NORESERVE, so
  /// that the classes no kernel would ever commit can still be reserved; any other refusal
  /// stands, so that it surfaces as kOutOfMemory rather than, later, the OOM killer.
  virtual MapResult map(std::size_t length) noexcept = 0;
  /// 0 on success, else errno.
  virtual int unmap(void* address, std::size_t length) noexcept = 0;
  /// 0 on success, else errno. kFree falls back to kDontNeed where MADV_FREE is missing;
  /// `*zeroed` then tells whether the range now reads as zero.
  virtual int advise(void* address, std::size_t length, Advice advice,
                     bool* zeroed = nullptr) noexcept = 0;
  /// Moves the pages of [from, from + length) to [to, to + length), replacing the pages
  /// there, without copying bytes (mremap with MREMAP_DONTUNMAP). Both ranges stay mapped
  /// and page-aligned; afterwards `from` reads as zero. 0 on success, else errno (e.g.
  /// kernels before 5.7 lack the call), and the caller copies instead.
  virtual int move_pages(void* from, void* to, std::size_t length) noexcept = 0;
};

/// The real system calls.
std::shared_ptr<Os> system_os();

/// The kernel's base page size, `sysconf(_SC_PAGESIZE)`, read once; 4096 if unknown.
std::size_t os_page_bytes() noexcept;

/// The transparent huge page size, read once from
/// /sys/kernel/mm/transparent_hugepage/hpage_pmd_size; 2 MiB where that is unreadable.
std::size_t os_huge_page_bytes() noexcept;

/// RAM plus swap, in bytes (`sysinfo`); 0 if unknown.
std::uint64_t os_ram_and_swap_bytes() noexcept;

/// Whether a refused mapping of `length` bytes may be retried with MAP_NORESERVE: only
/// when it is larger than the kernel would ever commit (`ram_and_swap`; unknown, 0,
/// allows no retry).
constexpr bool noreserve_retry_allowed(std::size_t length, std::uint64_t ram_and_swap) noexcept {
  return ram_and_swap != 0 && length > ram_and_swap;
}

/// Wraps another `Os` and makes chosen calls fail, for tests of the error paths.
class FaultInjectingOs final : public Os {
 public:
  explicit FaultInjectingOs(std::shared_ptr<Os> inner) : inner_(std::move(inner)) {}

  /// The next `count` calls to map fail with `os_errno` (without calling the kernel).
  void fail_map(int os_errno, int count = 1) noexcept;
  /// The next `count` calls to advise with `advice` fail with `os_errno`.
  void fail_advise(Advice advice, int os_errno, int count = 1) noexcept;
  /// The next `count` calls to unmap fail with `os_errno` (the mapping is leaked).
  void fail_unmap(int os_errno, int count = 1) noexcept;
  /// After `after` more successful calls, the next `count` calls to move_pages fail with
  /// `os_errno` (nothing moves).
  void fail_move_pages(int os_errno, int count = 1, int after = 0) noexcept;

  std::size_t map_calls() const noexcept { return map_calls_.load(); }
  std::size_t advise_calls(Advice advice) const noexcept;
  std::size_t unmap_calls() const noexcept { return unmap_calls_.load(); }
  std::size_t move_pages_calls() const noexcept { return move_pages_calls_.load(); }

  MapResult map(std::size_t length) noexcept override;
  int unmap(void* address, std::size_t length) noexcept override;
  int advise(void* address, std::size_t length, Advice advice,
             bool* zeroed = nullptr) noexcept override;
  int move_pages(void* from, void* to, std::size_t length) noexcept override;

 private:
  struct Fault {
    std::atomic<int> os_errno{0};
    std::atomic<int> remaining{0};         // calls that fail
    std::atomic<int> successes_before{0};  // calls that succeed before the first failure
  };
  static void arm(Fault& fault, int os_errno, int count, int after) noexcept;
  static bool take(Fault& fault, int* os_errno) noexcept;

  std::shared_ptr<Os> inner_;
  Fault map_fault_;
  Fault unmap_fault_;
  Fault move_pages_fault_;
  Fault advise_faults_[4];
  std::atomic<std::size_t> map_calls_{0};
  std::atomic<std::size_t> unmap_calls_{0};
  std::atomic<std::size_t> move_pages_calls_{0};
  std::atomic<std::size_t> advise_calls_[4]{};
};

}  // namespace lgalloc
