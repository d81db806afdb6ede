#pragma once
// DeepSeek's expert-parallelism load balancer (deepseek-ai/EPLB, eplb.py
// @d52c72d), ported: given the observed load of each logical expert of a
// layer, choose which experts get redundant replicas and place all replicas
// on GPUs. The hierarchical policy (expert groups divide the nodes) packs
// groups to nodes, replicates within each node and packs replicas to the
// node's GPUs; the global policy replicates and packs over all GPUs.
#include <vector>

namespace v3sim::models {

struct ExpertPlacement {
  std::vector<int> phy2log;       // logical expert of each physical slot; slot s is on GPU s / slots_per_gpu
  std::vector<int> replica_rank;  // which replica of its expert each slot holds
  std::vector<int> logcnt;        // replicas per logical expert
};

// One layer. Throws std::invalid_argument when the sizes do not divide as the
// policy needs (the caller names the input that is wrong).
ExpertPlacement rebalance_experts(const std::vector<double>& weight, int num_replicas, int num_groups, int num_nodes,
                                  int num_gpus);

// The hierarchical policy applies when the groups divide over the nodes.
bool eplb_hierarchical(int num_groups, int num_nodes);

// No redundant experts: slot s holds logical expert s.
ExpertPlacement identity_placement(int experts);

}  // namespace v3sim::models
