// Mapping request sizes to size classes: powers of two from 2^21 to 2^36 bytes.
#include <bit>

#include "lgalloc/lgalloc.h"

namespace lgalloc {

std::optional<unsigned> size_class_index_for(std::size_t size) noexcept {
  if (size < kMinRegionBytes || size > kMaxRegionBytes) return std::nullopt;
  // Rounds up: 2 MiB + 1 belongs to the 4 MiB class.
  const unsigned log2 = static_cast<unsigned>(std::bit_width(size - 1));
  return log2 - kMinSizeClassLog2;
}

}  // namespace lgalloc
