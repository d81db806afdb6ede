#pragma once
// The fleet part of a serving run's outputs (docs/fleet.md): summary.json's
// `fleet` object, a terminal line and report.html's day on one time axis.
#include <nlohmann/json.hpp>
#include <string>

#include "models/scenario.hpp"
#include "models/serving/serving_sim.hpp"

namespace v3sim::report {

nlohmann::json fleet_summary_json(const models::ServingSpec& s, const models::ServingResult& r);
std::string fleet_terminal_line(const models::ServingResult& r);
std::string fleet_html(const models::ServingSpec& s, const models::ServingResult& r);

}  // namespace v3sim::report
