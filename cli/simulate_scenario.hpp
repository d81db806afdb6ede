#pragma once
// One scenario simulated and its outputs rendered in memory: what `run`
// writes and prints, and what `sweep` tabulates.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario.hpp"

namespace v3sim::cli {

struct ScenarioOutputs {
  nlohmann::json summary;
  std::string terminal;               // the human summary
  std::vector<std::string> warnings;  // also in the summary
  std::vector<std::pair<std::string, std::string>> files;  // summary.json, trace.json, report.html (when asked)
};

// Throws InputFailure (prefixed with `label`) for input only the simulation
// can reject (sizes past the limits, times past the clock), SimulationFailure
// for a deadlock.
// `text`, the scenario file's, names the line of an input error.
ScenarioOutputs simulate_scenario(const models::Scenario& scenario, const std::string& label, bool host_timing,
                                  bool render_files, const std::string& text = {});

}  // namespace v3sim::cli
