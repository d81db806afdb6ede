#pragma once
// Which GPUs exchange tokens and which share expert gradients: Megatron-Core's
// expert grid with expert tensor parallelism 1 ("MoE parallel folding").
// Within a pipeline stage the TP x DP GPUs (TP innermost, as the dense grid
// numbers them) are regrouped: `ep` consecutive GPUs form an expert-parallel
// group, each holding routed_experts / ep whole experts, and the GPUs at the
// same position of every expert-parallel group hold the same experts and
// form an expert-data-parallel group. So EP need only divide TP x DP, not DP.
#include <vector>

namespace v3sim::models {

struct ExpertGroups {
  std::vector<std::vector<int>> expert_parallel;       // global GPU indices, by stage then group
  std::vector<std::vector<int>> expert_data_parallel;  // the same, holders of the same experts
};

// Throws std::invalid_argument unless ep divides tp x dp.
ExpertGroups expert_groups(int pp, int tp, int dp, int ep);

// The global GPU index of member `i` of expert-parallel group `group` of
// pipeline stage `stage`.
inline int expert_member(int stage, int tp, int dp, int ep, int group, int i) {
  return stage * tp * dp + group * ep + i;
}

}  // namespace v3sim::models
