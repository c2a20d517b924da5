// lgalloc: a large-object allocator for regions of 2 MiB to 64 GiB.
//
// This is the public interface of the allocator core. It has no Node.js dependency: the
// addon links it, and so do the native tests and benchmark.
//
// Glossary (the words mean the same thing in every file of the core):
// - size class: a power of two from 2^21 (2 MiB) to 2^36 (64 GiB); a request is rounded up
//   to one, and each has its own pool.
// - area: one anonymous mapping (`mmap`) of a size class, carved into regions.
// - region: a block of exactly one size class's size inside an area: what `allocate`
//   hands out. A region is in exactly one place at a time: allocated to a caller, in a
//   thread cache, in the global dirty pool, or in the global clean pool.
// - slot: the allocator's record of one region (address, state, generation). Slots live
//   outside the regions, so pooling never writes into pooled memory.
// - thread cache: a bounded per-thread, per-size-class LIFO of free regions that other
//   threads may steal from (a Chase-Lev work-stealing deque).
// - dirty pool: free regions whose pages may still hold data and be resident.
// - clean pool: free regions whose pages were handed back to the kernel (MADV_FREE or
//   MADV_DONTNEED), or were never touched since `mmap`.
// - known zero: a region whose bytes are guaranteed zero (fresh from `mmap`, or after
//   MADV_DONTNEED), so a caller may skip zeroing it. Not after MADV_FREE.
//
// Errors: no function throws or aborts on a caller's mistake or a failed system call.
// Each returns a `Status`; on error nothing was allocated or freed unless the function says
// otherwise, and the allocator stays consistent and usable.
//
// Thread safety: every member function of `Allocator` may be called from any thread at
// any time, except the destructor (see there). A region may be freed on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "lgalloc/os.h"

namespace lgalloc {

/// Smallest and largest size class, as powers of two.
inline constexpr unsigned kMinSizeClassLog2 = 21;
inline constexpr unsigned kMaxSizeClassLog2 = 36;
inline constexpr unsigned kSizeClassCount = kMaxSizeClassLog2 - kMinSizeClassLog2 + 1;
inline constexpr std::size_t kMinRegionBytes = std::size_t{1} << kMinSizeClassLog2;
inline constexpr std::size_t kMaxRegionBytes = std::size_t{1} << kMaxSizeClassLog2;

enum class Status : int {
  kOk = 0,
  /// The requested size is below 2 MiB or above 64 GiB. `ErrorDetail::size` names it.
  kInvalidSizeClass,
  /// Allocation is switched off by configuration.
  kDisabled,
  /// `mmap` failed (`os_errno` says why) or the memory limit would be exceeded
  /// (`os_errno` is 0, `ErrorDetail::limit` names the limit).
  kOutOfMemory,
  /// The region was not allocated by this allocator, was already freed, or is stale.
  kInvalidHandle,
  /// A byte range reaches outside the region (`offset`, `length`, `capacity` name it).
  kOutOfBounds,
  /// A system call other than `mmap` failed; `os_errno` says why.
  kOsError,
  /// A configuration value is outside its range; `ErrorDetail::field` names it.
  kInvalidArgument,
};

/// A stable name for a status, such as "InvalidSizeClass".
const char* status_name(Status status) noexcept;

/// What went wrong, for callers that want more than the status.
struct ErrorDetail {
  Status status = Status::kOk;
  int os_errno = 0;
  std::uint64_t size = 0;       // kInvalidSizeClass, kOutOfMemory: the requested size
  std::uint64_t offset = 0;     // kOutOfBounds
  std::uint64_t length = 0;     // kOutOfBounds
  std::uint64_t capacity = 0;   // kOutOfBounds
  std::uint64_t limit = 0;      // kOutOfMemory from the memory limit
  const char* field = nullptr;  // kInvalidArgument: the configuration field
};

/// An allocated region: what `allocate` returns and `deallocate` takes back.
///
/// Copying a `Region` does not copy ownership: exactly one `deallocate` succeeds.
struct Region {
  void* ptr = nullptr;
  std::size_t capacity = 0;
  /// Whether every byte of the region was zero when it was handed out.
  bool known_zero = false;
  // Identity, checked by `deallocate` so that a forged, stale or repeated handle is
  // rejected instead of corrupting the pool.
  std::uint8_t size_class_index = 0;
  std::uint32_t slot = 0;
  std::uint64_t generation = 0;
};

struct BackgroundConfig {
  /// Time between two clearing passes, in nanoseconds: > 0 and <= 2^50 (about 13 days),
  /// else kInvalidArgument.
  std::uint64_t interval_ns = 1'000'000'000;
  /// Bytes moved from the dirty to the clean pool per size class and pass (rounded up to
  /// whole regions; 0 clears nothing).
  std::uint64_t clear_bytes = 0;
};

/// The allocator's configuration. Defaults follow lgalloc 0.7.
struct Config {
  /// While false, `allocate` fails with kDisabled; freeing still works.
  bool enabled = false;
  /// Release a region's pages with MADV_DONTNEED when it overflows the thread cache.
  bool eager_return = false;
  /// Area growth: each new area of a class adds max(initial, last / (dampener + 1)) regions.
  std::uint64_t growth_dampener = 0;
  /// Capacity of each thread cache, per size class, in bytes.
  std::uint64_t local_buffer_bytes = 32u << 20;
  /// The background worker's schedule; absent means no background worker.
  std::optional<BackgroundConfig> background;
  /// Largest area to map, in bytes; 0 means no cap. An area always holds at least one
  /// region, so a cap below a class's size yields one-region areas.
  std::uint64_t max_area_bytes = 0;
  /// Most bytes mapped across all classes; 0 means no limit. Beyond it, kOutOfMemory.
  std::uint64_t memory_limit_bytes = 0;
};

/// A partial configuration: only the fields that are set change.
struct ConfigUpdate {
  std::optional<bool> enabled;
  std::optional<bool> eager_return;
  std::optional<std::uint64_t> growth_dampener;
  std::optional<std::uint64_t> local_buffer_bytes;
  /// Set to `std::optional<BackgroundConfig>{}` (empty) to stop the worker.
  std::optional<std::optional<BackgroundConfig>> background;
  std::optional<std::uint64_t> max_area_bytes;
  std::optional<std::uint64_t> memory_limit_bytes;
};

/// Figures of one size class. Counters are cumulative; region counts are a snapshot.
struct SizeClassStats {
  std::uint64_t region_bytes = 0;
  std::uint64_t areas = 0;
  std::uint64_t area_total_bytes = 0;
  std::uint64_t free_regions = 0;    // clean + global + thread
  std::uint64_t clean_regions = 0;   // in the global clean pool
  std::uint64_t global_regions = 0;  // in the global dirty pool
  std::uint64_t thread_regions = 0;  // in thread caches
  std::uint64_t allocations = 0;     // successful ones: allocations - deallocations are held
  std::uint64_t slow_path = 0;
  std::uint64_t refill = 0;
  std::uint64_t deallocations = 0;
  std::uint64_t clear_eager_total = 0;
  std::uint64_t clear_slow_total = 0;
  // Beyond lgalloc 0.7:
  std::uint64_t trimmed_areas = 0;     // areas unmapped by `trim`
  std::uint64_t madvise_failures = 0;  // clears that failed; the region stayed dirty
};

struct Stats {
  SizeClassStats size_classes[kSizeClassCount];
  std::uint64_t mapped_bytes = 0;        // all areas currently mapped
  std::uint64_t memory_limit_bytes = 0;  // 0: none
  std::uint64_t mmap_failures = 0;
  std::uint64_t background_passes = 0;
  /// Bytes `move_contents` moved by remapping pages, and bytes it copied.
  std::uint64_t moved_bytes = 0;
  std::uint64_t copied_bytes = 0;
  /// errno of the most recent failed system call, 0 if none failed.
  int last_os_errno = 0;
  /// MADV_HUGEPAGE was refused at least once (transparent huge pages off).
  bool hugepage_advice_failed = false;
};

/// One mapped area, for tools that relate the pools to /proc/self/smaps.
struct AreaInfo {
  const void* base = nullptr;
  std::uint64_t bytes = 0;
  unsigned size_class_index = 0;
  // No `noreserve` flag: `move_contents` moves page ranges between areas, and a moved
  // range keeps the flags of the mapping it came from, so a per-area flag would go stale
  // (issue 7, item 7).
};

struct TrimResult {
  std::uint64_t areas_unmapped = 0;
  std::uint64_t bytes_unmapped = 0;
};

class AllocatorImpl;

/// A set of size-classed pools with their own areas, thread caches and background worker.
///
/// Tests create as many as they like; the Node addon uses `process_default()`.
class Allocator {
 public:
  /// An allocator with the given configuration. `os` is the operating-system layer (for
  /// fault injection in tests); null means the real one. If the configuration asks for a
  /// background worker that cannot be started, the allocator starts without one and
  /// `start_status()` reports why.
  explicit Allocator(const Config& config = Config{}, std::shared_ptr<Os> os = nullptr);

  /// Stops and joins the background worker and unmaps every area.
  ///
  /// Precondition: no other thread is inside a member function, and no region is used
  /// after this. Threads that merely used the allocator before may still be running:
  /// their caches are abandoned safely and their exit does not touch freed state.
  ~Allocator();

  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  /// The process-wide allocator. It is never destroyed, so that threads still running at
  /// process exit (and memory still viewed by them) stay valid; the kernel reclaims its
  /// areas with the process.
  static Allocator& process_default();

  Status start_status() const noexcept;

  /// Allocates a region of at least `size` bytes; `out->capacity` is the size class.
  /// Errors: kInvalidSizeClass, kDisabled, kOutOfMemory. On error `*out` is untouched.
  Status allocate(std::size_t size, Region* out, ErrorDetail* detail = nullptr) noexcept;

  /// Returns a region to the pool. Errors: kInvalidHandle (nothing changes). A failed
  /// MADV_DONTNEED under `eager_return` is not an error: the region goes back dirty and
  /// `madvise_failures` counts it.
  Status deallocate(const Region& region) noexcept;

  /// Asks the kernel to read ahead `length` bytes at `offset` of an allocated region.
  /// Errors: kInvalidHandle, kOutOfBounds, kOsError.
  Status prefetch(const Region& region, std::size_t offset, std::size_t length,
                  ErrorDetail* detail = nullptr) noexcept;

  /// Moves the first `length` bytes of `from` to the start of `to`, both allocated and
  /// owned by the caller: what a growing vector does when it moves to a larger class.
  /// Every whole 2 MiB piece moves by remapping its pages (no bytes copied, no page
  /// faults at the destination), and the destination's pages take its place in `from`,
  /// so that both regions keep their pages for reuse; the rest, or all of it where the
  /// kernel cannot remap, is copied. Afterwards the moved range of `from` has unspecified
  /// contents. Like any use of the regions' bytes, no other thread may free
  /// either region meanwhile. Errors: kInvalidHandle (either region not live, or both
  /// the same), kOutOfBounds (`length` exceeds a capacity; `capacity` names the smaller).
  Status move_contents(const Region& from, const Region& to, std::size_t length,
                       ErrorDetail* detail = nullptr) noexcept;

  /// Changes the configuration at run time. Errors: kInvalidArgument (nothing changes),
  /// kOsError when the background worker cannot be started (other fields still apply).
  Status configure(const ConfigUpdate& update, ErrorDetail* detail = nullptr) noexcept;

  Config config() const;

  void stats(Stats* out) const noexcept;

  /// Unmaps every area whose regions are all in the global pools.
  Status trim(TrimResult* out = nullptr) noexcept;

  /// Moves the calling thread's cached regions to the global dirty pool (what thread exit
  /// does); useful before a thread goes idle for long.
  void flush_thread_cache() noexcept;

  /// Every area currently mapped, by size class.
  std::vector<AreaInfo> areas() const;

 private:
  std::unique_ptr<AllocatorImpl> impl_;
};

/// The size class index (0 for 2 MiB) for a request, or nullopt outside the valid range.
std::optional<unsigned> size_class_index_for(std::size_t size) noexcept;

/// The region size of a size class index.
constexpr std::size_t region_bytes_of(unsigned index) noexcept {
  return std::size_t{1} << (index + kMinSizeClassLog2);
}

}  // namespace lgalloc
