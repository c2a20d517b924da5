// Replays every input kept in native/fuzz/corpus (what the fuzzer found interesting) and
// native/fuzz/crashes (reproducers of fixed bugs) through the fuzz target's program, so
// that the googletest suite, in each of its sanitizer builds, keeps them passing.
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../fuzz/fuzz_program.h"

namespace {

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* handle = opendir(dir.c_str())) {
    while (dirent* entry = readdir(handle)) {
      if (entry->d_name[0] != '.') files.push_back(dir + "/" + entry->d_name);
    }
    closedir(handle);
  }
  return files;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& dir) {
  for (const std::string& file : files_in(dir)) {
    const std::vector<std::uint8_t> bytes = read_file(file);
    EXPECT_EQ(lgalloc::fuzz::run_program(bytes.data(), bytes.size()), "") << file;
  }
}

TEST(FuzzCorpus, ReplaysEveryKeptInputWithoutAViolation) {
  const std::vector<std::string> corpus = files_in(LGALLOC_FUZZ_DIR "/corpus");
  ASSERT_FALSE(corpus.empty()) << "no inputs in " LGALLOC_FUZZ_DIR "/corpus";
  replay(LGALLOC_FUZZ_DIR "/corpus");
}

TEST(FuzzCorpus, ReplaysEveryCrashReproducerWithoutAViolation) {
  replay(LGALLOC_FUZZ_DIR "/crashes");
}

}  // namespace
