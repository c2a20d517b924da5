// Regions in flight between threads. `transfer` parks a region here under a fresh random
// id and `adopt` takes it out, once: an id that was never issued, was already adopted or
// is malformed finds nothing, so a token cannot be forged or replayed into memory.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

class TokenTable {
 public:
  /// Parks `region` and returns its new id: 32 lowercase hex digits from a CSPRNG.
  std::string park(const Region& region);

  /// Takes the region parked under `id`, if any.
  std::optional<Region> take(const std::string& id);

  /// Takes every parked region (at process exit).
  std::vector<Region> take_all();

  static bool well_formed(const std::string& id);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Region> parked_;
};

TokenTable& token_table();

}  // namespace lgalloc::node
