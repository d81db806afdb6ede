#pragma once
// Outputs of an ep_alltoall run: summary JSON and the terminal table.
#include <nlohmann/json.hpp>
#include <string>

#include "models/moe/ep_alltoall.hpp"
#include "models/scenario.hpp"

namespace v3sim::report {

nlohmann::json ep_summary_json(const models::Scenario& scenario, const models::EpResult& result, bool host_timing);
std::string ep_terminal_summary(const models::Scenario& scenario, const models::EpResult& result);
// Chrome trace: a process per GPU; its outgoing NVLink and fabric flows as
// async slices on two threads; dispatch, then combine, back to back.
std::string ep_chrome_trace(const models::EpResult& result);
std::string ep_html_report(const models::Scenario& scenario, const models::EpResult& result);

}  // namespace v3sim::report
