#pragma once
// A request-level serving workload (docs/serving.md): a request source, a
// prefill pool and a decode pool of deployment units, a tiered prefix cache,
// SLOs, and where step prices come from. Parsed strictly; errors name the
// JSON pointer of the value at fault.
#include <optional>
#include <string>
#include <vector>

#include "models/cluster_config.hpp"
#include "models/inference/inference_spec.hpp"
#include "models/serving/fleet_spec.hpp"
#include "models/serving/request_source.hpp"
#include "models/transformer/model_source.hpp"

namespace v3sim::models {

struct PoolSpec {
  int units = 1;
  InferenceSpec unit;       // one unit's deployment (its batch fields are set per step)
  ClusterConfig cluster;    // the nodes of one unit
  // Prefill: tokens a GPU takes per step (long prompts are chunked to fit).
  int tokens_per_gpu = 16384;
  // Decode: requests a GPU runs at once, and the KV tokens its HBM holds
  // beside its weights and buffers (from the memory model).
  int max_requests_per_gpu = 0;
  double kv_capacity_tokens = 0;
};

struct CacheTier {
  std::string name;
  double capacity_bytes = 0;     // 0: unlimited
  double read_bytes_per_s = 0;   // per request loading from it
  double total_read_bytes_per_s = 0;  // all requests together (a shared store's aggregate); 0: unlimited
};

struct StepPriceSpec {
  bool fixed = false;   // every step a fixed time (abstract mode)
  double prefill_s = 0, decode_s = 0;
  int check_points = 8; // random points the surface is checked at against the step model
  std::uint64_t check_seed = 1;
  // The step model run on the unit reduced to its per-layer envelope (one
  // GPU as slow as the slowest in every stage), checked against the whole
  // unit at `envelope_check_points` random states; or on every GPU.
  bool envelope = true;
  int envelope_check_points = 2;
};

struct ServingSpec {
  SourceSpec source;
  ModelConfig model;
  PoolSpec prefill, decode;
  std::vector<CacheTier> cache;  // fastest first; none: no prefix cache
  double kv_bytes_per_token = 0; // the MLA latent cache of every layer (and the MTP module's)
  double kv_transfer_bytes_per_s = 0;  // a prefill GPU's NIC to a decode GPU's
  std::optional<double> slo_ttft_s, slo_tpot_s;
  StepPriceSpec prices;
  std::uint64_t seed = 1;        // MTP acceptance draws
  // The pools over time and the money (fleet_spec.hpp); without a `fleet`
  // object every unit serves throughout and nothing is priced.
  FleetSpec fleet;
  bool has_fleet = false;
  // trace.json: the steps of this unit of each pool within this window.
  int trace_unit = 0;
  double trace_from_s = 0, trace_to_s = 1e18;
};

// The workload object at `pointer` ({"kind": "serving", ...}) on `cluster`.
ServingSpec parse_serving(const nlohmann::json& workload, const std::string& pointer, const ClusterConfig& cluster,
                          const ModelFileReader& model_files = {});

}  // namespace v3sim::models
