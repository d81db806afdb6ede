#pragma once
// What a step's batch makes of each GPU before its stages are costed: the
// share of every MoE layer's token copies each GPU's experts receive (the
// load drawn, then placed), and each exchange's per-GPU costs. These depend
// on a micro-batch's tokens per GPU and MTP, not on the prompt or KV length
// nor on how many micro-batches the step has, so serving's step prices, which
// run one unit at many lengths and both micro-batchings, share them through a
// StepLoadCache.
#include <map>
#include <utility>
#include <vector>

#include "models/cluster_config.hpp"
#include "models/inference/eplb.hpp"
#include "models/inference/inference_spec.hpp"
#include "models/inference/kernel_coster.hpp"
#include "models/inference/step_graph.hpp"

namespace v3sim::models {

struct StepLoad {
  std::vector<std::vector<double>> share;  // per MoE layer (MTP module last), per GPU
  // Token copies the busiest GPU's experts receive over the mean, averaged
  // over the MoE layers: experts in contiguous blocks, and as placed.
  double imbalance_before = 0, imbalance_after = 0;
  std::vector<ExchangeCost> dispatch, combine;  // per MoE layer
};

// One MoE layer's experts placed on a unit's GPUs by its deployment's policy,
// EPLB planning on `plan_counts` (token copies per placed expert).
ExpertPlacement place_layer(const ClusterConfig& cluster, const InferenceSpec& s, const std::vector<double>& plan_counts);

// Each GPU's share of a layer's token copies `counts` under `p`: a logical
// expert's copies split evenly over its replicas.
std::vector<double> gpu_shares(const std::vector<double>& counts, const ExpertPlacement& p, int gpus);

// The same without redundancy, experts in contiguous blocks over the GPUs.
std::vector<double> contiguous_shares(const std::vector<double>& counts, int gpus);

// The busiest over the mean (0 when all are 0).
double max_over_mean(const std::vector<double>& v);

// `cost`: the step's kernel coster (decode's send and receive kernels).
StepLoad step_load(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost);

// Step loads of one unit's spec by batch. Valid for one cluster and one spec
// whose fields other than the batch, prompt and KV length never change.
class StepLoadCache {
 public:
  const StepLoad& get(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost);

 private:
  std::map<std::pair<double, int>, StepLoad> loads_;  // by tokens per GPU per micro-batch, and MTP
  StepLoad scratch_;
};

}  // namespace v3sim::models
