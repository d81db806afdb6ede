// Tied embeddings (the head reuses the embedding matrix): counted once in
// the model and on a rank holding both ends, kept as two copies on the first
// and the last stage, whose FP32 gradients are then summed on the pair of
// GPUs: a two-GPU ring all-reduce moves the whole 4 V h bytes over NVLink
// (2 steps of half), so it takes 4 V h / NVLink bandwidth plus latency.
#include <gtest/gtest.h>

#include "models/scenario.hpp"
#include "models/training/training_step.hpp"
#include "models/transformer/parameters.hpp"

namespace v3sim::models {
namespace {

// A four-layer Llama 3 70B on one H800 node, data-parallel over the rest.
Scenario scenario(bool tied, int pp, const std::string& schedule) {
  const nlohmann::json doc = {
      {"cluster", {{"node", "h800"}, {"nodes", 1}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
      {"model", "llama3-70b"},
      {"model_overrides", {{"layers", 4}, {"dense_layers", 4}, {"tied_embeddings", tied}}},
      {"parallelism", {{"pp", pp}, {"tp", 1}, {"zero", 1}}},
      {"schedule", {{"kind", schedule}}},
      {"training", {{"seq_len", 4096}, {"global_batch", 8 / pp * 2 * pp}, {"micro_batch", 1}, {"precision", "bf16"}}},
      {"calibration", "h800-published"}};
  return parse_scenario(doc);
}

TrainingResult run(bool tied, int pp, const std::string& schedule = "1f1b") {
  const Scenario s = scenario(tied, pp, schedule);
  return simulate_training(*s.cluster, *s.training);
}

constexpr double kV = 128256, kH = 8192;

TEST(TiedEmbeddings, ModelCountsTheMatrixOnce) {
  const Scenario untied = scenario(false, 1, "1f1b"), tied = scenario(true, 1, "1f1b");
  EXPECT_DOUBLE_EQ(total_parameters(untied.training->model) - total_parameters(tied.training->model), kV * kH);
}

TEST(TiedEmbeddings, OneStageHoldsItOnceAndSumsNothing) {
  const TrainingResult u = run(false, 1), t = run(true, 1);
  EXPECT_DOUBLE_EQ(u.ranks[0].memory.parameters - t.ranks[0].memory.parameters, 2 * kV * kH);  // BF16
  EXPECT_EQ(t.ranks[0].dp_sync.mirror, 0);
}

TEST(TiedEmbeddings, FirstAndLastStageKeepCopiesAndSumTheirGradients) {
  const TrainingResult u = run(false, 4), t = run(true, 4);
  const double nvlink = scenario(true, 4, "1f1b").cluster->spec.node.nvlink_bandwidth;
  for (int rank = 0; rank < 4; ++rank) {
    SCOPED_TRACE(rank);
    const auto k = static_cast<std::size_t>(rank);
    EXPECT_DOUBLE_EQ(t.ranks[k].memory.parameters, u.ranks[k].memory.parameters);
    EXPECT_EQ(u.ranks[k].dp_sync.mirror, 0);
    if (rank == 0 || rank == 3) {
      EXPECT_NEAR(sim::to_seconds(t.ranks[k].dp_sync.mirror), 4 * kV * kH / nvlink, 0.01 * 4 * kV * kH / nvlink);
    } else {
      EXPECT_EQ(t.ranks[k].dp_sync.mirror, 0);
    }
  }
}

// DualPipe's rank 0 (and its mirror, the last rank) holds the embedding
// and the head: one matrix, and the mirror sum already covers it.
TEST(TiedEmbeddings, DualPipeEndRanksHoldBothEnds) {
  const TrainingResult u = run(false, 2, "dualpipe"), t = run(true, 2, "dualpipe");
  for (std::size_t rank = 0; rank < 2; ++rank)
    EXPECT_DOUBLE_EQ(u.ranks[rank].memory.parameters - t.ranks[rank].memory.parameters, 2 * kV * kH);
}

}  // namespace
}  // namespace v3sim::models
