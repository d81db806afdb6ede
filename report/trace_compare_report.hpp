#pragma once
// compare-trace's outputs: measured (a profiler trace of the real chunk
// pair) against simulated (a chunk_pair run), quantity by quantity, as a
// terminal table, compare.json and an HTML page with the two timelines one
// above the other on one time axis.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace v3sim::report {

struct ComparedQuantity {
  std::string group;  // "pair", "component", "kernel class"
  std::string name;
  double measured_ms = 0;
  double simulated_ms = 0;
  bool measured_present = true;   // the trace has it
  bool simulated_present = true;  // the simulation has it
  double relative_error() const { return measured_ms > 0 ? simulated_ms / measured_ms - 1 : 0; }
};

// A bar of a timeline: a kernel (measured) or a component (simulated).
struct TimelineBar {
  int row = 0;  // 0 compute stream, 1 second compute stream, 2 comm stream
  double start_ms = 0;
  double end_ms = 0;
  std::string component;  // "attention", "dispatch", "mlp", "combine" or ""
  std::string label;      // hover text
};

struct TraceComparison {
  std::string scenario;
  std::string trace;
  std::vector<ComparedQuantity> quantities;
  std::vector<TimelineBar> measured, simulated;
};

std::string trace_compare_table(const TraceComparison& c);
nlohmann::json trace_compare_json(const TraceComparison& c);
std::string trace_compare_html(const TraceComparison& c);

}  // namespace v3sim::report
