// MoE parallel folding: expert groups over the TP x DP GPUs of a stage, as
// Megatron-Core's expert grid forms them (expert tensor parallelism 1).
#include <gtest/gtest.h>

#include <stdexcept>

#include "models/training/expert_groups.hpp"

namespace v3sim::models {
namespace {

using Groups = std::vector<std::vector<int>>;

// 8 GPUs as pp 2 x dp 2 x tp 2, TP innermost: stage 0 holds GPUs 0-3
// (replica 0 = TP group {0, 1}, replica 1 = {2, 3}), stage 1 GPUs 4-7.
// With ep 2 the expert grid (etp 1, ep, edp, pp, innermost first) makes
// each TP group an expert-parallel group and pairs its members across
// replicas for the expert gradients.
TEST(ExpertGroups, HandWorkedTwoByTwoByTwo) {
  const ExpertGroups g = expert_groups(2, 2, 2, 2);
  EXPECT_EQ(g.expert_parallel, (Groups{{0, 1}, {2, 3}, {4, 5}, {6, 7}}));
  EXPECT_EQ(g.expert_data_parallel, (Groups{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
}

// ep 4 spans both replicas' TP groups: EP is larger than DP (2), which only
// folding allows; every GPU holds its own quarter of the experts, no
// expert-data parallelism is left.
TEST(ExpertGroups, EpLargerThanDataParallelSpansTheTensorParallelRanks) {
  const ExpertGroups g = expert_groups(2, 2, 2, 4);
  EXPECT_EQ(g.expert_parallel, (Groups{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  EXPECT_EQ(g.expert_data_parallel, (Groups{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}}));
}

// Without TP the groups are the data-parallel replicas, consecutive.
TEST(ExpertGroups, WithoutTensorParallelismGroupsAreReplicas) {
  const ExpertGroups g = expert_groups(1, 1, 8, 4);
  EXPECT_EQ(g.expert_parallel, (Groups{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  EXPECT_EQ(g.expert_data_parallel, (Groups{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
}

TEST(ExpertGroups, EpMustDivideTensorTimesDataParallel) {
  EXPECT_THROW(expert_groups(1, 2, 3, 4), std::invalid_argument);
  EXPECT_NO_THROW(expert_groups(1, 2, 2, 4));
}

}  // namespace
}  // namespace v3sim::models

#include "models/transformer/model_config.hpp"
#include "models/transformer/layer_ops.hpp"

namespace v3sim::models {
namespace {

// With folding each GPU of a TP group routes tokens/tp: the routed experts'
// GEMMs and the all-to-all volume per GPU halve from tp 1 to tp 2 (the
// experts stay whole), while attention's per-GPU heads halve too.
TEST(ExpertGroups, FoldingGivesEachTensorParallelGpuItsShareOfTheTokens) {
  const ModelConfig m = model_preset("deepseek-v3");
  auto expert_rows = [&](int tp) {
    OpContext c;
    c.tp = tp;
    c.ep = 64;
    double rows = 0, sent = 0;
    for (const KernelOp& op : forward_ops(m, BlockKind::kMoeLayer, c)) {
      if (op.name == "experts_gate_up") rows = static_cast<double>(op.shape.m) * op.shape.groups;
      if (op.kind == KernelKind::kAllToAll && op.to_experts) sent = op.tokens;
    }
    return std::pair{rows, sent};
  };
  const auto [rows1, sent1] = expert_rows(1);
  const auto [rows2, sent2] = expert_rows(2);
  EXPECT_DOUBLE_EQ(sent1, 4096);
  EXPECT_DOUBLE_EQ(sent2, 2048);
  // 4096 tokens x 8 copies over 4 local experts: 8192 rows each, 32768 in all.
  EXPECT_DOUBLE_EQ(rows1, 4096.0 * 8);
  EXPECT_DOUBLE_EQ(rows2, 2048.0 * 8);
}

}  // namespace
}  // namespace v3sim::models
