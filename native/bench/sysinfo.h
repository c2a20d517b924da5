// What the benchmark reports about the machine it ran on: transparent huge page mode,
// huge-page-backed anonymous memory of this process, CPU count and glibc version.
// Everything is read from /proc and /sys; a missing file yields an empty or negative
// value rather than an error, because the numbers are informative only.
#pragma once

#include <cstdint>
#include <string>

namespace lgbench {

/// The selected word of a /sys/kernel/mm/transparent_hugepage/<name> file ("madvise"
/// from "always [madvise] never"), or "unavailable".
std::string thp_setting(const char* name);

/// AnonHugePages of the whole process (/proc/self/smaps_rollup), in KiB; -1 if unknown.
std::int64_t anon_huge_pages_kib();

/// AnonHugePages of the mapping that contains `address` (/proc/self/smaps), in KiB;
/// -1 if unknown.
std::int64_t mapping_anon_huge_pages_kib(const void* address);

unsigned online_cpus();
std::string libc_version();

}  // namespace lgbench
