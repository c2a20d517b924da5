// The one place where the core calls the kernel: mmap, munmap and madvise, plus the
// fault-injecting wrapper the tests use. Nothing above this layer sees an errno that did
// not come through here.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "lgalloc/os.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

namespace lgalloc {
namespace {

constexpr std::size_t kDefaultHugePageBytes = std::size_t{1} << 21;

// Areas start at a multiple of the huge page size (2 MiB on x86_64, and on arm64 with
// 4 KiB pages; more with larger base pages), so that every region can be backed by huge
// pages from its first byte, and at least at 2 MiB, which `move_contents` relies on.
std::uintptr_t area_alignment() noexcept {
  return std::max<std::uintptr_t>(kDefaultHugePageBytes, os_huge_page_bytes());
}

int native_advice(Advice advice) noexcept {
  switch (advice) {
    case Advice::kHugePage:
#ifdef MADV_HUGEPAGE
      return MADV_HUGEPAGE;
#else
      return -1;
#endif
    case Advice::kDontNeed:
      return MADV_DONTNEED;
    case Advice::kFree:
      return MADV_FREE;
    case Advice::kWillNeed:
      return MADV_WILLNEED;
  }
  return -1;
}

// Once per process and advice, as for MADV_HUGEPAGE (size_class_pool.cc): the kernel
// refusing to take pages back is a property of the machine or of the process (pages the
// caller locked with mlock), not of one call, and the stats count every refusal
// (`madvise_failures`). Only the two advices that hand pages back warn: a refused
// MADV_WILLNEED reaches the caller of prefetch as an error.
std::atomic<bool> free_warning_printed{false};
std::atomic<bool> dontneed_warning_printed{false};

void warn_release_refused(Advice advice, int os_errno) noexcept {
  const bool free = advice == Advice::kFree;
  std::atomic<bool>& printed = free ? free_warning_printed : dontneed_warning_printed;
  if (!printed.exchange(true, std::memory_order_relaxed)) {
    std::fprintf(stderr,
                 "lgalloc: madvise(%s) failed (errno %d); the pages of freed regions stay "
                 "resident (locked with mlock?) and the regions are reused as they are.\n",
                 free ? "MADV_FREE" : "MADV_DONTNEED", os_errno);
  }
}

void* map_anonymous(std::size_t length, int extra_flags, int* os_errno) noexcept {
  void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
  if (address == MAP_FAILED) {
    *os_errno = errno;
    return nullptr;
  }
  return address;
}

// Maps `length` bytes at a 2 MiB boundary. Recent kernels align large anonymous mappings
// themselves; otherwise map 2 MiB more and unmap the unaligned head and tail.
void* map_aligned(std::size_t length, int extra_flags, int* os_errno) noexcept {
  void* address = map_anonymous(length, extra_flags, os_errno);
  if (address == nullptr) return nullptr;
  const std::uintptr_t alignment = area_alignment();
  if (reinterpret_cast<std::uintptr_t>(address) % alignment == 0) return address;
  ::munmap(address, length);

  const std::size_t padded = length + alignment;
  char* raw = static_cast<char*>(map_anonymous(padded, extra_flags, os_errno));
  if (raw == nullptr) return nullptr;
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + alignment - 1) & ~(alignment - 1);
  const std::size_t head = aligned - start;
  const std::size_t tail = padded - head - length;
  if (head != 0) ::munmap(raw, head);
  if (tail != 0) ::munmap(reinterpret_cast<char*>(aligned) + length, tail);
  return reinterpret_cast<void*>(aligned);
}

class SystemOs final : public Os {
 public:
  MapResult map(std::size_t length) noexcept override {
    MapResult result;
    result.address = map_aligned(length, 0, &result.os_errno);
    if (result.address == nullptr && result.os_errno == ENOMEM &&
        noreserve_retry_allowed(length, os_ram_and_swap_bytes())) {
      // Heuristic overcommit refuses one mapping larger than about RAM + swap even though
      // it would be touched sparsely; reserving without commit charge lets the largest
      // classes exist. Smaller refusals are real (the commit limit, the address space) and
      // stand. The memory limit is the guard against overcommitting for real.
      result.address = map_aligned(length, MAP_NORESERVE, &result.os_errno);
      result.noreserve = result.address != nullptr;
    }
    if (result.address != nullptr) result.os_errno = 0;
    return result;
  }

  int unmap(void* address, std::size_t length) noexcept override {
    return ::munmap(address, length) == 0 ? 0 : errno;
  }

  int advise(void* address, std::size_t length, Advice advice, bool* zeroed) noexcept override {
    if (zeroed != nullptr) *zeroed = advice == Advice::kDontNeed;
    const int native = native_advice(advice);
    if (native < 0) return EINVAL;
    if (::madvise(address, length, native) == 0) return 0;
    int error = errno;
    if (advice == Advice::kFree && error == EINVAL) {
      // Kernels before 4.5 lack MADV_FREE; dropping the pages eagerly is the fallback.
      if (::madvise(address, length, MADV_DONTNEED) == 0) {
        if (zeroed != nullptr) *zeroed = true;
        return 0;
      }
      error = errno;
    }
    // Refused: nothing was dropped, whatever the advice would have done.
    if (zeroed != nullptr) *zeroed = false;
    if (advice == Advice::kFree || advice == Advice::kDontNeed) warn_release_refused(advice, error);
    return error;
  }

  int move_pages(void* from, void* to, std::size_t length) noexcept override {
    // DONTUNMAP keeps `from` mapped (it reads as zero afterwards), so no other thread can
    // ever find a hole there; FIXED replaces whatever `to` held.
    void* moved =
        ::mremap(from, length, length, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, to);
    return moved == MAP_FAILED ? errno : 0;
  }
};

}  // namespace

std::size_t os_page_bytes() noexcept {
  static const std::size_t bytes = [] {
    const long value = ::sysconf(_SC_PAGESIZE);
    return value > 0 ? static_cast<std::size_t>(value) : std::size_t{4096};
  }();
  return bytes;
}

std::size_t os_huge_page_bytes() noexcept {
  static const std::size_t bytes = [] {
    const int fd = ::open("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", O_RDONLY);
    if (fd < 0) return kDefaultHugePageBytes;
    char text[32] = {};
    const ssize_t length = ::read(fd, text, sizeof(text) - 1);
    ::close(fd);
    if (length <= 0) return kDefaultHugePageBytes;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 10);
    // A power of two, or the file does not say what we think it says.
    if (end == text || value == 0 || (value & (value - 1)) != 0) return kDefaultHugePageBytes;
    return static_cast<std::size_t>(value);
  }();
  return bytes;
}

std::uint64_t os_ram_and_swap_bytes() noexcept {
  struct sysinfo info{};
  if (::sysinfo(&info) != 0) return 0;
  return (std::uint64_t{info.totalram} + info.totalswap) * info.mem_unit;
}

std::shared_ptr<Os> system_os() {
  static const std::shared_ptr<Os> instance = std::make_shared<SystemOs>();
  return instance;
}

bool FaultInjectingOs::take(Fault& fault, int* os_errno) noexcept {
  // Calls still allowed to succeed go first, then the failures.
  int allowed = fault.successes_before.load(std::memory_order_acquire);
  while (allowed > 0) {
    if (fault.successes_before.compare_exchange_weak(allowed, allowed - 1,
                                                     std::memory_order_acq_rel)) {
      return false;
    }
  }
  int remaining = fault.remaining.load(std::memory_order_acquire);
  while (remaining > 0) {
    if (fault.remaining.compare_exchange_weak(remaining, remaining - 1,
                                              std::memory_order_acq_rel)) {
      *os_errno = fault.os_errno.load(std::memory_order_relaxed);
      return true;
    }
  }
  return false;
}

void FaultInjectingOs::arm(Fault& fault, int os_errno, int count, int after) noexcept {
  fault.successes_before.store(after, std::memory_order_relaxed);
  fault.os_errno.store(os_errno, std::memory_order_relaxed);
  fault.remaining.store(count, std::memory_order_release);
}

void FaultInjectingOs::fail_map(int os_errno, int count) noexcept {
  arm(map_fault_, os_errno, count, 0);
}

void FaultInjectingOs::fail_advise(Advice advice, int os_errno, int count) noexcept {
  arm(advise_faults_[static_cast<int>(advice)], os_errno, count, 0);
}

void FaultInjectingOs::fail_unmap(int os_errno, int count) noexcept {
  arm(unmap_fault_, os_errno, count, 0);
}

void FaultInjectingOs::fail_move_pages(int os_errno, int count, int after) noexcept {
  arm(move_pages_fault_, os_errno, count, after);
}

std::size_t FaultInjectingOs::advise_calls(Advice advice) const noexcept {
  return advise_calls_[static_cast<int>(advice)].load();
}

MapResult FaultInjectingOs::map(std::size_t length) noexcept {
  map_calls_.fetch_add(1);
  MapResult result;
  if (take(map_fault_, &result.os_errno)) return result;
  return inner_->map(length);
}

int FaultInjectingOs::unmap(void* address, std::size_t length) noexcept {
  unmap_calls_.fetch_add(1);
  int os_errno = 0;
  if (take(unmap_fault_, &os_errno)) return os_errno;
  return inner_->unmap(address, length);
}

int FaultInjectingOs::advise(void* address, std::size_t length, Advice advice,
                             bool* zeroed) noexcept {
  advise_calls_[static_cast<int>(advice)].fetch_add(1);
  int os_errno = 0;
  if (take(advise_faults_[static_cast<int>(advice)], &os_errno)) {
    if (zeroed != nullptr) *zeroed = false;
    return os_errno;
  }
  return inner_->advise(address, length, advice, zeroed);
}

int FaultInjectingOs::move_pages(void* from, void* to, std::size_t length) noexcept {
  move_pages_calls_.fetch_add(1);
  int os_errno = 0;
  if (take(move_pages_fault_, &os_errno)) return os_errno;
  return inner_->move_pages(from, to, length);
}

}  // namespace lgalloc
