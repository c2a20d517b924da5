// The native core's fuzz target, as a function: decodes bytes into a program of calls on
// up to three allocators (allocate, deallocate of live, stale, forged and foreign regions,
// move_contents, prefetch, configure with valid and invalid values, trim, thread-cache
// flushes, injected mmap/madvise/mremap failures), runs it, and checks after every step
// what must hold: each call's status is the one its contract names, live regions never
// overlap, their sampled bytes are what their owner wrote, known-zero regions read zero,
// and every allocator's stats balance against the regions the program holds.
//
// libFuzzer drives it through allocator_fuzzer.cc (`npm run fuzz:native`); the googletest
// suite replays every input kept in native/fuzz/corpus and native/fuzz/crashes through
// the same function (tests/fuzz_corpus_test.cc), so a fixed crash stays fixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lgalloc::fuzz {

/// Runs the program `data` encodes. Returns an empty string when every check held, else
/// a description of the first violation (the caller aborts or fails the test with it).
std::string run_program(const std::uint8_t* data, std::size_t size);

}  // namespace lgalloc::fuzz
