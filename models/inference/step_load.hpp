#pragma once
// What a step's batch makes of each GPU before its stages are costed: the
// share of every MoE layer's token copies each GPU's experts receive (the
// load drawn, then placed), and each exchange's per-GPU costs. These depend
// on the batch (tokens or requests per GPU, micro-batches, MTP) and not on
// the prompt or KV length, so serving's step prices, which run one unit at
// many lengths, share them through a StepLoadCache.
#include <map>
#include <tuple>
#include <vector>

#include "models/cluster_config.hpp"
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

// `cost`: the step's kernel coster (decode's send and receive kernels).
StepLoad step_load(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost);

// Step loads of one unit's spec by batch. Valid for one cluster and one spec
// whose fields other than the batch, prompt and KV length never change.
class StepLoadCache {
 public:
  const StepLoad& get(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost);

 private:
  std::map<std::tuple<int, int, bool, int>, StepLoad> loads_;
  std::map<std::pair<long long, int>, StepLoad> placed_;  // shares only, by the step's token copies and MTP
};

}  // namespace v3sim::models
