#pragma once
// A schedule's per-rank programs as JSON (`v3sim schedule --format json`).
#include <nlohmann/json.hpp>

#include "models/schedule/schedule.hpp"

namespace v3sim::report {

nlohmann::json schedule_json(const models::Schedule& schedule);

}  // namespace v3sim::report
