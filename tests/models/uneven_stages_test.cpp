// Megatron-Core's uneven pipeline split: first/last-stage layer counts per
// pipeline rank, or the embedding and the loss counted as a layer each;
// decoder layers only (MTP modules join the last part). Splits worked by hand.
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

// Llama 3 70B cut to `layers` layers on one node of 8 GPUs.
nlohmann::json llama(int layers, int pp, const std::string& kind, int chunks = 1) {
  return {{"cluster", {{"node", "h800"}, {"nodes", 1}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
          {"model", "llama3-70b"},
          {"model_overrides", {{"layers", layers}, {"dense_layers", layers}}},
          {"parallelism", {{"pp", pp}}},
          {"schedule", {{"kind", kind}, {"chunks", chunks}}},
          {"training", {{"seq_len", 4096}, {"global_batch", 16}}}};
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
  // 61 decoder layers: first 7 and last 12 leave 42 for the 14 middle
  // ranks, 3 each; the MTP module joins the last part (13 units).
  nlohmann::json doc = v3_on_pp16();
  doc["parallelism"]["first_pipeline_num_layers"] = 7;
  doc["parallelism"]["last_pipeline_num_layers"] = 12;
  const Scenario s = parse_scenario(doc);
  std::vector<int> expected(16, 3);
  expected.front() = 7;
  expected.back() = 13;
  EXPECT_EQ(s.training->parallel.layers_per_part, expected);
  const TrainingResult r = simulate_training(*s.cluster, *s.training);
  EXPECT_EQ(r.plan.parts.front().layers, 7);
  EXPECT_EQ(r.plan.parts.back().layers, 13);
  // 61 - 2 - 2 = 57 does not split over 14 ranks.
  doc["parallelism"]["first_pipeline_num_layers"] = 2;
  doc["parallelism"]["last_pipeline_num_layers"] = 2;
  EXPECT_EQ(pointer_of(doc), "/parallelism/first_pipeline_num_layers");
  // DualPipe puts two parts on a rank: the split is written as layers_per_part.
  doc["schedule"]["kind"] = "dualpipe";
  EXPECT_EQ(pointer_of(doc), "/parallelism/first_pipeline_num_layers");
}

TEST(UnevenStages, InterleavedChunksShareTheirRanksCount) {
  // 20 layers on 4 ranks of 2 chunks: ranks 0 and 3 take 4, ranks 1 and 2
  // share the other 12 (6 each); every chunk gets half its rank's layers, in
  // model-part order chunk 0 of ranks 0..3, then chunk 1.
  nlohmann::json doc = llama(20, 4, "interleaved_1f1b", 2);
  doc["parallelism"]["first_pipeline_num_layers"] = 4;
  doc["parallelism"]["last_pipeline_num_layers"] = 4;
  EXPECT_EQ(parse_scenario(doc).training->parallel.layers_per_part, (std::vector<int>{2, 3, 3, 2, 2, 3, 3, 2}));
  // 5 layers on rank 0 do not halve.
  doc["parallelism"]["first_pipeline_num_layers"] = 5;
  doc["parallelism"]["last_pipeline_num_layers"] = 3;
  EXPECT_EQ(pointer_of(doc), "/parallelism/first_pipeline_num_layers");
}

TEST(UnevenStages, EmbeddingAndLossCountedAsLayers) {
  // (78 + 1 + 1) / 8 = 10 a part; the first and last give one up each.
  nlohmann::json doc = llama(78, 8, "1f1b");
  doc["parallelism"]["account_for_embedding_in_pipeline_split"] = true;
  doc["parallelism"]["account_for_loss_in_pipeline_split"] = true;
  EXPECT_EQ(parse_scenario(doc).training->parallel.layers_per_part, (std::vector<int>{9, 10, 10, 10, 10, 10, 10, 9}));
  // DeepSeek-V3: 61 + 1 + 1 = 63 is not a multiple of 16, as Megatron-Core also refuses.
  nlohmann::json v3 = v3_on_pp16();
  v3["parallelism"]["account_for_loss_in_pipeline_split"] = true;
  EXPECT_EQ(pointer_of(v3), "/parallelism/account_for_loss_in_pipeline_split");
  // Not with layers_per_part, nor with first/last counts.
  doc["parallelism"]["layers_per_part"] = "balanced";
  EXPECT_EQ(pointer_of(doc), "/parallelism/layers_per_part");
  doc["parallelism"].erase("layers_per_part");
  doc["parallelism"]["account_for_embedding_in_pipeline_split"] = false;
  doc["parallelism"]["first_pipeline_num_layers"] = 9;
  EXPECT_EQ(pointer_of(doc), "/parallelism/account_for_loss_in_pipeline_split");
}

}  // namespace
}  // namespace v3sim::models
