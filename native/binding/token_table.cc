// The process-wide table of regions in flight between threads.
#include "token_table.h"

#include <random>

namespace lgalloc::node {

std::string TokenTable::park(const Region& region) {
  // std::random_device reads the kernel's CSPRNG (getrandom) on Linux; 128 bits make a
  // guessed id hopeless.
  static thread_local std::random_device entropy;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  std::lock_guard<std::mutex> lock(mutex_);
  do {
    id.clear();
    for (int i = 0; i < 4; ++i) {
      std::uint32_t word = entropy();
      for (int j = 0; j < 8; ++j, word >>= 4) id.push_back(kHex[word & 0xf]);
    }
  } while (parked_.count(id) != 0);
  parked_.emplace(id, region);
  return id;
}

std::optional<Region> TokenTable::take(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = parked_.find(id);
  if (it == parked_.end()) return std::nullopt;
  Region region = it->second;
  parked_.erase(it);
  return region;
}

std::vector<Region> TokenTable::take_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Region> all;
  for (auto& [id, region] : parked_) all.push_back(region);
  parked_.clear();
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
