#pragma once
// One page comparing request-level serving runs (pool sizes, policies,
// SLOs, traffic): a table of latency percentiles, SLO attainment, goodput,
// throughput and prefix-cache hits, one row per scenario.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/serving/serving_sim.hpp"

namespace v3sim::report {

struct ServingCompareRow {
  std::string label;
  std::string error;  // the scenario could not run
  int prefill_units = 0, decode_units = 0;
  models::ServingResult result;
};

nlohmann::json serving_compare_json(const std::vector<ServingCompareRow>& rows);
std::string serving_compare_table(const std::vector<ServingCompareRow>& rows);
std::string serving_compare_html(const std::string& title, const std::vector<ServingCompareRow>& rows);

}  // namespace v3sim::report
