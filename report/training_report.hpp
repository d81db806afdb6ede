#pragma once
// Outputs of a training-step run: summary JSON (fields in docs/outputs.md),
// the terminal table and the HTML report (the trace: report/training_trace.hpp).
#include <nlohmann/json.hpp>
#include <string>

#include "models/scenario.hpp"
#include "models/training/training_step.hpp"
#include "report/training_trace.hpp"

namespace v3sim::report {

nlohmann::json training_summary_json(const models::Scenario& scenario, const models::TrainingResult& result,
                                     bool host_timing);
std::string training_terminal_summary(const models::Scenario& scenario, const models::TrainingResult& result);
std::string training_html_report(const models::Scenario& scenario, const models::TrainingResult& result);

}  // namespace v3sim::report
