// The binding's rule for when region buffers call for a collection (see region_accounting.h).
#include "region_accounting.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

namespace lgalloc::node {

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
};

namespace {

// The least growth that asks for a collection: a sixteenth of the machine's memory, from
// 64 MiB (V8's step for any external memory) to 1 GiB. Regions are owned and disposed, and
// a vector or table being built passes any step too, paying for a collection that finds
// nothing.
std::int64_t min_growth_bytes() noexcept {
  static const std::int64_t bytes = [] {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_bytes = ::sysconf(_SC_PAGESIZE);
    const std::int64_t ram =
        pages > 0 && page_bytes > 0 ? std::int64_t{pages} * page_bytes : std::int64_t{0};
    return std::clamp<std::int64_t>(ram / 16, std::int64_t{64} << 20, std::int64_t{1} << 30);
  }();
  return bytes;
}

// Regions up to this size leave V8's count. V8 starts a collection whenever its count
// rises 64 MB above its lowest since the last one, so a larger buffer starts one as it is
// made whatever the binding does (taking its bytes out first lowers that low as much), and
// giving a disposed one's bytes back would start another: those stay counted, as V8 counts
// them. A smaller one, counted and taken out again at once (with at most kSlackBytes more
// left to adjust), never moves the count that far.
constexpr std::uint64_t kMaxHiddenBytes = std::uint64_t{32} << 20;

bool hidden(std::uint64_t bytes) noexcept { return bytes <= kMaxHiddenBytes; }

// More than V8's external-memory step (kExternalAllocationSoftLimit, 64 MB).
constexpr std::int64_t kPokeBytes = std::int64_t{128} << 20;
// How far V8's count may be left off before the adjustment is made.
constexpr std::int64_t kSlackBytes = std::int64_t{8} << 20;

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

// Brings V8's count up to date.
void settle_slot(v8::Isolate* isolate, AccountSlot& slot) noexcept {
  fold_collected(slot);
  adjust(isolate, slot, 0);
}

// After a full collection, from an interrupt: adding to V8's count inside the epilogue
// could start another collection. The account travels by id, since the environment may be
// gone when the interrupt runs.
void settle_interrupt(v8::Isolate* isolate, void* data) {
  AccountSlot* const slot = slot_of(reinterpret_cast<std::uintptr_t>(data));
  if (slot != nullptr) settle_slot(isolate, *slot);
}

}  // namespace

void account_buffer_collected(AccountId account, std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_of(account);
  if (slot != nullptr && hidden(bytes)) {
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
    isolate_ = isolate;
    slot_ = &slot;
    id_ = AccountId{index} << 32 | (generation + 1);
    isolate->AddGCEpilogueCallback(after_full_collection, this, v8::kGCTypeMarkSweepCompact);
    return;
  }
}

void RegionAccounting::stop() noexcept {
  if (id_ == 0) return;
  isolate_->RemoveGCEpilogueCallback(after_full_collection, this);
  // Buffers still alive die with the isolate, which no longer needs its count right.
  slot_->generation.fetch_add(1, std::memory_order_acq_rel);
  id_ = 0;
  isolate_ = nullptr;
  slot_ = nullptr;
}

void RegionAccounting::buffer_made(std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_;
  if (slot == nullptr || !hidden(bytes)) return;
  fold_collected(*slot);
  // What the last collection left alive, once the buffers it found dead were released.
  slot->held_low = std::min(slot->held_low, slot->held);
  slot->held += static_cast<std::int64_t>(bytes);
  slot->unadjusted -= static_cast<std::int64_t>(bytes);
  adjust(isolate_, *slot, kSlackBytes);
  const std::int64_t growth = slot->held - slot->held_low;
  if (growth > std::max(min_growth_bytes(), slot->heap_after_collection + slot->held_low)) {
    // V8's own response to external memory growing past its limit: start incremental
    // marking, advance it at each further call, collect at once past its hard limit. The
    // count goes up by more than V8's step (64 MB above its low since the last collection)
    // and back at once, so nothing stays counted.
    isolate_->AdjustAmountOfExternalAllocatedMemory(kPokeBytes);
    isolate_->AdjustAmountOfExternalAllocatedMemory(-kPokeBytes);
  }
}

void RegionAccounting::buffer_detached(std::uint64_t bytes) noexcept {
  AccountSlot* const slot = slot_;
  if (slot == nullptr || !hidden(bytes)) return;
  slot->held -= static_cast<std::int64_t>(bytes);
  slot->unadjusted += static_cast<std::int64_t>(bytes);
  adjust(isolate_, *slot, kSlackBytes);
}

void RegionAccounting::settle() noexcept {
  if (slot_ != nullptr) settle_slot(isolate_, *slot_);
}

void RegionAccounting::after_full_collection(v8::Isolate* isolate, v8::GCType /*type*/,
                                             v8::GCCallbackFlags /*flags*/, void* data) {
  auto* const self = static_cast<RegionAccounting*>(data);
  AccountSlot* const slot = self->slot_;
  if (slot == nullptr) return;
  fold_collected(*slot);
  v8::HeapStatistics heap;
  isolate->GetHeapStatistics(&heap);
  slot->held_low = slot->held;
  slot->heap_after_collection = static_cast<std::int64_t>(heap.total_heap_size());
  isolate->RequestInterrupt(settle_interrupt, reinterpret_cast<void*>(std::uintptr_t{self->id_}));
}

}  // namespace lgalloc::node
