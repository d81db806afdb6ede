#pragma once
// What one point of a study produced: its tabulated summary fields, or the
// error that stopped it. Plain data, written by report/study_results.
#include <nlohmann/json.hpp>
#include <stdexcept>
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
  // Throws std::invalid_argument naming what is wrong with a record that is
  // not exactly one this class writes.
  static PointResult from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("not a JSON object");
    for (const auto& [key, value] : j.items())
      if (key != "index" && key != "values" && key != "status" && key != "error" && key != "fields")
        throw std::invalid_argument("unknown key '" + key + "'");
    for (const char* key : {"index", "values", "status", "error", "fields"})
      if (!j.contains(key)) throw std::invalid_argument(std::string("no '") + key + "'");
    if (!j["index"].is_number_unsigned()) throw std::invalid_argument("'index' is not a point number (an integer >= 0)");
    if (!j["values"].is_array() || !j["fields"].is_array() || !j["error"].is_string())
      throw std::invalid_argument("'values' and 'fields' must be arrays, 'error' a string");
    if (j["status"] != "ok" && j["status"] != "failed") throw std::invalid_argument("'status' is not 'ok' or 'failed'");
    PointResult r;
    r.index = j["index"].get<std::size_t>();
    r.values = j["values"].get<std::vector<nlohmann::json>>();
    r.ok = j["status"] == "ok";
    r.error = j["error"].get<std::string>();
    r.fields = j["fields"].get<std::vector<nlohmann::json>>();
    return r;
  }
};

}  // namespace v3sim::models
