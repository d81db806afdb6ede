#pragma once
// The JSON a probe of cuda_probes/ writes (format "v3sim-probes/1",
// docs/calibration.md), read strictly: a missing, mistyped or out-of-range
// field throws sim::InputError with its JSON pointer, so a truncated or
// hand-edited file is named precisely.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calibration/cost_model.hpp"

namespace v3sim::calibration {

struct ProbeDevice {
  std::string name;
  int sms = 0;
  std::string compute_capability;
  double memory_bytes = 0;
  int gpus = 1;
};

// Timing statistics over repeated runs, in seconds.
struct ProbeTiming {
  double median_s = 0;
  double min_s = 0;
  double max_s = 0;
  int runs = 0;
};

struct ProbeGemm {
  GemmShape shape;
  GemmPrecision precision = GemmPrecision::kFp8;
  int sms = 0;
  ProbeTiming timing;
};

// A dispatch or combine kernel on `sms` thread blocks, or an HBM copy.
struct ProbeTransfer {
  std::string kind;    // "dispatch", "combine" or "hbm_copy"
  std::string target;  // "local" or "peer" (dispatch, combine)
  int sms = 0;         // 0: cudaMemcpyAsync (hbm_copy)
  double bytes = 0;    // token copies moved (dispatch, combine: logical_bytes) or bytes copied (hbm_copy)
  ProbeTiming timing;
};

struct ProbeInterference {
  GemmShape shape;
  int gemm_sms = 0;
  int comm_sms = 0;
  double gemm_alone_s = 0;
  double gemm_overlapped_s = 0;
  double comm_alone_s = 0;
  double comm_overlapped_s = 0;
};

struct ProbeFile {
  std::string path;   // for messages and provenance
  std::string probe;  // "gemm", "alltoall", "hbm", "interference"
  std::string date;
  ProbeDevice device;
  std::vector<ProbeGemm> gemms;
  std::vector<ProbeTransfer> transfers;
  std::vector<ProbeInterference> interference;
  int skipped = 0;  // cases the probe could not run
};

ProbeFile read_probe_file(const nlohmann::json& doc, const std::string& path);

}  // namespace v3sim::calibration
