#pragma once
// An inference workload: a prefill or decode deployment of a model on a
// cluster (docs/inference-model.md, docs/scenarios.md). Parsed strictly;
// every cross-field check names the JSON pointer of the value at fault.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "calibration/profile.hpp"
#include "models/transformer/model_config.hpp"
#include "models/transformer/model_source.hpp"

namespace v3sim::models {

enum class InferencePhase { kPrefill, kDecode };
// none: one slot per expert; static: the slots and redundant count of an
// EPLB deployment, replicas chosen without load statistics (EPLB on a
// uniform load: the EPLB-off baseline); eplb: DeepSeek's policies on the
// observed load.
enum class Placement { kNone, kStatic, kEplb };
// The shared expert either runs on every GPU over its own tokens (DeepSeek's
// production deployments) or is one more routed expert every token picks,
// hosted in expert slots like the others (the V3 report's decode).
enum class SharedExpert { kLocal, kRouted };
enum class LoadKind { kUniform, kZipf, kFile };

struct Deployment {
  int attention_tp = 1;  // TP with sequence parallelism inside each DP group; 1: pure DP
  int dense_mlp_tp = 1;  // the shallow dense layers' MLP
  int ep = 1;            // GPUs of one deployment unit; every GPU hosts experts
  int experts_per_gpu = 0;  // expert slots per GPU (routed, redundant, and the shared expert when routed)
  int redundant_experts = 0;
  Placement placement = Placement::kNone;
  SharedExpert shared = SharedExpert::kLocal;
  int comm_sms = 24;           // prefill's normal kernels; decode's low-latency kernels hold none
  bool two_micro_batch = true;
  bool low_latency_nvlink = false;  // decode: peers in the same NVLink domain over NVLink, not RDMA
  std::string flash_mla_class = "mla_decode";  // the FlashMLA release's kernel class ("flash_mla" key)
  // Decode: the first kernel of ATTN-1 (DeepEP's README invites moving the
  // split to balance the pipeline's stages).
  std::string decode_attn1_from = "flash_mla_decode";
};

struct ExpertLoadSpec {
  LoadKind kind = LoadKind::kUniform;
  double exponent = 1.0;          // zipf: share of the expert of popularity rank r ~ (r+1)^-exponent
  std::vector<std::vector<double>> file_counts;  // kFile: per MoE layer (or one row for all), per routed expert
  std::string file;               // kFile: where they came from
  bool noise = true;              // multinomial noise of a finite batch on every layer
  std::uint64_t seed = 1;         // the evaluated step's draw
  std::uint64_t plan_seed = 2;    // the draw EPLB plans on
  // Serving's re-planning over a day (docs/fleet.md) sets the load of a
  // moment: `shares` (per MoE layer, MTP module last; each row sums to 1)
  // replace `kind`'s, and EPLB plans on the expectation of `plan_shares` (a
  // window's average load: so many tokens that sampling noise is nil), or of
  // the step's own expected shares when `plan_on_expectation`.
  std::shared_ptr<const std::vector<std::vector<double>>> shares, plan_shares;
  bool plan_on_expectation = false;
};

struct InferenceSpec {
  InferencePhase phase = InferencePhase::kDecode;
  ModelConfig model;
  std::string calibration = "h800-published";
  calibration::Profile profile;
  Deployment deployment;
  // Prefill.
  int tokens_per_gpu = 0;
  int prompt_len = 0;
  // Prefill ranks whose batches differ: each GPU's (tokens, prompt length),
  // `tokens_per_gpu` then the busiest's (serving's check of its rank
  // pricing); empty: every GPU holds tokens_per_gpu of prompt_len.
  std::vector<std::pair<int, int>> prefill_ranks;
  // Decode: KV length per request, one value or drawn uniformly in [min, max].
  int requests_per_gpu = 0;
  int kv_len = 0;
  int kv_len_max = 0;  // > kv_len: uniform draw per request
  std::uint64_t kv_seed = 1;
  // Multi-token prediction: draft depth (0 or 1) and the draft's acceptance rate.
  int mtp_depth = 0;
  double acceptance = 0;
  ExpertLoadSpec load;
  // The unit's graph reduced to one GPU carrying, for every stage and
  // exchange of every layer, the slowest GPU's time (serving's step prices,
  // docs/serving.md "Step prices"): an upper bound of the lockstep unit,
  // exact when one GPU is the slowest everywhere. Costs are still per GPU.
  bool layer_envelope = false;

  // Logical experts placed in slots: the routed ones, plus the shared one when routed.
  int placed_experts() const { return model.routed_experts + (deployment.shared == SharedExpert::kRouted ? 1 : 0); }
  // Experts a token is sent to.
  int selections() const { return model.topk + (deployment.shared == SharedExpert::kRouted ? 1 : 0); }
};

// Reads the workload object at `pointer` ({"kind": "inference", ...});
// `gpus` is the cluster's size. A load file is read relative to the working
// directory, as profile files are.
InferenceSpec parse_inference(const nlohmann::json& workload, const std::string& pointer, int gpus,
                              const ModelFileReader& model_files = {});

}  // namespace v3sim::models
