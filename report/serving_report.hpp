#pragma once
// Outputs of a request-level serving run: summary JSON (the `serving` object
// of docs/outputs.md), the terminal summary, a Chrome trace of the first
// unit of each pool's steps, and the HTML report with its plots over time.
#include <nlohmann/json.hpp>
#include <string>

#include "models/scenario.hpp"
#include "models/serving/serving_sim.hpp"

namespace v3sim::report {

nlohmann::json serving_summary_json(const models::Scenario& scenario, const models::ServingResult& result,
                                    bool host_timing);
std::string serving_terminal_summary(const models::Scenario& scenario, const models::ServingResult& result);
std::string serving_chrome_trace(const models::ServingResult& result);
std::string serving_html_report(const models::Scenario& scenario, const models::ServingResult& result);

}  // namespace v3sim::report
