// The binding's rule for when region buffers call for a collection (see region_accounting.h).
#include "region_accounting.h"

#include <algorithm>
#include <atomic>

namespace lgalloc::node {
namespace {

// The least growth that asks for a collection: V8's own step for external memory.
constexpr std::int64_t kMinGrowthBytes = std::int64_t{64} << 20;

// An account's figures, shared with deleters on other threads. The generation is odd while
// an environment holds the slot; a deleter whose account names another generation does
// nothing. (One that checks just before the slot is given back and adds just after a new
// environment took it moves that environment's figures by one buffer: its next collection
// comes a little earlier or later. Nothing else depends on them.)
struct AccountSlot {
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::int64_t> owed{0};  // bytes to add back to V8's count
  std::atomic<std::int64_t> held{0};  // bytes of live buffers V8 does not count
};

constexpr std::uint32_t kSlots = 4096;
AccountSlot g_slots[kSlots];  // static storage, trivially destructible: deleters may run at exit

AccountSlot* slot_of(AccountId account) noexcept {
  const auto index = static_cast<std::uint32_t>(account >> 32);
  if (account == 0 || index >= kSlots) return nullptr;
  AccountSlot& slot = g_slots[index];
  return slot.generation.load(std::memory_order_acquire) == static_cast<std::uint32_t>(account)
             ? &slot
             : nullptr;
}

void give_back_owed(v8::Isolate* isolate, AccountSlot& slot) noexcept {
  const std::int64_t owed = slot.owed.exchange(0, std::memory_order_relaxed);
  if (owed != 0) isolate->AdjustAmountOfExternalAllocatedMemory(owed);
}

// What a collection's deleters recorded is given back from an interrupt: inside the
// epilogue, a growing count could start another collection. The account travels by id,
// since the environment may be gone when the interrupt runs.
void settle_interrupt(v8::Isolate* isolate, void* data) {
  AccountSlot* const slot = slot_of(reinterpret_cast<std::uintptr_t>(data));
  if (slot != nullptr) give_back_owed(isolate, *slot);
}

}  // namespace

void account_buffer_gone(AccountId account, std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_of(account);
  if (slot == nullptr) return;
  const auto signed_bytes = static_cast<std::int64_t>(bytes);
  slot->owed.fetch_add(signed_bytes, std::memory_order_relaxed);
  slot->held.fetch_sub(signed_bytes, std::memory_order_relaxed);
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
    slot.owed.store(0, std::memory_order_relaxed);
    slot.held.store(0, std::memory_order_relaxed);
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
  const auto signed_bytes = static_cast<std::int64_t>(bytes);
  const std::int64_t owed = slot->owed.exchange(0, std::memory_order_relaxed);
  isolate_->AdjustAmountOfExternalAllocatedMemory(owed - signed_bytes);
  const std::int64_t before = slot->held.fetch_add(signed_bytes, std::memory_order_relaxed);
  // The lowest count since the last full collection: what it left alive, once the buffers
  // it found dead were swept (their deleters run after it, often on other threads).
  held_low_ = std::min(held_low_, before);
  const std::int64_t growth = before + signed_bytes - held_low_;
  if (!collection_requested_ &&
      growth > std::max(kMinGrowthBytes, heap_after_collection_ + held_low_)) {
    // Starts incremental marking, as V8 does when external memory grows; the collection
    // finishes as the program runs on. Asked once until a full collection ends.
    collection_requested_ = true;
    isolate_->MemoryPressureNotification(v8::MemoryPressureLevel::kModerate);
  }
}

void RegionAccounting::settle() noexcept {
  AccountSlot* const slot = slot_of(id_);
  if (slot != nullptr) give_back_owed(isolate_, *slot);
}

void RegionAccounting::after_full_collection(v8::Isolate* isolate, v8::GCType /*type*/,
                                             v8::GCCallbackFlags /*flags*/, void* data) {
  auto* const self = static_cast<RegionAccounting*>(data);
  AccountSlot* const slot = slot_of(self->id_);
  if (slot == nullptr) return;
  isolate->RequestInterrupt(settle_interrupt, reinterpret_cast<void*>(std::uintptr_t{self->id_}));
  v8::HeapStatistics heap;
  isolate->GetHeapStatistics(&heap);
  self->held_low_ = slot->held.load(std::memory_order_relaxed);
  self->heap_after_collection_ = static_cast<std::int64_t>(heap.total_heap_size());
  self->collection_requested_ = false;
}

}  // namespace lgalloc::node
