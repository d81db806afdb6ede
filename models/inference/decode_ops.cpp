#include "models/inference/decode_ops.hpp"

#include <algorithm>
#include <cmath>

#include "models/inference/op_builders.hpp"
#include "models/transformer/element_bytes.hpp"

namespace v3sim::models {
namespace {

// The router's GEMM is split along K into slices this deep, so that its few
// output tiles (rows x 256 experts) still fill the GPU.
constexpr double kRouterSplitDepth = 512;

void fp8_gemm(std::vector<KernelOp>& ops, const std::string& name, double m, double n, double k) {
  ops.push_back(gemm_op(name, m, n, k, 1, true, kDecodeGemmFp8));
}

// Residual add, RMSNorm and FP8 quantisation in one kernel: reads the
// hidden state and the residual, writes the residual and the FP8 copy (and a
// BF16 copy where a BF16 consumer follows, as the router).
KernelOp fused_norm(const std::string& name, double rows, double width, bool residual, bool bf16_out) {
  const double bytes = rows * width * ((residual ? 3 : 1) * kBf16 + kFp8Scaled + (bf16_out ? kBf16 : 0));
  return memory_op(name, "rmsnorm", bytes);
}

}  // namespace

const std::vector<std::string>& decode_attention_kernel_names() {
  static const std::vector<std::string> names = {"attn_norm",   "qkv_down",         "q_norm",      "q_up",
                                                 "q_absorb_uk", "rope_kv_cache",    "flash_mla_decode",
                                                 "o_absorb_uv", "o_proj_quant",     "o_proj",
                                                 "mlp_norm",    "router",           "router_topk"};
  return names;
}

LayerStages decode_layer(const InferenceSpec& s, bool moe, const std::vector<int>& kv_lens, int query_tokens) {
  const ModelConfig& m = s.model;
  const double t = static_cast<double>(kv_lens.size()) * query_tokens;
  const double h = m.hidden;
  const int heads = m.heads;
  const int kv_a = m.kv_lora_rank + m.qk_rope_head_dim;
  const double q_width = static_cast<double>(heads) * m.qk_head_dim();

  // The attention side in program order, in the weight-absorbed form MLA
  // decodes in (queries mapped into the latent space).
  std::vector<KernelOp> attn;
  attn.push_back(fused_norm("attn_norm", t, h, true, false));
  if (m.q_lora_rank > 0) {
    fp8_gemm(attn, "qkv_down", t, m.q_lora_rank + kv_a, h);
    attn.push_back(fused_norm("q_norm", t, m.q_lora_rank, false, false));
    fp8_gemm(attn, "q_up", t, q_width, m.q_lora_rank);
  } else {
    fp8_gemm(attn, "qkv_down", t, q_width + kv_a, h);
  }
  attn.push_back(gemm_op("q_absorb_uk", t, m.kv_lora_rank, m.qk_nope_head_dim, heads, false, kDecodeGemmBf16));
  // RoPE on the queries' and the new key's rotary part, the latent's norm and
  // the append to the paged cache.
  attn.push_back(memory_op("rope_kv_cache", "rope",
                           (2 * t * heads * m.qk_rope_head_dim + 2 * t * kv_a) * kBf16));
  double kv_tokens = 0;
  for (int l : kv_lens) kv_tokens += l + query_tokens;
  KernelOp mla;
  mla.name = "flash_mla_decode";
  mla.kind = KernelKind::kAttention;
  mla.kernel_class = s.deployment.flash_mla_class;
  mla.bytes = kv_tokens * kv_bytes_per_token_layer(m) + t * heads * (kv_a + m.kv_lora_rank) * kBf16;
  // QK^T over the 576-wide latent+RoPE keys, PV over the 512-wide latent.
  mla.flops = mla.model_flops = 2.0 * query_tokens * heads * kv_tokens * (kv_a + m.kv_lora_rank);
  attn.push_back(mla);
  attn.push_back(gemm_op("o_absorb_uv", t, m.v_head_dim, m.kv_lora_rank, heads, false, kDecodeGemmBf16));
  const double o_width = static_cast<double>(heads) * m.v_head_dim;
  attn.push_back(memory_op("o_proj_quant", "cast_fp8", t * o_width * (kBf16 + kFp8Scaled)));
  fp8_gemm(attn, "o_proj", t, h, o_width);
  // The norm before the MLP feeds the router in BF16 and the experts in FP8.
  attn.push_back(fused_norm("mlp_norm", t, h, true, moe));
  if (moe) {
    const double splits = std::max(1.0, std::ceil(h / kRouterSplitDepth));
    attn.push_back(gemm_op("router", t, m.routed_experts, h / splits, static_cast<int>(splits), false, kDecodeGemmBf16));
    // Sigmoid scores and the group-limited top-k: the training step's kernels.
    attn.push_back(memory_op("router_topk", "router_topk", 2 * t * m.routed_experts * kFp32 + t * m.topk * 8, 3));
  }

  LayerStages out;
  out.moe = moe;
  std::vector<KernelOp> a0, a1;
  bool second = false;
  for (KernelOp& op : attn) {
    if (op.name == s.deployment.decode_attn1_from) second = true;
    (second ? a1 : a0).push_back(std::move(op));
  }
  out.stages.push_back({Stage::kAttn0, a0});
  out.stages.push_back({Stage::kAttn1, a1});
  if (moe) {
    std::vector<KernelOp> shared;
    if (s.deployment.shared == SharedExpert::kLocal && m.shared_experts > 0) {
      const double inter = static_cast<double>(m.shared_experts) * m.expert_intermediate;
      fp8_gemm(shared, "shared_gate_up", t, 2 * inter, h);
      shared.push_back(memory_op("shared_swiglu_quant", "swiglu", t * inter * (2 * kBf16 + kFp8Scaled)));
      fp8_gemm(shared, "shared_down", t, h, inter);
    }
    out.stages.push_back({Stage::kShared, shared});
    out.stages.push_back({Stage::kMlp, {}});  // per GPU: decode_routed_expert_ops
  } else {
    const int tp = s.deployment.dense_mlp_tp;
    const double inter = std::ceil(static_cast<double>(m.dense_intermediate) / tp);
    std::vector<KernelOp> mlp;
    fp8_gemm(mlp, "ffn_gate_up", t, 2 * inter, h);
    mlp.push_back(memory_op("ffn_swiglu_quant", "swiglu", t * inter * (2 * kBf16 + kFp8Scaled)));
    fp8_gemm(mlp, "ffn_down", t, h, inter);
    if (tp > 1) {
      KernelOp ar;
      ar.name = "ffn_all_reduce";
      ar.kind = KernelKind::kAllReduce;
      ar.kernel_class = "tp_all_reduce";
      ar.bytes = t * h * kBf16;
      mlp.push_back(ar);
    }
    out.stages.push_back({Stage::kMlp, mlp});
  }
  return out;
}

std::vector<KernelOp> decode_routed_expert_ops(const ModelConfig& m, double rows, int slots) {
  std::vector<KernelOp> ops;
  if (rows <= 0 || slots <= 0) return ops;
  const double h = m.hidden, inter = m.expert_intermediate;
  const double per_group = std::ceil(rows / slots);
  KernelOp up = gemm_op("experts_gate_up", per_group, 2 * inter, h, slots, true, kMaskedGemm);
  up.model_flops = 2.0 * rows * 2 * inter * h;
  ops.push_back(up);
  ops.push_back(memory_op("experts_swiglu_quant", "swiglu", rows * inter * (2 * kBf16 + kFp8Scaled)));
  KernelOp down = gemm_op("experts_down", per_group, h, inter, slots, true, kMaskedGemm);
  down.model_flops = 2.0 * rows * h * inter;
  ops.push_back(down);
  for (KernelOp& op : ops) op.component = Component::kMlp;
  return ops;
}

std::vector<KernelOp> decode_head_ops(const ModelConfig& m, double logit_rows) {
  std::vector<KernelOp> ops;
  ops.push_back(memory_op("final_norm", "rmsnorm", 2 * logit_rows * m.hidden * kBf16));
  // At a few hundred rows the projection is a read of its weights: HBM-bound.
  KernelOp head = memory_op("output_head", kOutputHead,
                            static_cast<double>(m.vocab) * m.hidden * kBf16 + logit_rows * m.hidden * kBf16 +
                                logit_rows * m.vocab * kFp32);
  head.flops = head.model_flops = 2.0 * logit_rows * m.vocab * m.hidden;
  ops.push_back(head);
  ops.push_back(memory_op("sampling", "elementwise", logit_rows * m.vocab * kFp32));
  return ops;
}

std::vector<KernelOp> decode_mtp_prologue_ops(const ModelConfig& m, double tokens) {
  std::vector<KernelOp> ops = embedding_ops(m, tokens);
  ops[0].name = "mtp_embedding_gather";
  ops.push_back(fused_norm("mtp_norms", 2 * tokens, m.hidden, false, false));
  fp8_gemm(ops, "mtp_projection", tokens, m.hidden, 2.0 * m.hidden);
  return ops;
}

std::vector<KernelOp> dispatch_send_ops(double tokens, double message_bytes, int hidden) {
  return {memory_op("dispatch_send", "cast_fp8", tokens * (hidden * kBf16 + message_bytes))};
}

std::vector<KernelOp> dispatch_recv_ops(double rows, double message_bytes) {
  return {memory_op("dispatch_recv", "permute", 2 * rows * message_bytes)};
}

std::vector<KernelOp> combine_send_ops(double rows, double message_bytes) {
  return {memory_op("combine_send", "permute", 2 * rows * message_bytes)};
}

std::vector<KernelOp> combine_recv_ops(double tokens, int copies, double message_bytes, int hidden) {
  return {memory_op("combine_recv", "unpermute", tokens * (copies * message_bytes + hidden * kBf16))};
}

}  // namespace v3sim::models
