#pragma once
// Published kernel timings used to fit the GEMM model, read from JSON
// (calibration/reference/*.json) with their source and device recorded.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calibration/cost_model.hpp"
#include "calibration/gemm_fit.hpp"

namespace v3sim::calibration {

struct ReferenceSource {
  std::string title;
  std::string repository;
  std::string commit;
  std::string date;
  std::string note;
};

struct ReferenceCase {
  std::string kind;  // "normal", "grouped_contiguous" or "grouped_masked"
  GemmSample sample;  // seconds = 2 m n k groups / (tflops 1e12)
  double tflops = 0;  // as published
  std::string note;   // what the shape is in the model
};

struct ReferenceTable {
  ReferenceSource source;
  std::string device_name;
  DeviceRates device;
  std::vector<ReferenceCase> cases;

  std::vector<GemmSample> samples() const;
};

// Strict: an unknown key, a wrong type or an out-of-range value throws
// sim::InputError with the JSON pointer (under `pointer`) of the bad field.
ReferenceTable read_reference_table(const nlohmann::json& doc, const std::string& pointer = "");

// The compiled-in DeepGEMM H800 table (calibration/reference/deepgemm_h800.json).
const ReferenceTable& deepgemm_h800_reference();

}  // namespace v3sim::calibration
