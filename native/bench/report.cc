// Formatting of the benchmark's output (see report.h).
#include "report.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace lgbench {
namespace {

/// A duration with a unit chosen for 3 significant digits: "27.3ns", "2.41us", "880us".
/// ASCII "us" keeps columns aligned (a UTF-8 "µ" is two bytes for printf's widths).
std::string format_duration(double ns) {
  if (!(ns >= 0) || std::isinf(ns)) return "-";
  static const struct {
    double scale;
    const char* unit;
  } units[] = {{1, "ns"}, {1e3, "us"}, {1e6, "ms"}, {1e9, "s"}};
  std::size_t u = 0;
  while (u + 1 < std::size(units) && ns >= 1000 * units[u].scale) ++u;
  double value = ns / units[u].scale;
  char text[32];
  int decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
  std::snprintf(text, sizeof text, "%.*f%s", decimals, value, units[u].unit);
  return text;
}

std::string format_ratio(double ratio) {
  if (!(ratio > 0) || std::isinf(ratio)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, ratio < 10 ? "%.2fx" : ratio < 100 ? "%.1fx" : "%.0fx", ratio);
  return text;
}

const RowResult* find_row(const std::vector<RowResult>& rows, Workload workload, int threads,
                          AllocatorKind allocator) {
  for (const RowResult& row : rows) {
    if (row.spec.workload == workload && row.spec.threads == threads &&
        row.spec.allocator == allocator) {
      return &row;
    }
  }
  return nullptr;
}

std::string group_name(const RowSpec& spec) {
  return std::string(workload_name(spec.workload)) + "/" + std::to_string(spec.threads) + "t";
}

/// A row whose threads were running at least this share of the time counts as
/// undisturbed by other load.
constexpr double kQuietOnCpu = 0.9;

bool is_lgalloc(AllocatorKind allocator) {
  return allocator == AllocatorKind::kLgalloc || allocator == AllocatorKind::kLgallocBackground;
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

/// A JSON number, or null for values that JSON cannot hold.
std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

void print_environment(const Environment& env) {
  std::printf("lgalloc native benchmark (%s run)\n", env.quick ? "quick" : "full");
  std::printf("  machine: %u online CPUs, %s\n", env.cpus, env.libc.c_str());
  std::printf("  clock: %s, %.3f ticks/ns, %.1f ns per clock-read pair (subtracted from p50/p99)\n",
              env.clock_source.c_str(), env.ticks_per_ns, env.clock_overhead_ns);
  if (env.clock_resolution_ns > 1.5) {
    std::printf(
        "  clock resolution: advances in steps of ~%.0f ns, so p50/p99 below ~%.0f ns are "
        "quantised\n"
        "    (the medians come from batch timings and are not affected)\n",
        env.clock_resolution_ns, 5 * env.clock_resolution_ns);
  }
  std::printf("  transparent huge pages: enabled=%s defrag=%s\n", env.thp_enabled.c_str(),
              env.thp_defrag.c_str());
  std::printf(
      "  region: 2 MiB; lgalloc: enabled, local_buffer_bytes 32 MiB, eager_return off;\n"
      "    lgalloc+bg adds a background worker every %.0f ms clearing %llu MiB\n",
      static_cast<double>(bench_background_config().interval_ns) / 1e6,
      static_cast<unsigned long long>(bench_background_config().clear_bytes >> 20));
  std::printf(
      "  plan: warm-up %.0f ms, then %d throughput + %d latency batches of ~%.0f ms per row\n",
      env.plan.warmup_ns / 1e6, env.plan.batches, env.plan.batches, env.plan.batch_target_ns / 1e6);
  if (!env.filter.empty()) std::printf("  filter: %s\n", env.filter.c_str());
  std::printf("\n");
  std::printf(
      "  median/op: median over batches of each thread's time per op (handoff: wall time per "
      "region)\n");
  std::printf(
      "  best/op: the fastest batch, same measure: the figure least disturbed by other load\n");
  std::printf("  aggregate: median over batches of wall time / ops of all threads\n");
  std::printf(
      "  p50, p99: per-op latency, every op of the latency batches (handoff: the allocate call)\n");
  std::printf(
      "  vs lgalloc: median/op relative to the lgalloc row of the same workload and threads\n");
  std::printf(
      "  ring-only: the handoff with no allocator behind it: the cost of the ring and threads\n");
  std::printf(
      "  on-cpu: median share of the batches' time the threads were running (low: preempted by "
      "other load)\n\n");
}

void print_table_header() {
  std::printf("%-10s %-10s %3s %9s %9s %9s %9s %9s %10s %6s %9s  %s\n", "workload", "allocator",
              "thr", "median/op", "best/op", "aggregate", "p50", "p99", "vs lgalloc", "on-cpu",
              "ops/batch", "note");
  std::printf("%s\n", std::string(120, '-').c_str());
  std::fflush(stdout);
}

void print_table_row(const RowResult& row, const RowResult* reference) {
  std::string ratio = reference ? format_ratio(row.per_thread_ns / reference->per_thread_ns) : "-";
  std::string note;
  if (row.truncated) note = "time cap: " + std::to_string(row.batches) + " batches";
  if (row.spec.allocator == AllocatorKind::kLgallocBackground && !row.lgalloc.background_started) {
    note += note.empty() ? "" : "; ";
    note += "worker not started";
  }
  char on_cpu[16];
  std::snprintf(on_cpu, sizeof on_cpu, "%.0f%%", 100 * row.on_cpu);
  std::printf("%-10s %-10s %3d %9s %9s %9s %9s %9s %10s %6s %9llu  %s\n",
              workload_name(row.spec.workload), allocator_name(row.spec.allocator),
              row.spec.threads, format_duration(row.per_thread_ns).c_str(),
              format_duration(row.best_ns).c_str(), format_duration(row.aggregate_ns).c_str(),
              format_duration(row.p50_ns).c_str(), format_duration(row.p99_ns).c_str(),
              ratio.c_str(), on_cpu, static_cast<unsigned long long>(row.ops_per_batch),
              note.c_str());
  std::fflush(stdout);
}

const RowResult* find_reference(const std::vector<RowResult>& rows, const RowResult& row) {
  return find_row(rows, row.spec.workload, row.spec.threads, AllocatorKind::kLgalloc);
}

void print_lgalloc_counters(const std::vector<RowResult>& rows) {
  bool any = false;
  for (const RowResult& row : rows) any |= row.lgalloc.present;
  if (!any) return;
  std::printf(
      "\nlgalloc counters, 2 MiB class, whole row including warm-up (thread caches are flushed at "
      "thread exit):\n");
  std::printf("%-26s %11s %9s %7s %6s %10s %6s %6s %6s %6s %6s\n", "row", "allocations",
              "slow_path", "refill", "areas", "mapped", "free", "clean", "dirty", "thread",
              "passes");
  for (const RowResult& row : rows) {
    if (!row.lgalloc.present) continue;
    const lgalloc::SizeClassStats& c = row.lgalloc.size_class;
    char mapped[32];
    std::snprintf(mapped, sizeof mapped, "%.0f MiB",
                  static_cast<double>(row.lgalloc.mapped_bytes) / (1 << 20));
    std::printf("%-26s %11llu %9llu %7llu %6llu %10s %6llu %6llu %6llu %6llu %6llu\n",
                row.spec.key().c_str(), static_cast<unsigned long long>(c.allocations),
                static_cast<unsigned long long>(c.slow_path),
                static_cast<unsigned long long>(c.refill), static_cast<unsigned long long>(c.areas),
                mapped, static_cast<unsigned long long>(c.free_regions),
                static_cast<unsigned long long>(c.clean_regions),
                static_cast<unsigned long long>(c.global_regions),
                static_cast<unsigned long long>(c.thread_regions),
                static_cast<unsigned long long>(row.lgalloc.background_passes));
  }
}

void print_thp(const Environment& env, const std::vector<RowResult>& rows) {
  std::printf("\ntransparent huge pages: enabled=%s defrag=%s (%s)\n", env.thp_enabled.c_str(),
              env.thp_defrag.c_str(),
              env.thp_enabled == "always" ? "THP active for every anonymous mapping"
              : env.thp_enabled == "madvise"
                  ? "THP active only where MADV_HUGEPAGE was given: lgalloc yes, malloc/mmap no"
                  : "THP inactive");
  bool any = false;
  for (const RowResult& row : rows) any |= row.thp.present;
  if (!any) return;
  std::printf(
      "AnonHugePages after each touch row (probe: one region allocated and touched on the row's "
      "thread 0):\n");
  std::printf("  %-22s %14s %14s %16s %14s\n", "row", "before row", "with probe", "probe's mapping",
              "2 MiB aligned");
  for (const RowResult& row : rows) {
    if (!row.thp.present) continue;
    std::printf("  %-22s %11lld kB %11lld kB %13lld kB %14s\n", row.spec.key().c_str(),
                static_cast<long long>(row.thp.process_kib_before),
                static_cast<long long>(row.thp.process_kib),
                static_cast<long long>(row.thp.mapping_kib), row.thp.region_aligned ? "yes" : "no");
  }
}

void print_summary(const Environment& env, const std::vector<RowResult>& rows) {
  // Only figures measured in this run: lgalloc's median beside malloc's and mmap's on the
  // same workload and threads. (This once compared with constants recorded from Rust
  // lgalloc 0.7 without saying when or where; a comparison must come from the same run.)
  static const struct {
    const char* what;
    Workload workload;
    int threads;
    bool aggregate;
  } summaries[] = {
      {"allocate+free, 1 thread", Workload::kAllocFree, 1, false},
      {"allocate+free, 2 threads (aggregate)", Workload::kAllocFree, 2, true},
      {"allocate+touch+free, 1 thread", Workload::kTouch, 1, false},
      {"allocate+touch+free, 2 threads (aggregate)", Workload::kTouch, 2, true},
      {"cross-thread handoff", Workload::kHandoff, 2, false},
  };
  std::printf("\nsummary of this run (median per op; malloc and mmap as multiples of lgalloc):\n");
  std::printf("  %-44s %10s %10s %8s %10s %8s\n", "", "lgalloc", "malloc", "", "mmap", "");
  for (const auto& entry : summaries) {
    const RowResult* lg = find_row(rows, entry.workload, entry.threads, AllocatorKind::kLgalloc);
    if (lg == nullptr) {
      std::printf("  %-44s %10s\n", entry.what, "(not run)");
      continue;
    }
    auto figure = [&](const RowResult* row) {
      return entry.aggregate ? row->aggregate_ns : row->per_thread_ns;
    };
    bool disturbed = lg->on_cpu < kQuietOnCpu;
    std::string cells[2][2];
    const AllocatorKind others[2] = {AllocatorKind::kMalloc, AllocatorKind::kMmap};
    for (int i = 0; i < 2; ++i) {
      const RowResult* row = find_row(rows, entry.workload, entry.threads, others[i]);
      cells[i][0] = row ? format_duration(figure(row)) : "-";
      cells[i][1] = row ? format_ratio(figure(row) / figure(lg)) : "";
      disturbed |= row != nullptr && row->on_cpu < kQuietOnCpu;
    }
    std::printf("  %-44s %10s %10s %8s %10s %8s%s\n", entry.what,
                format_duration(figure(lg)).c_str(), cells[0][0].c_str(), cells[0][1].c_str(),
                cells[1][0].c_str(), cells[1][1].c_str(),
                disturbed ? "  (rows disturbed by other load)" : "");
  }

  std::vector<std::string> notes;
  auto note = [&](std::string text) { notes.push_back(std::move(text)); };
  for (const RowResult& row : rows) {
    const RowResult* lg = find_reference(rows, row);
    // Compare medians when both rows ran undisturbed; otherwise the best batches, which
    // other load inflates least.
    const bool quiet = lg != nullptr && lg->on_cpu >= kQuietOnCpu && row.on_cpu >= kQuietOnCpu;
    const double mine = quiet ? row.per_thread_ns : row.best_ns;
    const double theirs = lg == nullptr ? 0 : quiet ? lg->per_thread_ns : lg->best_ns;
    const std::string measure = quiet ? "median " : "best batch ";
    const bool real_allocator = row.spec.allocator != AllocatorKind::kNone;
    if (lg != nullptr && !is_lgalloc(row.spec.allocator) && real_allocator) {
      // Within 3% is run-to-run noise on this machine, not a finding.
      if (mine * 1.03 < theirs) {
        note("lgalloc is slower than " + std::string(allocator_name(row.spec.allocator)) + " on " +
             group_name(row.spec) + ": " + measure + format_duration(theirs) + " vs " +
             format_duration(mine) + " (" + format_ratio(theirs / mine) + " as long)");
      }
      // Differences of a few clock steps are quantisation, not behaviour.
      if (row.p99_ns * 1.2 < lg->p99_ns && lg->p99_ns - row.p99_ns > 3 * env.clock_resolution_ns) {
        note("lgalloc's p99 is worse than " + std::string(allocator_name(row.spec.allocator)) +
             "'s on " + group_name(row.spec) + ": " + format_duration(lg->p99_ns) + " vs " +
             format_duration(row.p99_ns) + (quiet ? "" : " (rows disturbed by other load)"));
      }
    }
    // A pass every 100 ms touches no thread cache, so only a large gap is worth a note;
    // smaller ones are within this machine's run-to-run noise.
    if (lg != nullptr && row.spec.allocator == AllocatorKind::kLgallocBackground &&
        mine > 1.5 * theirs) {
      note("the background worker slows " + group_name(row.spec) + " down: " + measure +
           format_duration(mine) + " vs " + format_duration(theirs) + " without it");
    }
    if (row.lgalloc.present) {
      const lgalloc::SizeClassStats& c = row.lgalloc.size_class;
      bool local = row.spec.workload != Workload::kHandoff;
      if (local && c.allocations > 0 && c.slow_path * 100 > c.allocations) {
        note(row.spec.key() + ": " + std::to_string(c.slow_path) + " of " +
             std::to_string(c.allocations) +
             " allocations took the slow path although every region is freed on the allocating "
             "thread");
      }
      if (c.madvise_failures > 0) {
        note(row.spec.key() + ": " + std::to_string(c.madvise_failures) + " madvise failures");
      }
      if (row.lgalloc.hugepage_advice_failed && env.thp_enabled != "never") {
        note(row.spec.key() + ": MADV_HUGEPAGE was refused although THP is '" + env.thp_enabled +
             "'");
      }
    }
    if (row.thp.present && is_lgalloc(row.spec.allocator) && env.thp_enabled != "never") {
      if (row.thp.mapping_kib == 0) {
        note(row.spec.key() +
             ": a touched lgalloc region's mapping has no huge pages (AnonHugePages 0)");
      }
      if (!row.thp.region_aligned) {
        note(row.spec.key() +
             ": lgalloc regions are not 2 MiB aligned, so a huge page cannot back a whole region");
      }
    }
  }
  // Scaling from 1 to 2 threads: independent threads on separate CPUs should each keep
  // their single-thread cost.
  for (Workload workload : {Workload::kAllocFree, Workload::kTouch}) {
    const RowResult* one = find_row(rows, workload, 1, AllocatorKind::kLgalloc);
    const RowResult* two = find_row(rows, workload, 2, AllocatorKind::kLgalloc);
    if (one == nullptr || two == nullptr) continue;
    const bool quiet = one->on_cpu >= kQuietOnCpu && two->on_cpu >= kQuietOnCpu;
    const double single = quiet ? one->per_thread_ns : one->best_ns;
    const double dual = quiet ? two->per_thread_ns : two->best_ns;
    if (dual > 1.5 * single) {
      note(std::string("lgalloc ") + workload_name(workload) + ": per-thread cost (" +
           (quiet ? "median" : "best batch") + ") rises from " + format_duration(single) +
           " on 1 thread to " + format_duration(dual) + " on 2 (" + std::to_string(env.cpus) +
           " CPUs)");
    }
  }

  // glibc raises its mmap threshold to the size of the first mmapped chunk it frees, so
  // from then on 2 MiB requests come from an arena and reuse resident pages: malloc here
  // is not an mmap per allocation (the mmap row measures that).
  const RowResult* malloc_touch = find_row(rows, Workload::kTouch, 1, AllocatorKind::kMalloc);
  const RowResult* mmap_touch = find_row(rows, Workload::kTouch, 1, AllocatorKind::kMmap);
  if (malloc_touch != nullptr && mmap_touch != nullptr &&
      malloc_touch->per_thread_ns * 10 < mmap_touch->per_thread_ns) {
    note("malloc+touch takes " + format_duration(malloc_touch->per_thread_ns) + ", mmap+touch " +
         format_duration(mmap_touch->per_thread_ns) +
         ": glibc's dynamic mmap threshold serves 2 MiB from its arena after the first free, so "
         "malloc's pages stay resident");
  }

  std::string disturbed;
  for (const RowResult& row : rows) {
    if (row.on_cpu < kQuietOnCpu) disturbed += (disturbed.empty() ? "" : ", ") + row.spec.key();
  }
  if (!disturbed.empty()) {
    note(
        "rows whose threads were preempted for over 10% of the time (other load on the machine; "
        "their median and p99 are inflated, best/op is more telling): " +
        disturbed);
  }

  std::printf("\nobservations:\n");
  if (notes.empty())
    std::printf(
        "  none: lgalloc is fastest in every workload measured and its counters look sane\n");
  for (const std::string& text : notes) std::printf("  - %s\n", text.c_str());
  std::printf("\ntotal run time: %.1f s\n", env.total_seconds);
}

bool write_json(const std::string& path, const Environment& env,
                const std::vector<RowResult>& rows) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  std::fprintf(file, "{\n  \"environment\": {\n");
  std::fprintf(file, "    \"mode\": \"%s\",\n", env.quick ? "quick" : "full");
  std::fprintf(file, "    \"cpus\": %u,\n", env.cpus);
  std::fprintf(file, "    \"libc\": \"%s\",\n", json_escape(env.libc).c_str());
  std::fprintf(file, "    \"clock\": \"%s\",\n", json_escape(env.clock_source).c_str());
  std::fprintf(file, "    \"clock_overhead_ns\": %s,\n",
               json_number(env.clock_overhead_ns).c_str());
  std::fprintf(file, "    \"thp_enabled\": \"%s\",\n", json_escape(env.thp_enabled).c_str());
  std::fprintf(file, "    \"thp_defrag\": \"%s\",\n", json_escape(env.thp_defrag).c_str());
  std::fprintf(file, "    \"filter\": \"%s\",\n", json_escape(env.filter).c_str());
  std::fprintf(file, "    \"batch_target_ns\": %s,\n",
               json_number(env.plan.batch_target_ns).c_str());
  std::fprintf(file, "    \"batches\": %d,\n", env.plan.batches);
  std::fprintf(file, "    \"total_seconds\": %s\n  },\n  \"rows\": [",
               json_number(env.total_seconds).c_str());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RowResult& row = rows[i];
    const RowResult* reference = find_reference(rows, row);
    std::fprintf(
        file,
        "%s\n    {\"key\": \"%s\", \"workload\": \"%s\", \"allocator\": \"%s\", \"threads\": %d,\n",
        i == 0 ? "" : ",", json_escape(row.spec.key()).c_str(), workload_name(row.spec.workload),
        allocator_name(row.spec.allocator), row.spec.threads);
    std::fprintf(
        file,
        "     \"median_ns_per_op\": %s, \"best_ns_per_op\": %s, \"aggregate_ns_per_op\": %s, "
        "\"on_cpu\": %s, \"p50_ns\": %s, \"p99_ns\": %s,\n",
        json_number(row.per_thread_ns).c_str(), json_number(row.best_ns).c_str(),
        json_number(row.aggregate_ns).c_str(), json_number(row.on_cpu).c_str(),
        json_number(row.p50_ns).c_str(), json_number(row.p99_ns).c_str());
    std::fprintf(
        file,
        "     \"ratio_vs_lgalloc\": %s, \"latency_samples\": %llu, \"ops_per_batch\": %llu, "
        "\"batches\": %zu, \"truncated\": %s, \"seconds\": %s",
        reference ? json_number(row.per_thread_ns / reference->per_thread_ns).c_str() : "null",
        static_cast<unsigned long long>(row.latency_samples),
        static_cast<unsigned long long>(row.ops_per_batch), row.batches,
        row.truncated ? "true" : "false", json_number(row.seconds).c_str());
    if (row.lgalloc.present) {
      const lgalloc::SizeClassStats& c = row.lgalloc.size_class;
      std::fprintf(
          file,
          ",\n     \"lgalloc\": {\"allocations\": %llu, \"slow_path\": %llu, \"refill\": %llu, "
          "\"deallocations\": %llu, \"areas\": %llu, \"mapped_bytes\": %llu, \"free_regions\": "
          "%llu, "
          "\"clean_regions\": %llu, \"global_regions\": %llu, \"thread_regions\": %llu, "
          "\"background_passes\": %llu, \"madvise_failures\": %llu}",
          static_cast<unsigned long long>(c.allocations),
          static_cast<unsigned long long>(c.slow_path), static_cast<unsigned long long>(c.refill),
          static_cast<unsigned long long>(c.deallocations),
          static_cast<unsigned long long>(c.areas),
          static_cast<unsigned long long>(row.lgalloc.mapped_bytes),
          static_cast<unsigned long long>(c.free_regions),
          static_cast<unsigned long long>(c.clean_regions),
          static_cast<unsigned long long>(c.global_regions),
          static_cast<unsigned long long>(c.thread_regions),
          static_cast<unsigned long long>(row.lgalloc.background_passes),
          static_cast<unsigned long long>(c.madvise_failures));
    }
    if (row.thp.present) {
      std::fprintf(file,
                   ",\n     \"thp\": {\"anon_huge_kib_before\": %lld, \"anon_huge_kib\": %lld, "
                   "\"mapping_anon_huge_kib\": %lld, \"region_2mib_aligned\": %s}",
                   static_cast<long long>(row.thp.process_kib_before),
                   static_cast<long long>(row.thp.process_kib),
                   static_cast<long long>(row.thp.mapping_kib),
                   row.thp.region_aligned ? "true" : "false");
    }
    std::fprintf(file, "}");
  }
  std::fprintf(file, "\n  ]\n}\n");
  return std::fclose(file) == 0;
}

}  // namespace lgbench
