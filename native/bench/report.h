// Everything the benchmark prints or writes: the environment header, the results table
// (streamed row by row as rows finish), lgalloc's internal counters, the huge page
// findings, the comparison with the reference figures of the Rust crate, and the JSON
// file. Pure formatting: it measures nothing.
#pragma once

#include <string>
#include <vector>

#include "harness.h"
#include "workloads.h"

namespace lgbench {

struct Environment {
  std::string clock_source;
  double ticks_per_ns = 1;
  double clock_overhead_ns = 0;
  double clock_resolution_ns = 0;  // 0: unknown
  std::string thp_enabled;
  std::string thp_defrag;
  unsigned cpus = 1;
  std::string libc;
  bool quick = false;
  std::string filter;
  BatchPlan plan;
  double total_seconds = 0;  // filled in at the end
};

void print_environment(const Environment& env);

/// Prints the header line of the table, then one line per `print_row`.
void print_table_header();
/// `reference` is the lgalloc row of the same workload and thread count, if it ran.
void print_table_row(const RowResult& row, const RowResult* reference);

/// The lgalloc row of the same workload and thread count as `row`, or null.
const RowResult* find_reference(const std::vector<RowResult>& rows, const RowResult& row);

void print_lgalloc_counters(const std::vector<RowResult>& rows);
void print_thp(const Environment& env, const std::vector<RowResult>& rows);
/// Reference comparison plus automatic observations (where lgalloc loses, poor scaling,
/// suspicious counters).
void print_summary(const Environment& env, const std::vector<RowResult>& rows);

/// False (with errno meaningful) if the file could not be written.
bool write_json(const std::string& path, const Environment& env,
                const std::vector<RowResult>& rows);

}  // namespace lgbench
