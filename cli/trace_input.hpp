#pragma once
// A profiler trace and the chunk-pair scenario it is held against, loaded
// for calibrate --trace and compare-trace: bad input becomes InputFailure.
#include <optional>
#include <string>
#include <vector>

#include "calibration/profiler_trace.hpp"
#include "calibration/trace_figures.hpp"
#include "models/scenario.hpp"
#include "report/trace_compare_report.hpp"

namespace v3sim::cli {

calibration::ProfilerTrace load_trace(const std::string& path);

// What compare-trace and calibrate --trace read: a Kineto trace (JSON or
// gzip), summarised here, or a figures file written from one
// (calibration/trace_figures.hpp), told apart by the figures' kind string.
// Only a trace carries the kernels for a measured timeline.
struct TraceInput {
  calibration::TraceFigures figures;
  std::optional<calibration::ProfilerTrace> trace;
  std::size_t kernels = 0;  // kernels the figures were summed from (0 for a figures file)
};
TraceInput load_trace_input(const std::string& path);

// A training scenario (for compare-trace, of schedule kind chunk_pair).
models::Scenario load_training_scenario(const std::string& path, const std::vector<std::string>& sets,
                                        bool need_chunk_pair);

// The scenario simulated and compared with the trace quantity by quantity
// (cmd_compare_trace.cpp).
report::TraceComparison compare_with_trace(const models::Scenario& s, const TraceInput& trace,
                                           const std::string& scenario_label);

}  // namespace v3sim::cli
