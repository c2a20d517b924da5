// Allocation under memory pressure, the way Java reserves direct buffer memory
// (java.nio.Bits.reserveMemory): when an allocation fails for want of memory while JS
// holds regions it may no longer reach, force a full garbage collection, let the
// releases it starts run, and retry, before giving up (issue 8, "Garbage collection under
// a memory limit").
//
// Without this a loop that drops regions without disposing them fails long before the
// limit is really reached: V8 counts a region towards its heap only as external memory
// and collects when it sees fit, not when the pool is full.
#pragma once

#include <cstddef>
#include <string>

#include "lgalloc/lgalloc.h"

namespace lgalloc::node {

/// `Allocator::allocate`, retried after a forced collection when it fails with
/// kOutOfMemory and JS holds regions. Runs on a JS thread (it collects that thread's
/// isolate). On failure `*report` says how many bytes are live in JS, wait for their
/// release and are in transit, for the error message.
Status allocate_collecting(std::size_t size, Region* out, ErrorDetail* detail, std::string* report);

}  // namespace lgalloc::node
