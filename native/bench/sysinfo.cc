// /proc and /sys readers behind sysinfo.h.
#include "sysinfo.h"

#include <gnu/libc-version.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lgbench {
namespace {

/// The value in KiB of a "Name:   1234 kB" line, if `line` is that field.
bool parse_kib_field(const std::string& line, const char* name, std::int64_t* out) {
  std::string prefix = std::string(name) + ":";
  if (line.rfind(prefix, 0) != 0) return false;
  *out = std::strtoll(line.c_str() + prefix.size(), nullptr, 10);
  return true;
}

}  // namespace

std::string thp_setting(const char* name) {
  std::ifstream file(std::string("/sys/kernel/mm/transparent_hugepage/") + name);
  std::string text;
  if (!std::getline(file, text)) return "unavailable";
  auto open = text.find('[');
  auto close = text.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return text;
  return text.substr(open + 1, close - open - 1);
}

std::int64_t anon_huge_pages_kib() {
  std::ifstream file("/proc/self/smaps_rollup");
  std::string line;
  std::int64_t value = -1;
  while (std::getline(file, line)) {
    if (parse_kib_field(line, "AnonHugePages", &value)) return value;
  }
  return -1;
}

std::int64_t mapping_anon_huge_pages_kib(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream file("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(file, line)) {
    // A mapping's header starts with its lower-case hex range; field names start with
    // an upper-case letter.
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        !std::isupper(static_cast<unsigned char>(line[0]))) {
      std::uintptr_t start = 0, end = 0;
      char dash = 0;
      std::istringstream range(line);
      range >> std::hex >> start >> dash >> end;
      inside = start <= target && target < end;
      continue;
    }
    std::int64_t value = 0;
    if (inside && parse_kib_field(line, "AnonHugePages", &value)) return value;
  }
  return -1;
}

unsigned online_cpus() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

std::string libc_version() { return std::string("glibc ") + gnu_get_libc_version(); }

}  // namespace lgbench
