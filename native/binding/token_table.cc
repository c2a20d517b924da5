// The process-wide table of regions in flight between threads.
#include "token_table.h"

#include <random>

namespace lgalloc::node {

TokenTable::Parked TokenTable::park(const Region& region) {
  // std::random_device reads the kernel's CSPRNG (getrandom) on Linux; 128 bits make a
  // guessed id hopeless.
  static thread_local std::random_device entropy;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  std::lock_guard<std::mutex> lock(mutex_);
  do {
    id.clear();
    for (int i = 0; i < 4; ++i) {
      std::uint32_t word = entropy();
      for (int j = 0; j < 8; ++j, word >>= 4) id.push_back(kHex[word & 0xf]);
    }
  } while (parked_.count(id) != 0);
  const std::uint64_t serial = next_serial_++;
  auto [it, inserted] = parked_.emplace(id, Entry{region, serial});
  try {
    ids_.emplace(serial, id);
  } catch (...) {
    parked_.erase(it);
    throw;
  }
  return Parked{id, serial};
}

std::optional<Region> TokenTable::take(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = parked_.find(id);
  if (it == parked_.end()) return std::nullopt;
  const Entry entry = it->second;
  parked_.erase(it);
  ids_.erase(entry.serial);
  return entry.region;
}

std::optional<Region> TokenTable::take_serial(std::uint64_t serial) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  auto id = ids_.find(serial);
  if (id == ids_.end()) return std::nullopt;
  auto it = parked_.find(id->second);
  ids_.erase(id);
  if (it == parked_.end()) return std::nullopt;
  const Region region = it->second.region;
  parked_.erase(it);
  return region;
}

std::vector<Region> TokenTable::take_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Region> all;
  all.reserve(parked_.size());
  for (auto& [id, entry] : parked_) all.push_back(entry.region);
  parked_.clear();
  ids_.clear();
  return all;
}

bool TokenTable::well_formed(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TokenTable& token_table() {
  // Never destroyed: worker threads may still transfer while the process exits.
  static TokenTable* const table = new TokenTable();
  return *table;
}

}  // namespace lgalloc::node
