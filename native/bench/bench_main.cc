// lgalloc_bench: the native benchmark of the allocator core against malloc and mmap.
//
// This file owns the command line, the run plan (full or --quick), row selection and the
// order of output; the workloads live in workloads.cc, the timing in harness.h, the
// output in report.cc. It is a program, not a test: it fails only if an allocator fails.
//
//   lgalloc_bench [--quick] [--filter <substring>[,<substring>...]] [--json <file>] [--list]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "clock.h"
#include "report.h"
#include "sysinfo.h"
#include "workloads.h"

namespace {

using namespace lgbench;

struct Options {
  bool quick = false;
  bool list = false;
  std::string filter;
  std::string json;
};

void usage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: lgalloc_bench [--quick] [--filter <substring>[,...]] [--json <file>] [--list]\n"
      "  --quick    short batches for a ~10 s smoke run (full run: about a minute)\n"
      "  --filter   run only rows whose key (workload/allocator/threads, e.g.\n"
      "             touch/malloc/1t) contains one of the comma-separated substrings\n"
      "  --json     also write the results to <file>\n"
      "  --list     print the row keys and exit\n");
}

bool parse(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (arg == "--quick") {
      options->quick = true;
    } else if (arg == "--list") {
      options->list = true;
    } else if (arg == "--filter") {
      if (!value(&options->filter)) return false;
    } else if (arg == "--json") {
      if (!value(&options->json)) return false;
    } else {
      return false;
    }
  }
  return true;
}

bool selected(const std::string& key, const std::string& filter) {
  if (filter.empty()) return true;
  std::size_t start = 0;
  while (start <= filter.size()) {
    std::size_t end = filter.find(',', start);
    if (end == std::string::npos) end = filter.size();
    std::string part = filter.substr(start, end - start);
    if (!part.empty() && key.find(part) != std::string::npos) return true;
    start = end + 1;
  }
  return false;
}

/// Full: 21 rows of about 2.2 s each (64 + 64 batches of 15 ms plus warm-up), ~45-60 s
/// on a 2-core machine. Quick: 24 + 24 batches of 6 ms, ~8 s. The cap bounds a row
/// whose batches overrun the target on a noisy machine.
BatchPlan plan_for(bool quick) {
  BatchPlan plan;
  if (quick) {
    plan.batch_target_ns = 6e6;
    plan.batches = 24;
    plan.warmup_ns = 60e6;
  } else {
    plan.batch_target_ns = 15e6;
    plan.batches = 64;
    plan.warmup_ns = 250e6;
  }
  plan.max_measure_ns = 3.0 * 2 * plan.batches * plan.batch_target_ns;
  return plan;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    usage(stdout);
    return 0;
  }
  if (!parse(argc, argv, &options)) {
    usage(stderr);
    return 2;
  }

  std::vector<RowSpec> specs;
  for (const RowSpec& spec : all_rows()) {
    if (selected(spec.key(), options.filter)) specs.push_back(spec);
  }
  if (options.list) {
    for (const RowSpec& spec : specs) std::printf("%s\n", spec.key().c_str());
    return 0;
  }
  if (specs.empty()) {
    std::fprintf(stderr, "lgalloc_bench: no row matches --filter %s (see --list)\n",
                 options.filter.c_str());
    return 2;
  }

  const auto started = std::chrono::steady_clock::now();
  TickClock::init(std::chrono::milliseconds(options.quick ? 20 : 100));

  Environment env;
  env.clock_source = TickClock::source();
  env.ticks_per_ns = TickClock::ticks_per_ns();
  env.clock_overhead_ns = TickClock::to_ns(static_cast<double>(TickClock::overhead_ticks()));
  env.clock_resolution_ns = TickClock::to_ns(static_cast<double>(TickClock::resolution_ticks()));
  env.thp_enabled = thp_setting("enabled");
  env.thp_defrag = thp_setting("defrag");
  env.cpus = online_cpus();
  env.libc = libc_version();
  env.quick = options.quick;
  env.filter = options.filter;
  env.plan = plan_for(options.quick);

  print_environment(env);
  print_table_header();
  std::vector<RowResult> rows;
  rows.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    rows.push_back(run_row(specs[i], env.plan));
    // Rows are ordered with lgalloc first in each group, so its reference has run.
    print_table_row(rows.back(), find_reference(rows, rows.back()));
    // A blank line between groups of the same workload and thread count.
    if (i + 1 < specs.size() &&
        (specs[i + 1].workload != specs[i].workload || specs[i + 1].threads != specs[i].threads)) {
      std::printf("\n");
    }
  }
  env.total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  print_lgalloc_counters(rows);
  print_thp(env, rows);
  print_summary(env, rows);

  if (!options.json.empty()) {
    if (!write_json(options.json, env, rows)) {
      std::perror(("lgalloc_bench: cannot write " + options.json).c_str());
      return 1;
    }
    std::printf("results written to %s\n", options.json.c_str());
  }
  return 0;
}
