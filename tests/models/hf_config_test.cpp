// HuggingFace config.json import: published configs map onto the presets
// field by field, and their parameter counts match the published totals and
// hand-worked sums; unsupported types and bad fields name the JSON pointer
// inside the config.
#include <gtest/gtest.h>

#include "models/scenario.hpp"
#include "models/transformer/hf_config.hpp"
#include "models/transformer/model_source.hpp"
#include "models/transformer/parameters.hpp"
#include "sim/json_reader.hpp"
#include "tests/models/published_hf_configs.hpp"

namespace v3sim::models {
namespace {

ModelConfig map(const nlohmann::json& config, const std::string& name = "cfg") {
  return model_from_hf_config(config, name, "test");
}

// Every architectural field; name and source say where a model came from.
void expect_same_architecture(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.dense_layers, b.dense_layers);
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.vocab, b.vocab);
  EXPECT_EQ(a.dense_intermediate, b.dense_intermediate);
  EXPECT_EQ(a.attention, b.attention);
  EXPECT_EQ(a.heads, b.heads);
  EXPECT_EQ(a.kv_heads, b.kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.q_lora_rank, b.q_lora_rank);
  EXPECT_EQ(a.kv_lora_rank, b.kv_lora_rank);
  EXPECT_EQ(a.qk_nope_head_dim, b.qk_nope_head_dim);
  EXPECT_EQ(a.qk_rope_head_dim, b.qk_rope_head_dim);
  EXPECT_EQ(a.v_head_dim, b.v_head_dim);
  EXPECT_EQ(a.routed_experts, b.routed_experts);
  EXPECT_EQ(a.shared_experts, b.shared_experts);
  EXPECT_EQ(a.expert_intermediate, b.expert_intermediate);
  EXPECT_EQ(a.topk, b.topk);
  EXPECT_EQ(a.expert_groups, b.expert_groups);
  EXPECT_EQ(a.group_limit, b.group_limit);
  EXPECT_EQ(a.mtp_depth, b.mtp_depth);
}

std::string pointer_of_error(const nlohmann::json& config) {
  try {
    map(config);
  } catch (const sim::InputError& e) {
    return e.pointer() + ": " + e.what();
  }
  return "no error";
}

// The presets were written from the same published configs by hand.
TEST(HfConfig, DeepSeekConfigsEqualTheirPresets) {
  {
    SCOPED_TRACE("DeepSeek-V3");
    const ModelConfig m = map(published::deepseek_v3_671b_config(), "DeepSeek-V3");
    expect_same_architecture(m, model_preset("deepseek-v3"));
    EXPECT_EQ(m.name, "DeepSeek-V3");
    EXPECT_EQ(m.source, "test");
  }
  {
    SCOPED_TRACE("DeepSeek-V2-Lite (q_lora_rank null: queries not compressed)");
    expect_same_architecture(map(published::deepseek_v2_lite_config()), model_preset("deepseek-v2-lite"));
  }
  {
    SCOPED_TRACE("Llama-3-70B");
    expect_same_architecture(map(published::llama3_70b_config()), model_preset("llama3-70b"));
  }
}

// Hub parameter counts (safetensors): Meta-Llama-3-8B 8,030,261,248 and
// Meta-Llama-3-70B 70,553,706,496, equal to the sums worked by hand (8B: embedding
// and head 2 x 128256 x 4096 = 1,050,673,152; per layer q,o 2 x 4096^2 + k,v
// 2 x 4096 x 1024 + SwiGLU 3 x 4096 x 14336 + two norms = 218,112,000, x 32; final
// norm 4096). No biases and untied embeddings: the count is exact, not approximate.
TEST(HfConfig, LlamaParameterCountsAreThePublishedOnes) {
  const ModelConfig l8 = map(published::llama3_8b_config());
  EXPECT_EQ(l8.attention, AttentionKind::kGqa);
  EXPECT_EQ(l8.kv_heads, 8);
  EXPECT_EQ(l8.head_dim, 128);  // hidden_size / num_attention_heads: no head_dim in the file
  EXPECT_EQ(l8.dense_layers, 32);
  EXPECT_FALSE(l8.is_moe());
  EXPECT_DOUBLE_EQ(total_parameters(l8), 8'030'261'248.0);
  EXPECT_DOUBLE_EQ(total_parameters(map(published::llama3_70b_config())), 70'553'706'496.0);
}

// Llama-3.2-1B ties its head to the embedding: the Hub's 1,235,814,400 is,
// by hand, the embedding 128256 x 2048 = 262,668,288 once, 16 layers of q,o
// 2 x 2048^2 + k,v 2 x 2048 x 512 + SwiGLU 3 x 2048 x 8192 + two norms =
// 60,821,504, and the final norm 2048.
TEST(HfConfig, TiedEmbeddingsCountTheMatrixOnce) {
  nlohmann::json c = published::llama32_1b_config();
  const ModelConfig tied = map(c);
  EXPECT_TRUE(tied.tied_embeddings);
  EXPECT_EQ(tied.head_dim, 64);
  EXPECT_DOUBLE_EQ(total_parameters(tied), 1'235'814'400.0);
  c["tie_word_embeddings"] = nullptr;  // null reads as absent: untied
  EXPECT_DOUBLE_EQ(total_parameters(map(c)), 1'235'814'400.0 + 128256.0 * 2048);
  c["tie_word_embeddings"] = "yes";
  try {
    map(c);
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/tie_word_embeddings");
  }
}

// Mixtral of Experts (arXiv 2401.04088) and the model card: 46.7B parameters,
// 12.9B active (published to 3 significant figures, so within 0.11% and
// 0.39%). By hand: per layer attention 41,943,040 + 8 experts x 176,160,768 +
// router 8 x 4096 + two norms = 1,451,270,144, x 32, + embedding and head
// 262,144,000 + 4096 = 46,702,792,704; active: 2 experts, 12,879,925,248.
TEST(HfConfig, MixtralMapsEveryLayerToMoeWithoutSharedExpert) {
  const ModelConfig m = map(published::mixtral_8x7b_config());
  EXPECT_EQ(m.routed_experts, 8);
  EXPECT_EQ(m.topk, 2);
  EXPECT_EQ(m.shared_experts, 0);
  EXPECT_EQ(m.expert_intermediate, 14336);
  EXPECT_EQ(m.dense_layers, 0);
  EXPECT_EQ(m.moe_layers(), 32);
  EXPECT_EQ(m.kv_heads, 8);
  EXPECT_EQ(m.head_dim, 128);
  EXPECT_EQ(m.expert_groups, 1);
  EXPECT_EQ(m.mtp_depth, 0);
  EXPECT_DOUBLE_EQ(total_parameters(m), 46'702'792'704.0);
  EXPECT_NEAR(total_parameters(m) / 46.7e9, 1.0, 0.0011);
  EXPECT_DOUBLE_EQ(activated_parameters(m), 12'879'925'248.0);
  EXPECT_NEAR(activated_parameters(m) / 12.9e9, 1.0, 0.0039);
}

// Qwen3-30B-A3B model card: 30.5B total, 29.9B without embeddings, 3.3B
// activated. By hand: per layer attention 2048 x (32 + 8) x 128 + 4096 x 2048 =
// 18,874,368, 128 experts x 3 x 2048 x 768 = 603,979,776, router 262,144, norms
// 4096: 623,120,384 x 48, + embedding and head 622,329,856 + 2048 =
// 30,532,110,336 (the Hub's count is 12,288 more: Qwen3's per-head q/k norms,
// which v3sim does not model). Activated, 8 experts: 3,353,020,416, which the
// card writes as 3.3B (truncated rather than rounded).
TEST(HfConfig, Qwen3MoeUsesItsOwnHeadDimAndDenseLayersFirst) {
  const ModelConfig m = map(published::qwen3_30b_a3b_config());
  EXPECT_EQ(m.head_dim, 128);
  EXPECT_EQ(m.kv_heads, 4);
  EXPECT_EQ(m.routed_experts, 128);
  EXPECT_EQ(m.topk, 8);
  EXPECT_EQ(m.expert_intermediate, 768);
  EXPECT_EQ(m.shared_experts, 0);
  EXPECT_EQ(m.dense_layers, 0);
  EXPECT_EQ(m.dense_intermediate, 6144);
  EXPECT_DOUBLE_EQ(total_parameters(m), 30'532'110'336.0);
  EXPECT_NEAR(total_parameters(m) / 30.5e9, 1.0, 0.0016);
  EXPECT_NEAR((total_parameters(m) - 2.0 * 151936 * 2048) / 29.9e9, 1.0, 0.0017);
  EXPECT_DOUBLE_EQ(activated_parameters(m), 3'353'020'416.0);

  nlohmann::json c = published::qwen3_30b_a3b_config();
  c["mlp_only_layers"] = {1, 0};
  const ModelConfig two_dense = map(c);
  EXPECT_EQ(two_dense.dense_layers, 2);
  EXPECT_EQ(two_dense.moe_layers(), 46);
  c["mlp_only_layers"] = {0, 7};
  EXPECT_EQ(pointer_of_error(c).substr(0, 19), "/mlp_only_layers/1:");
  c["mlp_only_layers"] = nlohmann::json::array();
  c["decoder_sparse_step"] = 2;  // layers 0, 2, 4 ... dense between MoE layers
  EXPECT_EQ(pointer_of_error(c).substr(0, 21), "/decoder_sparse_step:");
  c["mlp_only_layers"] = {48};
  EXPECT_EQ(pointer_of_error(c).substr(0, 19), "/mlp_only_layers/0:");
}

// Qwen2-57B-A14B by hand (weights and RMSNorms; Qwen2's q/k/v biases and the
// shared expert's sigmoid gate, 229,376 in all, are not modelled): a layer's
// attention 3584 + 3584 x (28 + 8) x 128 + 3584 x 3584 = 29,363,712; its
// norm, router and shared expert 3584 + 64 x 3584 + 3 x 3584 x 20480 =
// 220,433,920; its routed experts 64 x 3 x 3584 x 2560 = 1,761,607,680.
// 28 layers, embedding and head 2 x 151936 x 3584 + 3584: 57,408,429,568
// ("57B"). Activated, 8 of 64 experts: 57,408,429,568 - 28 x 56 x 27,525,120
// = 14,249,041,408 ("A14B").
TEST(HfConfig, Qwen2MoeReadsItsSharedExpertOfItsOwnWidth) {
  const ModelConfig m = map(published::qwen2_57b_a14b_config());
  EXPECT_EQ(m.routed_experts, 64);
  EXPECT_EQ(m.expert_intermediate, 2560);
  EXPECT_EQ(m.shared_experts, 1);
  EXPECT_EQ(m.shared_width(), 20480);
  EXPECT_EQ(m.dense_layers, 0);
  EXPECT_EQ(m.head_dim, 128);
  EXPECT_DOUBLE_EQ(total_parameters(m), 57'408'429'568.0);
  EXPECT_DOUBLE_EQ(activated_parameters(m), 14'249'041'408.0);
  nlohmann::json c = published::qwen2_57b_a14b_config();
  c.erase("shared_expert_intermediate_size");
  EXPECT_EQ(pointer_of_error(c).substr(0, 33), "/shared_expert_intermediate_size:");
  c = published::qwen2_57b_a14b_config();
  c.erase("model_type");
  EXPECT_EQ(map(c).shared_width(), 20480);  // named by its architecture
}

TEST(HfConfig, ArchitecturesNameTheTypeAndNameOrPathNamesTheModel) {
  nlohmann::json c = published::mixtral_8x7b_config();
  c.erase("model_type");
  EXPECT_EQ(map(c).routed_experts, 8);
  EXPECT_EQ(map(c, "fallback").name, "fallback");
  c["_name_or_path"] = "mistralai/Mixtral-8x7B-v0.1";
  EXPECT_EQ(map(c, "fallback").name, "mistralai/Mixtral-8x7B-v0.1");
  c["architectures"] = {"GPT2LMHeadModel"};
  EXPECT_NE(pointer_of_error(c).find("/architectures: no supported architecture"), std::string::npos);
  c.erase("architectures");
  EXPECT_NE(pointer_of_error(c).find("/model_type: missing required field"), std::string::npos);
}

TEST(HfConfig, UnsupportedTypesAndBadFieldsNameThePointer) {
  nlohmann::json c = published::mixtral_8x7b_config();
  c["model_type"] = "gpt2";
  EXPECT_EQ(pointer_of_error(c),
            "/model_type: unsupported model_type \"gpt2\" (v3sim maps deepseek_v3, deepseek_v2, llama, mixtral, qwen2_moe, "
            "qwen3_moe)");
  c["model_type"] = "mixtrall";
  EXPECT_NE(pointer_of_error(c).find("did you mean \"mixtral\""), std::string::npos);
  // Another version is another family, never suggested: Qwen1.5-MoE's
  // shared expert (qwen2_moe) is not Qwen3-MoE's layout, Llama 4 has experts.
  for (const char* version : {"qwen1_5_moe", "deepseek_v4", "llama4"}) {
    c["model_type"] = version;
    EXPECT_EQ(pointer_of_error(c).find("did you mean"), std::string::npos) << version;
  }
  c = published::mixtral_8x7b_config();
  c["num_local_experts"] = "8";
  EXPECT_EQ(pointer_of_error(c), "/num_local_experts: expected an integer, got a string");
  c["num_local_experts"] = 0;
  EXPECT_EQ(pointer_of_error(c), "/num_local_experts: expected an integer in [1, 16777216], got 0");
  c["num_local_experts"] = 8;
  c["num_experts_per_tok"] = 9;
  EXPECT_EQ(pointer_of_error(c), "/num_experts_per_tok: expected an integer in [1, 8], got 9");
  c = published::mixtral_8x7b_config();
  c["num_key_value_heads"] = 5;
  EXPECT_EQ(pointer_of_error(c).substr(0, 21), "/num_key_value_heads:");
  c = published::deepseek_v3_671b_config();
  c.erase("kv_lora_rank");
  EXPECT_EQ(pointer_of_error(c), "/kv_lora_rank: missing required field 'kv_lora_rank'");
  c = published::deepseek_v3_671b_config();
  c["moe_layer_freq"] = 2;
  EXPECT_EQ(pointer_of_error(c).substr(0, 16), "/moe_layer_freq:");
  c = published::deepseek_v3_671b_config();
  c["topk_group"] = 9;  // more groups than n_group
  EXPECT_EQ(pointer_of_error(c), "/topk_group: expected an integer in [1, 8], got 9");
  EXPECT_EQ(pointer_of_error(nlohmann::json::array()), "/: expected an object, got an array");
}

ModelConfig mixtral_file(const std::string& path, const std::string&) {
  return model_from_hf_config(published::mixtral_8x7b_config(), path, "test");
}

TEST(ModelSource, PathsGoToTheReaderThenOverridesApply) {
  EXPECT_TRUE(names_model_file("cfg.json"));
  EXPECT_TRUE(names_model_file("checkpoints/Mixtral-8x7B"));
  EXPECT_FALSE(names_model_file("deepseek-v3"));
  const ModelConfig m = scenario_model("cfg.json", {{"layers", 4}}, "/model", "/model_overrides", mixtral_file);
  EXPECT_EQ(m.name, "cfg.json");
  EXPECT_EQ(m.layers, 4);
  EXPECT_EQ(m.routed_experts, 8);
  try {
    scenario_model("cfg.json", {{"topk", 9}}, "/model", "/model_overrides", mixtral_file);
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/model_overrides");
  }
  try {
    scenario_model("cfg.json", nlohmann::json::object(), "/model", "/o", {});
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/model");
  }
  // A preset name never reaches the reader.
  EXPECT_EQ(scenario_model("deepseek-v3", nlohmann::json::object(), "/model", "/o", mixtral_file).routed_experts, 256);
}

nlohmann::json training_doc(const std::string& model) {
  return {{"cluster", {{"node", "h800"}, {"nodes", 2}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
          {"model", model},
          {"parallelism", {{"pp", 2}, {"ep", 8}}},
          {"schedule", {{"kind", "1f1b"}}},
          {"training", {{"seq_len", 4096}, {"global_batch", 64}}}};
}

TEST(ModelSource, TrainingAndInferenceScenariosTakeAConfig) {
  const Scenario s = parse_scenario(training_doc("m.json"), mixtral_file);
  ASSERT_TRUE(s.training);
  EXPECT_EQ(s.training->model.routed_experts, 8);
  EXPECT_EQ(s.training->model.name, "m.json");

  auto llama = [](const std::string&, const std::string&) { return map(published::llama3_8b_config(), "llama"); };
  auto v3 = [](const std::string&, const std::string&) { return map(published::deepseek_v3_671b_config(), "v3"); };
  const nlohmann::json inference = {
      {"cluster", {{"node", "h800"}, {"nodes", 4}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
      {"workload",
       {{"kind", "inference"},
        {"phase", "prefill"},
        {"model", "v3.json"},
        {"deployment", {{"ep", 32}}},
        {"batch", {{"tokens_per_gpu", 8192}, {"prompt_len", 4096}}}}}};
  EXPECT_EQ(parse_scenario(inference, v3).inference->model.name, "v3");
  try {
    parse_scenario(inference, llama);
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/workload/model");
    EXPECT_NE(std::string(e.what()).find("MLA mixture-of-experts"), std::string::npos);
  }
}

}  // namespace
}  // namespace v3sim::models
