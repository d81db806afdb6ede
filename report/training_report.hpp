#pragma once
// Outputs of a training-step run: summary JSON (fields in docs/outputs.md),
// the terminal table, the Chrome trace of the layers' components on each
// GPU's compute and communication streams, and the HTML report.
#include <nlohmann/json.hpp>
#include <string>

#include "models/scenario.hpp"
#include "models/training/training_step.hpp"

namespace v3sim::report {

nlohmann::json training_summary_json(const models::Scenario& scenario, const models::TrainingResult& result,
                                     bool host_timing);
std::string training_terminal_summary(const models::Scenario& scenario, const models::TrainingResult& result);
std::string training_chrome_trace(const models::TrainingResult& result);
std::string training_html_report(const models::Scenario& scenario, const models::TrainingResult& result);

}  // namespace v3sim::report
