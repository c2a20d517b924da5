// libFuzzer entry point of the native core's fuzz target (see fuzz_program.h). Built with
// clang's -fsanitize=fuzzer,address,undefined by scripts/fuzz-native.js; a violated
// invariant aborts with its description, so libFuzzer keeps the input as a crash.
#include <cstdio>
#include <cstdlib>

#include "fuzz_program.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string failure = lgalloc::fuzz::run_program(data, size);
  if (!failure.empty()) {
    std::fprintf(stderr, "lgalloc fuzz: invariant violated: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
