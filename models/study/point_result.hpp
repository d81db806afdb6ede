#pragma once
// What one point of a study produced: its tabulated summary fields, or the
// error that stopped it. Plain data, written by report/study_results.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace v3sim::models {

struct PointResult {
  std::size_t index = 0;
  std::vector<nlohmann::json> values;  // the axis values
  bool ok = false;
  std::string error;                   // when !ok
  std::vector<nlohmann::json> fields;  // one per study field (null when absent)

  nlohmann::json to_json() const {
    return {{"index", index}, {"values", values}, {"status", ok ? "ok" : "failed"}, {"error", error}, {"fields", fields}};
  }
  // Throws nlohmann::json::exception on a malformed record.
  static PointResult from_json(const nlohmann::json& j) {
    PointResult r;
    r.index = j.at("index").get<std::size_t>();
    r.values = j.at("values").get<std::vector<nlohmann::json>>();
    r.ok = j.at("status").get<std::string>() == "ok";
    r.error = j.at("error").get<std::string>();
    r.fields = j.at("fields").get<std::vector<nlohmann::json>>();
    return r;
  }
};

}  // namespace v3sim::models
