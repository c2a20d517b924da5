// Region buffers and V8's external-memory heuristic.
//
// V8 counts every ArrayBuffer's bytes as external memory and starts a full collection
// whenever that count rises 64 MB above its lowest since the last one, whatever the heap's
// size. Regions have owners that dispose them, so those collections mostly find nothing:
// building a 10M-row table (365 MB of 4-16 MiB regions beside a 420 MB heap) ran 4-6 of
// them, 1-1.5 s in all, and the malloc arenas of their marking threads added 70-130 MB of
// RSS (issue 10). So the binding takes regions of up to 32 MiB out of V8's count and applies
// a rule of its own, proportional like V8's rule for its own heap: when the bytes of such
// regions an environment holds have grown, since its last full collection, by more than
// that collection left (heap size plus those region bytes still held once the buffers it
// found dead were released) and by at least a sixteenth of the machine's memory (64 MiB to
// 1 GiB), it asks V8 for the collection V8 starts for external memory. Regions dropped
// without dispose() are still collected; under a memory limit, allocation still forces
// collections (memory_pressure.h). Larger regions stay in V8's count (region_accounting.cc
// says why).
//
// The bookkeeping: right after V8 counts a new region buffer, the binding subtracts its
// bytes; when the binding detaches one (dispose, transfer, reallocate), V8 stops counting
// it and the binding adds its bytes back; when one is garbage collected, its deleter (on
// whatever thread) records its bytes, and the thread adds them back at its next call into
// the binding or after the next full collection. The adjustments reach V8
// (AdjustAmountOfExternalAllocatedMemory) once they add up to 8 MiB either way, so that an
// allocate-dispose loop makes no V8 call at all, and whenever stats are read. A deleter
// finds its environment's account by slot and generation, never by pointer: it may run
// after the environment is gone.
#pragma once

#include <v8.h>

#include <cstdint>

namespace lgalloc::node {

/// An environment's account: slot << 32 | generation; 0 for none (nothing is adjusted).
using AccountId = std::uint64_t;

struct AccountSlot;  // region_accounting.cc

/// The buffer of a region of `bytes` made under `account` was garbage collected (its
/// deleter ran with the region still live). Any thread; allocates nothing.
void account_buffer_collected(AccountId account, std::uint64_t bytes) noexcept;

/// One environment's side of the rule; lives in its EnvData, used on its thread only.
class RegionAccounting {
 public:
  RegionAccounting() = default;
  RegionAccounting(const RegionAccounting&) = delete;
  RegionAccounting& operator=(const RegionAccounting&) = delete;
  ~RegionAccounting() { stop(); }

  /// Takes an account and watches this isolate's full collections. Without a free account
  /// (thousands of live environments) region buffers stay in V8's count, as before.
  void start(v8::Isolate* isolate) noexcept;
  /// Gives the account back and stops watching; called as the environment goes away.
  void stop() noexcept;

  AccountId id() const noexcept { return id_; }

  /// Right after `ArrayBuffer::New` over a region of `bytes`: takes it out of V8's count,
  /// then asks for a collection if the rule says so.
  void buffer_made(std::uint64_t bytes) noexcept;
  /// After the binding detached the buffer of a region of `bytes` (V8 no longer counts it).
  void buffer_detached(std::uint64_t bytes) noexcept;
  /// Brings V8's count up to date.
  void settle() noexcept;

 private:
  static void after_full_collection(v8::Isolate* isolate, v8::GCType type,
                                    v8::GCCallbackFlags flags, void* data);

  v8::Isolate* isolate_ = nullptr;
  AccountId id_ = 0;
  // The account's slot (region_accounting.cc), this environment's until stop(): its own
  // calls need no generation check.
  AccountSlot* slot_ = nullptr;
};

}  // namespace lgalloc::node
