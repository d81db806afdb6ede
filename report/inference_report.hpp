#pragma once
// Outputs of an inference-step run: summary JSON (fields in docs/outputs.md),
// the terminal summary, the Chrome trace of each recorded GPU's compute
// stream and exchanges, and the HTML report with the two micro-batches'
// timelines in the style of DeepSeek's overlap figures.
#include <nlohmann/json.hpp>
#include <string>

#include "models/inference/inference_step.hpp"
#include "models/scenario.hpp"

namespace v3sim::report {

nlohmann::json inference_summary_json(const models::Scenario& scenario, const models::InferenceResult& result,
                                      bool host_timing);
std::string inference_terminal_summary(const models::Scenario& scenario, const models::InferenceResult& result);
std::string inference_chrome_trace(const models::InferenceResult& result);
std::string inference_html_report(const models::Scenario& scenario, const models::InferenceResult& result);

}  // namespace v3sim::report
