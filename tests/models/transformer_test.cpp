// Model presets, parameter counts and per-layer FLOP/byte accounting,
// against published totals and hand-derived formulas.
#include <gtest/gtest.h>

#include <algorithm>

#include "models/transformer/layer_ops.hpp"
#include "models/transformer/parameters.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

double forward_flops(const std::vector<KernelOp>& ops, KernelKind kind) {
  double sum = 0;
  for (const KernelOp& op : ops)
    if (op.pass == Pass::kForward && op.kind == kind) sum += op.model_flops;
  return sum;
}

double executed_flops(const std::vector<KernelOp>& ops, Pass pass) {
  double sum = 0;
  for (const KernelOp& op : ops)
    if (op.pass == pass) sum += op.flops;
  return sum;
}

const KernelOp& find(const std::vector<KernelOp>& ops, const std::string& name) {
  for (const KernelOp& op : ops)
    if (op.name == name) return op;
  throw std::runtime_error("no op " + name);
}

// Published totals: 671B parameters, 37B activated per token (V3 technical report).
TEST(ModelPresets, DeepSeekV3MatchesPublishedTotals) {
  const ModelConfig m = model_preset("deepseek-v3");
  EXPECT_NEAR(total_parameters(m) / 671e9, 1.0, 0.005);
  EXPECT_NEAR(activated_parameters(m) / 37e9, 1.0, 0.02);
}

TEST(ModelPresets, SmallerMoeAndDenseModelsMatchPublishedTotals) {
  EXPECT_NEAR(total_parameters(model_preset("deepseek-v2-lite")) / 15.7e9, 1.0, 0.01);
  const ModelConfig llama = model_preset("llama3-70b");
  EXPECT_NEAR(total_parameters(llama) / 70.6e9, 1.0, 0.01);
  EXPECT_EQ(total_parameters(llama), activated_parameters(llama));
}

// Published totals: DeepSeek-V2 236B total, 21B activated (V2 paper,
// abstract); Qwen3-30B-A3B 30.5B total, 3.3B activated (its model card).
TEST(ModelPresets, DeepSeekV2AndQwen3MoeMatchPublishedTotals) {
  const ModelConfig v2 = model_preset("deepseek-v2");
  EXPECT_NEAR(total_parameters(v2) / 236e9, 1.0, 0.01);
  EXPECT_NEAR(activated_parameters(v2) / 21e9, 1.0, 0.03);
  const ModelConfig qwen = model_preset("qwen3-30b-a3b");
  EXPECT_NEAR(total_parameters(qwen) / 30.5e9, 1.0, 0.01);
  EXPECT_NEAR(activated_parameters(qwen) / 3.3e9, 1.0, 0.03);
  // Qwen3-235B-A22B: 235B total, 22B activated (its model card).
  const ModelConfig big = model_preset("qwen3-235b-a22b");
  EXPECT_NEAR(total_parameters(big) / 235e9, 1.0, 0.01);
  EXPECT_NEAR(activated_parameters(big) / 22e9, 1.0, 0.03);
}

TEST(ModelPresets, OverridesAndErrorsNameTheField) {
  const ModelConfig m = model_preset("deepseek-v3", {{"layers", 8}, {"dense_layers", 1}}, "/model", "/model_overrides");
  EXPECT_EQ(m.layers, 8);
  EXPECT_EQ(m.moe_layers(), 7);
  try {
    model_preset("deepseek-v33", nlohmann::json::object(), "/model", "/o");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/model");
    EXPECT_NE(std::string(e.what()).find("deepseek-v3"), std::string::npos);
  }
  try {
    model_preset("deepseek-v3", {{"hiden", 10}}, "/model", "/o");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/o/hiden");
  }
  EXPECT_THROW(model_preset("deepseek-v3", {{"topk", 300}}, "/model", "/o"), sim::InputError);
}

// One V3 MoE layer, 4096 tokens: forward GEMM FLOPs are 2 x tokens x the
// matmul parameters a token passes through, worked out from the dimensions:
// MLA 7168*2112 + 1536*24576 + 512*32768 + 16384*7168 = 187,105,280; eight
// routed and one shared expert of 3*7168*2048 = 44,040,192; router 256*7168.
TEST(LayerOps, DeepSeekV3MoeLayerForwardFlops) {
  const ModelConfig m = model_preset("deepseek-v3");
  OpContext ctx;
  ctx.ep = 64;
  const auto ops = forward_ops(m, BlockKind::kMoeLayer, ctx);
  const double matmul_params = 187105280.0 + 9 * 44040192.0 + 256 * 7168.0;
  EXPECT_DOUBLE_EQ(forward_flops(ops, KernelKind::kGemm), 2 * 4096 * matmul_params);
  // Causal attention: 128 heads x s^2 x (192 + 128).
  EXPECT_DOUBLE_EQ(forward_flops(ops, KernelKind::kAttention), 128.0 * 4096 * 4096 * 320);
  // The grouped expert GEMM on EP64: 4 local experts of 8192 rows, the
  // DeepGEMM table's (4, 8192, 4096, 7168) shape.
  const KernelOp& up = find(ops, "experts_gate_up");
  EXPECT_EQ(up.shape.groups, 4);
  EXPECT_EQ(up.shape.m, 8192);
  EXPECT_EQ(up.shape.n, 4096);
  EXPECT_EQ(up.shape.k, 7168);
  // The q and kv down-projections run as two GEMMs (as in DeepSeek's
  // profiled framework), together DeepGEMM's N = 2112.
  EXPECT_EQ(find(ops, "q_down").shape.n + find(ops, "kv_down").shape.n, 2112);
}

TEST(LayerOps, BackwardSplitsInputAndWeightGradientsAndRecomputes) {
  const ModelConfig m = model_preset("deepseek-v3");
  OpContext ctx;
  ctx.ep = 64;
  const auto ops = block_ops(m, BlockKind::kMoeLayer, ctx);
  const double gemm = forward_flops(ops, KernelKind::kGemm), attn = forward_flops(ops, KernelKind::kAttention);
  EXPECT_DOUBLE_EQ(pass_model_flops(ops, Pass::kWeight), gemm);
  EXPECT_DOUBLE_EQ(pass_model_flops(ops, Pass::kInput), gemm + 2 * attn);
  // Executed beyond model FLOPs: the MLA up-projections run again, and
  // attention backward recomputes its scores (2.5x instead of 2x).
  const double up_proj = 2 * 4096 * (1536.0 * 24576 + 512.0 * 32768);
  EXPECT_DOUBLE_EQ(executed_flops(ops, Pass::kInput) - pass_model_flops(ops, Pass::kInput), up_proj + 0.5 * attn);
  // Gradient all-to-alls: to the experts in FP8, back in BF16.
  EXPECT_TRUE(find(ops, "combine_backward").to_experts);
  EXPECT_TRUE(find(ops, "combine_backward").fp8);
  EXPECT_FALSE(find(ops, "dispatch_backward").to_experts);
  EXPECT_FALSE(find(ops, "dispatch_backward").fp8);
  // The weight gradient of the grouped down-projection reduces over each
  // group's rows, one GEMM per expert: two of the four on each compute stream.
  const KernelOp& w = find(ops, "experts_down_wgrad");
  EXPECT_EQ(w.shape.m, 2048);
  EXPECT_EQ(w.shape.n, 7168);
  EXPECT_EQ(w.shape.k, 8192);
  EXPECT_EQ(w.shape.groups, 1);
  EXPECT_EQ(w.launches, 2);
  EXPECT_FALSE(w.second_stream);
  EXPECT_EQ(find(ops, "experts_down_wgrad_second_stream").launches, 2);
  EXPECT_TRUE(find(ops, "experts_down_wgrad_second_stream").second_stream);
  EXPECT_EQ(find(ops, "experts_down_wgrad").kernel_class, "gemm_wgrad");
}

// Whole model per token: 6 x activated matmul parameters (embedding lookup
// excluded) plus 3 x causal attention.
TEST(LayerOps, WholeModelFlopsPerToken) {
  const ModelConfig m = model_preset("deepseek-v3");
  OpContext ctx;
  ctx.ep = 64;
  double model = 0;
  for (BlockKind b : {BlockKind::kEmbedding, BlockKind::kHead}) {
    const auto ops = block_ops(m, b, ctx);
    model += pass_model_flops(ops, Pass::kForward) + pass_model_flops(ops, Pass::kInput) +
             pass_model_flops(ops, Pass::kWeight);
  }
  for (auto [b, n] : {std::pair{BlockKind::kDenseLayer, 3}, std::pair{BlockKind::kMoeLayer, 58}}) {
    const auto ops = block_ops(m, b, ctx);
    model += n * (pass_model_flops(ops, Pass::kForward) + pass_model_flops(ops, Pass::kInput) +
                  pass_model_flops(ops, Pass::kWeight));
  }
  const double norms = 61 * (7168.0 + 1536 + 512) + 3 * 7168.0 + 58 * 7168.0 + 7168;
  const double matmul = activated_parameters(m) - 129280.0 * 7168 - norms;
  const double attention = 61 * 128.0 * 4096 * 320;  // per token: s x heads x (192+128)
  EXPECT_NEAR(model / 4096, 6 * matmul + 3 * attention, 1e-9 * model);
}

// Saved activations of one V3 MoE layer (FP8 recipe), summed by hand from
// the caching rules: residual inputs of both norms (BF16), q and kv latents
// (BF16), log-sum-exp (FP32), the o_proj input in E5M6, router probabilities
// (FP32), dispatched tokens and SwiGLU inputs in FP8 with 1x128 scales,
// the shared expert's FP8 input and SwiGLU input, gate weights.
TEST(LayerOps, DeepSeekV3MoeLayerSavedActivations) {
  const ModelConfig m = model_preset("deepseek-v3");
  OpContext ctx;
  ctx.ep = 64;
  EXPECT_DOUBLE_EQ(saved_activation_bytes(forward_ops(m, BlockKind::kMoeLayer, ctx)), 670040064.0);
}

TEST(LayerOps, GroupedQueryAttentionAndTensorParallelism) {
  const ModelConfig m = model_preset("llama3-70b");
  OpContext ctx;
  ctx.tp = 2;
  const auto ops = forward_ops(m, BlockKind::kDenseLayer, ctx);
  EXPECT_EQ(find(ops, "qkv_proj").shape.n, (32 + 2 * 4) * 128);
  EXPECT_DOUBLE_EQ(find(ops, "core_attention").flops, 32.0 * 4096 * 4096 * 256);
  EXPECT_EQ(find(ops, "ffn_down").shape.k, 14336);
  EXPECT_DOUBLE_EQ(find(ops, "attn_all_reduce").bytes, 4096.0 * 8192 * 2);
  int all_reduces = 0;
  for (const KernelOp& op : ops) all_reduces += op.kind == KernelKind::kAllReduce;
  EXPECT_EQ(all_reduces, 2);
}

// The attention classes: MLA's are the ones fitted on DeepSeek's trace
// (its head dims); a grouped-query model's attention, and its backward, are
// classes of their own that no MLA correction reaches.
TEST(LayerOps, AttentionClassesFollowTheAttentionKind) {
  OpContext ctx;
  const auto mla = block_ops(model_preset("deepseek-v3"), BlockKind::kMoeLayer, ctx);
  EXPECT_EQ(find(mla, "core_attention").kernel_class, "attention_fwd");
  EXPECT_EQ(find(mla, "core_attention_dgrad").kernel_class, "attention_bwd");
  const auto gqa = block_ops(model_preset("llama3-70b"), BlockKind::kDenseLayer, ctx);
  EXPECT_EQ(find(gqa, "core_attention").kernel_class, "attention_fwd_mha");
  EXPECT_EQ(find(gqa, "core_attention_dgrad").kernel_class, "attention_bwd_mha");
}

// The dispatch's wire format: DeepSeek's recipe casts the tokens to FP8 before
// they leave and sends the gradients back to the experts in FP8; Megatron's
// dispatchers move BF16 both ways and quantise at the experts.
TEST(LayerOps, DispatchTravelsInFp8OnlyInDeepSeeksRecipe) {
  const ModelConfig m = model_preset("qwen3-30b-a3b");
  auto has = [](const std::vector<KernelOp>& ops, const std::string& name) {
    return std::any_of(ops.begin(), ops.end(), [&](const KernelOp& op) { return op.name == name; });
  };
  OpContext deepseek;
  deepseek.ep = 8;
  const auto d = block_ops(m, BlockKind::kMoeLayer, deepseek);
  EXPECT_TRUE(find(d, "dispatch").fp8);
  EXPECT_TRUE(find(d, "combine_backward").fp8);
  EXPECT_TRUE(has(d, "dispatch_cast"));
  EXPECT_TRUE(has(d, "combine_backward_cast"));
  EXPECT_FALSE(has(d, "experts_input_cast"));
  OpContext megatron = deepseek;
  megatron.fp8_dispatch = false;
  const auto g = block_ops(m, BlockKind::kMoeLayer, megatron);
  EXPECT_FALSE(find(g, "dispatch").fp8);
  EXPECT_FALSE(find(g, "combine_backward").fp8);
  EXPECT_FALSE(has(g, "dispatch_cast"));
  EXPECT_FALSE(has(g, "combine_backward_cast"));
  // 4096 tokens x top-8 rows of hidden 2048: BF16 in, FP8 with a scale per 128 out.
  EXPECT_DOUBLE_EQ(find(g, "experts_input_cast").bytes, 4096.0 * 8 * 2048 * (2 + 1 + 4.0 / 128));
  EXPECT_DOUBLE_EQ(find(g, "experts_permute").bytes, 2 * 4096.0 * 8 * 2048 * 2);
}

}  // namespace
}  // namespace v3sim::models
