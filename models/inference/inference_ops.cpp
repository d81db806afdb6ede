#include "models/inference/inference_ops.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/inference/op_builders.hpp"
#include "models/transformer/layer_ops.hpp"
#include "models/transformer/element_bytes.hpp"

namespace v3sim::models {
namespace {

using calibration::GemmPrecision;
using calibration::GemmShape;

// An FP8 GEMM with its per-token input cast and scale prologue.
void fp8_gemm(std::vector<KernelOp>& ops, const std::string& name, double m, double n, double k) {
  ops.push_back(memory_op(name + "_cast", "cast_fp8", m * k * (kBf16 + kFp8Scaled)));
  ops.push_back(memory_op(name + "_setup", "gemm_setup", 0));
  ops.push_back(gemm_op(name, m, n, k, 1, true, "gemm_fp8"));
}

void rmsnorm(std::vector<KernelOp>& ops, const std::string& name, double rows, double width, bool residual) {
  ops.push_back(memory_op(name, "rmsnorm", (residual ? 4 : 2) * rows * width * kBf16));
}

void shared_expert(std::vector<KernelOp>& ops, const ModelConfig& m, double t) {
  const double inter = static_cast<double>(m.shared_experts) * m.expert_intermediate;
  fp8_gemm(ops, "shared_gate_up", t, 2 * inter, m.hidden);
  ops.push_back(memory_op("shared_swiglu", "swiglu", t * 3 * inter * kBf16));
  ops.push_back(memory_op("shared_down_setup", "gemm_setup", 0));
  ops.push_back(gemm_op("shared_down", t, m.hidden, inter, 1, true, "gemm_fp8"));
}

void gate(std::vector<KernelOp>& ops, const ModelConfig& m, double t) {
  rmsnorm(ops, "mlp_norm", t, m.hidden, true);
  ops.push_back(gemm_op("router", t, m.routed_experts, m.hidden, 1, false, "gemm_bf16"));
  KernelOp topk = memory_op("router_topk", "router_topk", 2 * t * m.routed_experts * kFp32 + t * m.topk * 8, 3);
  ops.push_back(topk);
}

void dense_mlp(std::vector<KernelOp>& ops, const ModelConfig& m, double t, int tp) {
  const double inter = std::ceil(static_cast<double>(m.dense_intermediate) / tp);
  rmsnorm(ops, "ffn_norm", t, m.hidden, true);
  fp8_gemm(ops, "ffn_gate_up", t, 2 * inter, m.hidden);
  ops.push_back(memory_op("ffn_swiglu", "swiglu", t * 3 * inter * kBf16));
  ops.push_back(memory_op("ffn_down_setup", "gemm_setup", 0));
  ops.push_back(gemm_op("ffn_down", t, m.hidden, inter, 1, true, "gemm_fp8"));
  if (tp > 1) {
    KernelOp ar;
    ar.name = "ffn_all_reduce";
    ar.kind = KernelKind::kAllReduce;
    ar.kernel_class = "tp_all_reduce";
    ar.bytes = t * m.hidden * kBf16;
    ops.push_back(ar);
  }
}

}  // namespace

const std::vector<KernelOp>& LayerStages::ops(Stage s) const {
  for (const auto& [stage, list] : stages)
    if (stage == s) return list;
  static const std::vector<KernelOp> none;
  return none;
}

double kv_bytes_per_token_layer(const ModelConfig& m) { return (m.kv_lora_rank + m.qk_rope_head_dim) * kBf16; }

std::vector<KernelOp> routed_expert_ops(const ModelConfig& m, double rows, int slots) {
  std::vector<KernelOp> ops;
  if (rows <= 0 || slots <= 0) return ops;
  const double h = m.hidden, inter = m.expert_intermediate;
  const double per_group = std::ceil(rows / slots);
  ops.push_back(memory_op("experts_permute", "permute", 2 * rows * h * kFp8Scaled, 3));
  ops.push_back(memory_op("experts_gate_up_setup", "gemm_setup", 0));
  KernelOp up = gemm_op("experts_gate_up", per_group, 2 * inter, h, slots, true, "gemm_grouped");
  up.model_flops = 2.0 * rows * 2 * inter * h;
  ops.push_back(up);
  ops.push_back(memory_op("experts_swiglu", "swiglu", rows * 3 * inter * kBf16));
  ops.push_back(memory_op("experts_down_setup", "gemm_setup", 0));
  KernelOp down = gemm_op("experts_down", per_group, h, inter, slots, true, "gemm_grouped");
  down.model_flops = 2.0 * rows * h * inter;
  ops.push_back(down);
  ops.push_back(memory_op("experts_unpermute", "unpermute", rows * h * kBf16 * 2));
  for (KernelOp& op : ops) op.component = Component::kMlp;
  return ops;
}

LayerStages prefill_layer(const InferenceSpec& s, bool moe, double tokens, double attention_share) {
  const ModelConfig& m = s.model;
  const int tp = s.deployment.attention_tp;
  // Attention over the TP group's tokens (sequence parallelism: each GPU
  // holds its own tokens and 1/tp of the heads), the rest over its own.
  OpContext actx;
  actx.sequences = 1;
  actx.seq_len = static_cast<int>(std::llround(tokens * tp));
  actx.tp = tp;
  actx.ep = s.deployment.ep;
  std::vector<KernelOp> attn_all = forward_ops(m, BlockKind::kDenseLayer, actx);
  LayerStages out;
  out.moe = moe;
  std::vector<KernelOp> attn;
  for (KernelOp& op : attn_all) {
    if (op.name == "ffn_norm") break;
    if (op.kind == KernelKind::kAttention) {
      // Causal attention over whole prompts, this micro-batch's share.
      const double prompts = static_cast<double>(s.tokens_per_gpu) * tp / s.prompt_len;
      const double heads = std::max(1, m.heads / tp);
      op.flops = op.model_flops =
          attention_share * prompts * heads * static_cast<double>(s.prompt_len) * s.prompt_len * (m.qk_head_dim() + m.v_dim());
    }
    attn.push_back(op);
  }
  if (moe) {
    gate(attn, m, tokens);
    attn.push_back(memory_op("dispatch_cast", "cast_fp8", tokens * m.hidden * (kBf16 + kFp8Scaled)));
    out.stages.push_back({Stage::kAttn, attn});
    std::vector<KernelOp> shared;
    if (s.deployment.shared == SharedExpert::kLocal && m.shared_experts > 0) shared_expert(shared, m, tokens);
    out.stages.push_back({Stage::kShared, shared});
    out.stages.push_back({Stage::kMlp, {}});  // per GPU: routed_expert_ops
  } else {
    out.stages.push_back({Stage::kAttn, attn});
    std::vector<KernelOp> mlp;
    dense_mlp(mlp, m, tokens, s.deployment.dense_mlp_tp);
    out.stages.push_back({Stage::kMlp, mlp});
  }
  return out;
}

std::vector<KernelOp> embedding_ops(const ModelConfig& m, double tokens) {
  return {memory_op("embedding_gather", "embedding", 2 * tokens * m.hidden * kBf16)};
}

std::vector<KernelOp> head_ops(const ModelConfig& m, double logit_rows) {
  std::vector<KernelOp> ops;
  rmsnorm(ops, "final_norm", logit_rows, m.hidden, false);
  ops.push_back(gemm_op("output_head", logit_rows, m.vocab, m.hidden, 1, false, "gemm_bf16"));
  // Softmax / sampling reads the logits once.
  ops.push_back(memory_op("sampling", "elementwise", logit_rows * m.vocab * kFp32));
  return ops;
}

std::vector<KernelOp> mtp_prologue_ops(const ModelConfig& m, double tokens) {
  std::vector<KernelOp> ops = embedding_ops(m, tokens);
  ops[0].name = "mtp_embedding_gather";
  rmsnorm(ops, "mtp_norms", 2 * tokens, m.hidden, false);
  fp8_gemm(ops, "mtp_projection", tokens, m.hidden, 2.0 * m.hidden);
  return ops;
}

}  // namespace v3sim::models
