#pragma once
// A scenario: what to simulate. Parsed strictly from JSON (docs/scenarios.md).
// For now the abstract mode: a schedule and op times, no hardware.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/cluster_config.hpp"
#include "models/inference/inference_spec.hpp"
#include "models/serving/serving_spec.hpp"
#include "models/moe/ep_alltoall.hpp"
#include "models/schedule/schedule.hpp"
#include "models/training/training_spec.hpp"
#include "models/transformer/model_source.hpp"

namespace v3sim::models {

// Abstract-mode op times, in milliseconds, for one pipeline stage.
struct OpCostsMs {
  double F = 0;
  double B = 0;                 // full backward: input plus weight gradients
  std::optional<double> W;      // weight-gradient part of B (I = B - W)
  std::optional<double> FB;     // an overlapped forward/backward pair; F + B when absent
  double p2p_latency = 0;       // per point-to-point transfer between ranks
};

struct Scenario {
  std::string name;
  std::string description;
  bool has_pipeline = true;  // schedule and op_costs given (abstract mode)
  ScheduleSpec schedule;
  OpCostsMs op_costs;
  std::optional<ClusterConfig> cluster;
  std::optional<EpAllToAllSpec> ep_alltoall;  // workload "ep_alltoall" (needs cluster)
  std::optional<TrainingSpec> training;       // a "model" on a cluster: one training step
  std::optional<InferenceSpec> inference;     // workload "inference" (needs cluster): one prefill or decode step
  std::optional<ServingSpec> serving;         // workload "serving" (needs cluster): requests through prefill and decode pools
};

// Throws sim::InputError naming the JSON pointer of the first bad value.
// `model_files` reads a "model" that names a HuggingFace config file
// (models/transformer/model_source.hpp); without it such a model is an error.
Scenario parse_scenario(const nlohmann::json& doc, const ModelFileReader& model_files = {});

// Whether a schedule kind needs the weight-gradient time W.
bool schedule_needs_w(ScheduleKind kind);

}  // namespace v3sim::models
