#pragma once
// The figures v3sim takes from a profiler trace (TraceSummary: span, stream
// busy, per-component and per-class kernel time, launches, the common launch
// time, one kernel name per class), written as a small JSON file with the
// trace's provenance. Calibration and compare-trace need only these, so a
// published trace is summarised once where it lives and the project keeps
// the numbers, not the file (calibration/reference/deepseek_v3_chunk_pair_trace.json).
#include <string>

#include <nlohmann/json.hpp>

#include "calibration/profiler_trace.hpp"

namespace v3sim::calibration {

struct TraceFigures {
  TraceSummary summary;
  std::string source;  // where the trace came from (repository, commit, checksum)
  std::string setting; // what ran (GPU, model, parallelism)
};

// The `kind` a figures file carries, which tells it from a Kineto trace.
inline constexpr const char* kTraceFiguresKind = "v3sim trace figures";

nlohmann::json trace_figures_to_json(const TraceFigures& f);

// Strict reading: unknown keys, wrong types and negative times are
// sim::InputError with their JSON pointer.
TraceFigures trace_figures_from_json(const nlohmann::json& j);

// The project's figures of DeepSeek's published EP64 chunk-pair trace (compiled in).
const TraceFigures& deepseek_v3_chunk_pair_figures();

}  // namespace v3sim::calibration
