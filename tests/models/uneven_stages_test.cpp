// Megatron-Core's uneven pipeline split: first/last-stage layer counts, or
// the embedding and the loss counted as a layer each. Splits worked by hand.
#include <gtest/gtest.h>

#include "models/scenario.hpp"
#include "models/training/training_step.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

nlohmann::json v3_on_pp16() {
  return {{"cluster", {{"node", "h800"}, {"nodes", 256}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
          {"model", "deepseek-v3"},
          {"parallelism", {{"pp", 16}, {"ep", 64}}},
          {"schedule", {{"kind", "1f1b"}}},
          {"training", {{"seq_len", 4096}, {"global_batch", 15360}}}};
}

std::string pointer_of(const nlohmann::json& doc) {
  try {
    parse_scenario(doc);
  } catch (const sim::InputError& e) {
    return e.pointer();
  }
  return "no error";
}

TEST(UnevenStages, FirstAndLastCountsAndTheRestEvenly) {
  // 61 layers + 1 MTP module = 62 units; first 4 and last 2 leave 56 for
  // the 14 middle parts: 4 each.
  nlohmann::json doc = v3_on_pp16();
  doc["parallelism"]["first_pipeline_num_layers"] = 4;
  doc["parallelism"]["last_pipeline_num_layers"] = 2;
  const Scenario s = parse_scenario(doc);
  std::vector<int> expected(16, 4);
  expected.back() = 2;
  EXPECT_EQ(s.training->parallel.layers_per_part, expected);
  // The plan carries it: the last part holds one layer, the MTP module and the head.
  const TrainingResult r = simulate_training(*s.cluster, *s.training);
  EXPECT_EQ(r.plan.parts.back().layers, 2);
  EXPECT_EQ(r.plan.parts.front().layers, 4);
  // 62 - 2 - 2 = 58 does not split over 14 parts.
  doc["parallelism"]["first_pipeline_num_layers"] = 2;
  EXPECT_EQ(pointer_of(doc), "/parallelism/first_pipeline_num_layers");
}

TEST(UnevenStages, EmbeddingAndLossCountedAsLayers) {
  // (62 + 1 + 1) / 16 = 4 a part; the first and last give one up each.
  nlohmann::json doc = v3_on_pp16();
  doc["parallelism"]["account_for_embedding_in_pipeline_split"] = true;
  doc["parallelism"]["account_for_loss_in_pipeline_split"] = true;
  std::vector<int> expected(16, 4);
  expected.front() = 3;
  expected.back() = 3;
  EXPECT_EQ(parse_scenario(doc).training->parallel.layers_per_part, expected);
  // (62 + 1) / 16 is not whole.
  doc["parallelism"]["account_for_loss_in_pipeline_split"] = false;
  EXPECT_EQ(pointer_of(doc), "/parallelism/account_for_embedding_in_pipeline_split");
  // Not with layers_per_part.
  doc["parallelism"]["layers_per_part"] = "balanced";
  EXPECT_EQ(pointer_of(doc), "/parallelism/layers_per_part");
}

}  // namespace
}  // namespace v3sim::models
