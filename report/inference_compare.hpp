#pragma once
// One page comparing serving variants (deployments, overlap on/off, EPLB
// on/off): a table of step time, throughput, latency, memory and expert load,
// and each variant's stage times as bars.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/inference/inference_step.hpp"

namespace v3sim::report {

struct InferenceCompareRow {
  std::string label;
  std::string error;  // the variant could not run
  models::InferenceResult result;
};

nlohmann::json inference_compare_json(const std::vector<InferenceCompareRow>& rows);
std::string inference_compare_table(const std::vector<InferenceCompareRow>& rows);
std::string inference_compare_html(const std::string& title, const std::vector<InferenceCompareRow>& rows);

}  // namespace v3sim::report
