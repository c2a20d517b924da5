// Regions in flight between threads. `transfer` parks a region here under a fresh random
// id and `adopt` takes it out, once: an id that was never issued, was already adopted or
// is malformed finds nothing, so a token cannot be forged or replayed into memory.
//
// Each parked region also has a serial number, which the token's anchor (a zero-length
// ArrayBuffer in its transferList, see addon.cc) carries to its deleter: when the anchor
// dies unadopted (the token was dropped, or the environment it was posted to exited), the
// deleter reclaims the region by serial (issue 7, item 10).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

class TokenTable {
 public:
  struct Parked {
    std::string id;
    std::uint64_t serial;
  };

  /// Parks `region` and returns its new id (32 lowercase hex digits from a CSPRNG) and
  /// serial. Throws std::bad_alloc or std::system_error (no entropy); nothing is parked.
  Parked park(const Region& region);

  /// Takes the region parked under `id`, if any.
  std::optional<Region> take(const std::string& id);

  /// Takes the region parked under `serial`, if any. Allocates nothing (a deleter calls it).
  std::optional<Region> take_serial(std::uint64_t serial) noexcept;

  /// Takes every parked region (at process exit).
  std::vector<Region> take_all();

  static bool well_formed(const std::string& id);

 private:
  struct Entry {
    Region region;
    std::uint64_t serial;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> parked_;
  std::unordered_map<std::uint64_t, std::string> ids_;  // serial -> id
  std::uint64_t next_serial_ = 1;
};

TokenTable& token_table();

}  // namespace lgalloc::node
