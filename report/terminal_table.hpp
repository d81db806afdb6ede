#pragma once
// The short human summary printed after a run.
#include <string>

#include "models/pipeline/pipeline_result.hpp"
#include "models/scenario.hpp"

namespace v3sim::report {

std::string terminal_summary(const models::Scenario& scenario, const models::PipelineResult& result);

}  // namespace v3sim::report
