// What JS holds of its regions: a process-wide table of entries, one per region live in
// some thread's JS, each with a generation and a release state. JS refers to an entry by
// (index, generation) numbers, never by pointer, so a stale or forged handle is rejected
// by a comparison instead of dereferencing freed memory.
//
// The state makes the release happen exactly once. The region's ArrayBuffer owns a V8
// backing store whose deleter is the single place a region goes back to the pool; the
// state tells the deleter why it runs: kLive (the buffer was garbage collected),
// kDisposing (dispose() detached it) or kTransferred (the region moved to a token and must
// not be freed here).
//
// The table also keeps the figures of JS's regions (live regions and bytes, how many were
// disposed or collected, bytes whose release waits for native code to let go), under the
// lock that open() and close() take anyway: the same figures as separate atomic counters
// cost seven more locked instructions per allocate+dispose (issue 13).
//
// No Node headers: the native test suite builds this file under the sanitizers too.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "lgalloc/lgalloc.h"
#include "spin_lock.h"

namespace lgalloc::node {

enum class HandleState : std::uint64_t { kFree = 0, kLive = 1, kDisposing = 2, kTransferred = 3 };

struct Handle {
  std::uint32_t index;
  std::uint32_t generation;
};

/// What the table knows of the regions JS holds, every field consistent with the others.
struct HandleCounts {
  /// Entries live or being disposed (not yet released), and their bytes.
  std::uint64_t live_regions = 0;
  std::uint64_t live_bytes = 0;
  /// Released after dispose(), and after garbage collection of a live buffer.
  std::uint64_t disposed = 0;
  std::uint64_t collected = 0;
  /// Bytes of regions disposed while native code still holds their backing store (see
  /// note_release_pending): their release runs when it lets go.
  std::uint64_t disposing_bytes = 0;
};

class HandleTable {
 public:
  static constexpr std::uint32_t kChunkBits = 12;
  static constexpr std::uint32_t kChunkEntries = 1u << kChunkBits;
  static constexpr std::uint32_t kMaxChunks = 4096;
  /// Most entries live at once.
  static constexpr std::uint32_t kCapacity = kChunkEntries * kMaxChunks;

  /// A table of at most `capacity` (<= kCapacity) entries live at once.
  explicit HandleTable(std::uint32_t capacity = kCapacity) noexcept
      : capacity_(capacity < kCapacity ? capacity : kCapacity) {}
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;
  ~HandleTable();

  /// A new live entry for `region`, counted live, or nullopt when the table is full or
  /// memory for a new chunk cannot be had (nothing changed). Any thread.
  std::optional<Handle> open(const Region& region, std::uint64_t account = 0) noexcept;

  /// A copy of the live region behind `handle`, or nullopt if the handle is not live. Safe
  /// against any handle, however guessed, while other threads open and close entries: the
  /// copy is taken between two reads of the entry's word and kept only if they agree.
  std::optional<Region> live(Handle handle) const noexcept;

  /// kLive -> `next`, true for exactly one caller. Claiming kTransferred counts the region
  /// as no longer live at once (its entry is closed when the buffer's deleter runs).
  bool claim(Handle handle, HandleState next) noexcept;

  /// Called after a claimed (kDisposing) buffer was detached: if its deleter has not run
  /// (native code still holds the backing store), its bytes count as waiting for release
  /// until close(). Takes the lock only then.
  void note_release_pending(Handle handle) noexcept;

  /// The state behind `handle` (kFree if stale); then frees the entry and counts the
  /// release (kLive: collected, kDisposing: disposed). `*account` gets the account given to
  /// open() (region_accounting.h). Called once, by the backing store's deleter, on any
  /// thread. Allocates nothing.
  HandleState close(Handle handle, Region* region, std::uint64_t* account = nullptr) noexcept;

  /// The figures, read under the lock.
  HandleCounts counts() const noexcept;

 private:
  // Every field is atomic: `live` reads them while `open` may be rewriting them for a new
  // generation (a reader with a guessed handle), and the word's re-check discards such a
  // torn copy (issue 7, item 8).
  struct Entry {
    std::atomic<std::uint64_t> word{0};  // generation << 2 | state
    std::atomic<void*> ptr{nullptr};
    std::atomic<std::uint64_t> capacity{0};
    std::atomic<std::uint64_t> identity{0};  // slot << 16 | known_zero << 8 | class index
    std::atomic<std::uint64_t> region_generation{0};
    std::atomic<std::uint64_t> account{0};  // whose count the buffer left (AccountId)
    std::uint32_t next_free = 0;            // guarded by the table's lock while the entry is free
    bool release_pending = false;           // guarded by the lock: counted in disposing_bytes
  };

  Entry* find(std::uint32_t index) const noexcept;
  static std::uint64_t word(std::uint32_t generation, HandleState state) noexcept {
    return std::uint64_t{generation} << 2 | static_cast<std::uint64_t>(state);
  }

  static constexpr std::uint32_t kNoEntry = UINT32_MAX;

  const std::uint32_t capacity_;
  std::atomic<Entry*> chunks_[kMaxChunks]{};
  // Guards free_head_, next_, chunk creation, counts_ and the transitions to kFree.
  mutable SpinLock lock_;
  std::uint32_t free_head_ = kNoEntry;  // intrusive list through Entry::next_free
  std::uint32_t next_ = 0;
  HandleCounts counts_;
};

/// The process-wide table; never destroyed, since deleters may run during process exit.
HandleTable& handle_table();

}  // namespace lgalloc::node
