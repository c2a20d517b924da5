// Invariant checks for debug and sanitizer builds (LGALLOC_DEBUG=1). They guard the
// allocator's own bookkeeping, never a caller's input: callers get a Status instead.
#pragma once

namespace lgalloc::detail {
[[noreturn]] void assert_failed(const char* condition, const char* file, int line) noexcept;
}  // namespace lgalloc::detail

#if LGALLOC_DEBUG
#define LGALLOC_ASSERT(condition) \
  ((condition) ? (void)0 : ::lgalloc::detail::assert_failed(#condition, __FILE__, __LINE__))
#else
#define LGALLOC_ASSERT(condition) ((void)0)
#endif
