#pragma once
// summary.json: the run's numbers, machine-readable. Every field is
// documented in docs/outputs.md.
#include <nlohmann/json.hpp>

#include "models/pipeline/pipeline_result.hpp"
#include "models/scenario.hpp"

namespace v3sim::report {

struct SummaryOptions {
  bool host_timing = true;  // false: wall_time_s is written as 0, for byte-identical reruns
};

nlohmann::json summary_json(const models::Scenario& scenario, const models::PipelineResult& result,
                            const SummaryOptions& options);

}  // namespace v3sim::report
