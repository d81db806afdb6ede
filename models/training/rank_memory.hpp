#pragma once
// Memory a rank holds at its peak: BF16 parameters, FP32 gradients, the
// optimizer state of its ZeRO shard (FP32 master weights and two BF16 AdamW
// moments, as DeepSeek-V3 keeps them) and the activations of the micro-batch
// chunks in flight at the worst moment of the simulated step.
#include "models/training/stage_plan.hpp"
#include "models/training/step_graph.hpp"

namespace v3sim::models {

struct RankMemory {
  double parameters = 0;
  double gradients = 0;
  double optimizer = 0;
  double activations = 0;  // peak
  double capacity = 0;     // HBM
  double total() const { return parameters + gradients + optimizer + activations; }
  bool fits() const { return total() <= capacity; }
};

// `lives`: when each of the rank's chunks held its part's saved activations.
RankMemory rank_memory(const TrainingSpec& t, const StagePlan& plan, const std::vector<ChunkLife>& lives,
                       const BlockParameters& params, int dp, double capacity_bytes);

}  // namespace v3sim::models
