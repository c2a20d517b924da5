// The binding's rule for when region buffers call for a collection (see region_accounting.h).
#include "region_accounting.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>

namespace lgalloc::node {
namespace {

// The least growth that asks for a collection: V8's own step for external memory.
constexpr std::int64_t kMinGrowthBytes = std::int64_t{64} << 20;
// How far V8's count may be left off before the adjustment is made.
constexpr std::int64_t kSlackBytes = std::int64_t{8} << 20;

// An environment's account. The generation is odd while an environment holds the slot; a
// deleter whose account names another generation does nothing. (One that checks just
// before the slot is given back and adds just after a new environment took it gives that
// environment's count one buffer too many: its next collection comes a little earlier.
// Nothing else depends on it.) The other fields belong to the environment's thread: its
// calls into the binding, its GC epilogue and its interrupts, never at the same time.
struct AccountSlot {
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::int64_t> collected{0};  // by deleters: bytes of buffers collected
  std::int64_t held = 0;                   // bytes of this environment's live region buffers
  std::int64_t held_low = 0;               // the fewest held since the last full collection ended
  std::int64_t heap_after_collection = 0;
  std::int64_t unadjusted = 0;  // what V8's count is still to be adjusted by
  bool collection_requested = false;
  bool collection_forced = false;
};

constexpr std::uint32_t kSlots = 4096;
AccountSlot g_slots[kSlots];  // static storage, never destroyed: deleters may run at exit

AccountSlot* slot_of(AccountId account) noexcept {
  const auto index = static_cast<std::uint32_t>(account >> 32);
  if (account == 0 || index >= kSlots) return nullptr;
  AccountSlot& slot = g_slots[index];
  return slot.generation.load(std::memory_order_acquire) == static_cast<std::uint32_t>(account)
             ? &slot
             : nullptr;
}

// Takes in what deleters recorded (one plain load when there is nothing).
void fold_collected(AccountSlot& slot) noexcept {
  if (slot.collected.load(std::memory_order_relaxed) == 0) return;
  const std::int64_t collected = slot.collected.exchange(0, std::memory_order_relaxed);
  slot.held -= collected;
  slot.unadjusted += collected;
}

void adjust(v8::Isolate* isolate, AccountSlot& slot, std::int64_t slack) noexcept {
  if (std::llabs(slot.unadjusted) <= slack) return;
  const std::int64_t change = slot.unadjusted;
  slot.unadjusted = 0;
  isolate->AdjustAmountOfExternalAllocatedMemory(change);
}

// After a full collection, from an interrupt: adding to V8's count inside the epilogue
// could start another collection. The account travels by id, since the environment may be
// gone when the interrupt runs.
void settle_interrupt(v8::Isolate* isolate, void* data) {
  AccountSlot* const slot = slot_of(reinterpret_cast<std::uintptr_t>(data));
  if (slot == nullptr) return;
  fold_collected(*slot);
  adjust(isolate, *slot, 0);
}

}  // namespace

void account_buffer_collected(AccountId account, std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_of(account);
  if (slot != nullptr) {
    slot->collected.fetch_add(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
  }
}

void RegionAccounting::start(v8::Isolate* isolate) noexcept {
  if (id_ != 0) return;
  // Slot 0 is never used, so that no account is 0.
  for (std::uint32_t index = 1; index < kSlots; ++index) {
    AccountSlot& slot = g_slots[index];
    std::uint32_t generation = slot.generation.load(std::memory_order_relaxed);
    if ((generation & 1) != 0) continue;
    if (!slot.generation.compare_exchange_strong(generation, generation + 1,
                                                 std::memory_order_acq_rel)) {
      continue;
    }
    slot.collected.store(0, std::memory_order_relaxed);
    slot.held = slot.held_low = slot.heap_after_collection = slot.unadjusted = 0;
    slot.collection_requested = slot.collection_forced = false;
    isolate_ = isolate;
    id_ = AccountId{index} << 32 | (generation + 1);
    isolate->AddGCEpilogueCallback(after_full_collection, this, v8::kGCTypeMarkSweepCompact);
    return;
  }
}

void RegionAccounting::stop() noexcept {
  if (id_ == 0) return;
  isolate_->RemoveGCEpilogueCallback(after_full_collection, this);
  // Buffers still alive die with the isolate, which no longer needs its count right.
  g_slots[id_ >> 32].generation.fetch_add(1, std::memory_order_acq_rel);
  id_ = 0;
  isolate_ = nullptr;
}

void RegionAccounting::buffer_made(std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_of(id_);
  if (slot == nullptr) return;
  fold_collected(*slot);
  // What the last collection left alive, once the buffers it found dead were released.
  slot->held_low = std::min(slot->held_low, slot->held);
  slot->held += static_cast<std::int64_t>(bytes);
  slot->unadjusted -= static_cast<std::int64_t>(bytes);
  adjust(isolate_, *slot, kSlackBytes);
  const std::int64_t growth = slot->held - slot->held_low;
  const std::int64_t threshold =
      std::max(kMinGrowthBytes, slot->heap_after_collection + slot->held_low);
  if (growth <= threshold) return;
  if (!slot->collection_requested) {
    // Starts incremental marking, as V8 does when external memory grows; the collection
    // finishes as the program runs on. Asked once until a full collection ends.
    slot->collection_requested = true;
    isolate_->MemoryPressureNotification(v8::MemoryPressureLevel::kModerate);
  } else if (!slot->collection_forced && growth > 2 * threshold) {
    // Marking lags behind a loop that drops regions faster (V8 would advance it at each
    // allocation, and collect at once past a hard limit): a full collection now.
    slot->collection_forced = true;
    isolate_->MemoryPressureNotification(v8::MemoryPressureLevel::kCritical);
  }
}

void RegionAccounting::buffer_detached(std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_of(id_);
  if (slot == nullptr) return;
  slot->held -= static_cast<std::int64_t>(bytes);
  slot->unadjusted += static_cast<std::int64_t>(bytes);
  adjust(isolate_, *slot, kSlackBytes);
}

void RegionAccounting::settle() noexcept {
  AccountSlot* const slot = slot_of(id_);
  if (slot == nullptr) return;
  fold_collected(*slot);
  adjust(isolate_, *slot, 0);
}

void RegionAccounting::after_full_collection(v8::Isolate* isolate, v8::GCType /*type*/,
                                             v8::GCCallbackFlags /*flags*/, void* data) {
  auto* const self = static_cast<RegionAccounting*>(data);
  AccountSlot* const slot = slot_of(self->id_);
  if (slot == nullptr) return;
  fold_collected(*slot);
  v8::HeapStatistics heap;
  isolate->GetHeapStatistics(&heap);
  slot->held_low = slot->held;
  slot->heap_after_collection = static_cast<std::int64_t>(heap.total_heap_size());
  slot->collection_requested = slot->collection_forced = false;
  isolate->RequestInterrupt(settle_interrupt, reinterpret_cast<void*>(std::uintptr_t{self->id_}));
}

}  // namespace lgalloc::node
