#pragma once
// Scenario in, results out: the entry point the CLI calls.
#include "models/pipeline/pipeline_result.hpp"
#include "models/scenario.hpp"

namespace v3sim::models {

PipelineResult simulate(const Scenario& scenario);

}  // namespace v3sim::models
