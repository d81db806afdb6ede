#include "models/transformer/layer_ops.hpp"

#include <algorithm>
#include <cmath>

#include "models/transformer/element_bytes.hpp"

namespace v3sim::models {
namespace {

using calibration::GemmPrecision;
using calibration::GemmShape;

// Builds one block's forward kernels; `fp8` selects the recipe. Besides the
// GEMMs and attention, every kernel the profiled DeepSeek-V3 framework runs
// is here (docs/training-model.md, "Every kernel of a layer"): the FP8 casts
// before each FP8 GEMM and the GEMM's scale prologue, norms, RoPE and the
// head-layout copies, router top-k, the permute/unpermute around the grouped
// expert GEMMs, DeepEP's layout and notify kernels, and the framework's
// small element-wise kernels.
class ForwardBuilder {
 public:
  ForwardBuilder(const ModelConfig& m, const OpContext& c) : m_(m), c_(c), t_(c.tokens()) {}

  std::vector<KernelOp> ops;

  void embedding() {
    memory("embedding_gather", "embedding", Component::kAttention, 2 * t_ * m_.hidden * kBf16, t_ * kFp32, false);
  }

  void attention() {
    const double h = m_.hidden;
    add_norm("attn_norm", Component::kAttention);
    const int heads = std::max(1, m_.heads / c_.tp);
    if (m_.attention == AttentionKind::kMla) {
      const int qk = m_.qk_head_dim();
      const int kv_a = m_.kv_lora_rank + m_.qk_rope_head_dim;
      // q and kv down-projections as two GEMMs, as the profiled framework runs them.
      if (m_.q_lora_rank > 0) {
        gemm("q_down", Component::kAttention, m_.q_lora_rank, h, 0);
        gemm("kv_down", Component::kAttention, kv_a, h, 0);
        memory("q_norm", "rmsnorm", Component::kAttention, 2 * t_ * m_.q_lora_rank * kBf16, t_ * m_.q_lora_rank * kBf16, true);
      } else {
        gemm("q_proj", Component::kAttention, static_cast<double>(heads) * qk, h, 0);
        gemm("kv_down", Component::kAttention, kv_a, h, 0);
      }
      memory("kv_norm", "rmsnorm", Component::kAttention, 2 * t_ * m_.kv_lora_rank * kBf16, t_ * kv_a * kBf16, true);
      if (m_.q_lora_rank > 0) gemm("q_up", Component::kAttention, static_cast<double>(heads) * qk, m_.q_lora_rank, 0, true);
      gemm("kv_up", Component::kAttention, static_cast<double>(heads) * (m_.qk_nope_head_dim + m_.v_head_dim),
           m_.kv_lora_rank, 0, true);
      rope_and_head_layout(heads, m_.qk_rope_head_dim, qk, 1);
      core_attention(heads, qk, m_.v_head_dim, 0);
      context_ring(static_cast<double>(heads) * (qk + m_.v_head_dim));
    } else {
      const int kv_heads = std::max(1, m_.kv_heads / c_.tp);
      const double qkv = static_cast<double>(heads + 2 * kv_heads) * m_.head_dim;
      gemm("qkv_proj", Component::kAttention, qkv, h, 0);
      rope_and_head_layout(heads + kv_heads, m_.head_dim, 0, 0);
      core_attention(heads, m_.head_dim, m_.head_dim, t_ * qkv * kBf16);
      context_ring(2.0 * kv_heads * m_.head_dim);
    }
    // The o_proj input is cached in E5M6: one more cast beside the FP8 one.
    if (c_.fp8)
      memory("o_proj_cache_cast", "cast_fp8", Component::kAttention, t_ * heads * m_.v_dim() * (kBf16 + kE5M6), 0, false);
    KernelOp& o = gemm("o_proj", Component::kAttention, h, static_cast<double>(heads) * m_.v_dim(),
                       t_ * heads * m_.v_dim() * (c_.fp8 ? kE5M6 : kBf16));
    o.cached_input = c_.fp8;
    tp_all_reduce("attn_all_reduce", Component::kAttention);
  }

  void dense_ffn(int intermediate, Component comp, const std::string& prefix, bool norm) {
    if (norm) add_norm(prefix + "norm", comp);
    const double inter = std::ceil(static_cast<double>(intermediate) / c_.tp);
    KernelOp& up = gemm(prefix + "gate_up", comp, 2 * inter, m_.hidden, t_ * m_.hidden * act_bytes());
    up.cached_input = c_.fp8;
    swiglu(prefix + "swiglu", comp, t_, inter);
    gemm(prefix + "down", comp, m_.hidden, inter, 0, false, /*cast=*/false);  // SwiGLU writes FP8 itself
  }

  void moe() {
    const double h = m_.hidden, e = m_.routed_experts;
    // MoE parallel folding (Megatron's expert tensor parallelism 1): the
    // routed experts are whole on every GPU, and each GPU of a TP group
    // routes its own 1/tp of the tokens (the sequence-parallel share).
    const double tm = t_ / c_.tp;
    add_norm("mlp_norm", Component::kAttention);
    KernelOp& router = gemm("router", Component::kAttention, e, h, tm * e * kFp32, false, false);
    router.shape.m = static_cast<std::int64_t>(tm);
    router.flops = router.model_flops = router.shape.flops();
    router.precision = GemmPrecision::kBf16;  // gating stays in high precision
    router.kernel_class = "gemm_bf16";
    // Group scores, group-limited expert top-k and the balancing bias.
    memory("router_topk", "router_topk", Component::kAttention, 2 * tm * e * kFp32 + tm * m_.topk * 8, 0, false);
    ops.back().launches = 3;
    // The tokens leave in FP8: cast on the compute stream before the dispatch.
    const bool fp8_wire = c_.fp8 && c_.fp8_dispatch;
    if (fp8_wire) memory("dispatch_cast", "cast_fp8", Component::kAttention, tm * h * (kBf16 + kFp8Scaled), 0, false);
    comm_aux("dispatch_layout", "ep_layout", Component::kDispatch);
    comm_aux("dispatch_notify", kNotifyClass, Component::kDispatch);
    all_to_all("dispatch", Component::kDispatch, true, fp8_wire, tm);
    ops.back().host_sync = c_.token_counts_to_host;
    // Each GPU holds routed/ep experts and receives, on balanced routing,
    // topk token copies per token it sends.
    const int local = std::max(1, m_.routed_experts / c_.ep);
    const double rows = tm * m_.topk;
    const std::int64_t per_group = static_cast<std::int64_t>(std::ceil(rows / local));
    // Received tokens expanded to one row per (token, local expert), in the
    // format they travelled (FP8 with scales in DeepSeek's recipe).
    const double wire_bytes = fp8_wire ? kFp8Scaled : kBf16;
    memory("experts_permute", "permute", Component::kMlp, 2 * rows * h * wire_bytes, 0, false);
    ops.back().launches = 3;  // count, mapping, expand
    // Tokens that travelled in BF16 are quantised at the experts.
    if (c_.fp8 && !fp8_wire)
      memory("experts_input_cast", "cast_fp8", Component::kMlp, rows * h * (kBf16 + kFp8Scaled), 0, false);
    grouped_gemm("experts_gate_up", per_group, local, 2.0 * m_.expert_intermediate, h, rows * h * act_bytes());
    swiglu("experts_swiglu", Component::kMlp, rows, m_.expert_intermediate);
    grouped_gemm("experts_down", per_group, local, h, m_.expert_intermediate, 0);
    // Rows weighted by their gates and summed back to one row per token.
    memory("experts_unpermute", "unpermute", Component::kMlp, rows * h * kBf16 + tm * h * kBf16, 0, false);
    if (m_.shared_experts > 0)
      dense_ffn(m_.shared_experts * m_.shared_width(), Component::kMlp, "shared_", false);
    tp_all_reduce("mlp_all_reduce", Component::kMlp);
    comm_aux("combine_notify", kNotifyClass, Component::kCombine);
    // The combine's own tokens travel in BF16; its flag says how its backward
    // sends the gradients to the experts.
    all_to_all("combine", Component::kCombine, false, fp8_wire, tm);
    ops.back().saved_bytes = tm * m_.topk * kFp32;  // gate weights, for the combine backward
  }

  void head() {
    add_norm("final_norm", Component::kMlp);
    KernelOp& g = gemm("output_head", Component::kMlp, std::ceil(static_cast<double>(m_.vocab) / c_.tp),
                       m_.hidden, 0, false, false);
    g.precision = GemmPrecision::kBf16;  // embedding and head stay in BF16
    g.kernel_class = "gemm_bf16";
    // Fused cross-entropy: logits read once, their gradient written and kept.
    const double logits = t_ * std::ceil(static_cast<double>(m_.vocab) / c_.tp) * kBf16;
    memory("cross_entropy", "loss", Component::kMlp, 2 * logits, logits, false);
  }

  void mtp_prologue() {
    memory("mtp_embedding_gather", "embedding", Component::kAttention, 2 * t_ * m_.hidden * kBf16, 0, false);
    add_norm("mtp_norms", Component::kAttention);
    ops.back().bytes *= 2;
    ops.back().saved_bytes *= 2;
    ops.back().launches = 2;
    gemm("mtp_projection", Component::kAttention, m_.hidden, 2.0 * m_.hidden, 0);
  }

  // Tensor parallelism: a ring all-reduce of the hidden state over the TP group.
  void tp_all_reduce(const std::string& name, Component comp) {
    if (c_.tp == 1) return;
    KernelOp op;
    op.name = name;
    op.kind = KernelKind::kAllReduce;
    op.component = comp;
    op.kernel_class = "tp_all_reduce";
    op.bytes = t_ * m_.hidden * kBf16;
    push(op);
  }

 private:
  double act_bytes() const { return c_.fp8 ? kFp8Scaled : kBf16; }
  GemmPrecision precision() const { return c_.fp8 ? GemmPrecision::kFp8 : GemmPrecision::kBf16; }

  KernelOp& push(KernelOp op) {
    ops.push_back(std::move(op));
    return ops.back();
  }

  // The FP8 recipe quantises a GEMM's BF16 input per 1x128 tile first and
  // runs a small prologue that lays out the scales for TMA.
  void fp8_prologue(const std::string& name, Component comp, double rows, double k, bool recompute) {
    memory(name + "_cast", "cast_fp8", comp, rows * k * (kBf16 + kFp8Scaled), 0, recompute);
    memory(name + "_setup", "gemm_setup", comp, 0, 0, recompute);
  }

  // y = x W with x [tokens x k], W [k x n].
  KernelOp& gemm(const std::string& name, Component comp, double n, double k, double saved, bool recompute = false,
                 bool cast = true) {
    if (c_.fp8 && cast) fp8_prologue(name, comp, t_, k, recompute);
    KernelOp op;
    op.name = name;
    op.kind = KernelKind::kGemm;
    op.component = comp;
    op.kernel_class = c_.fp8 ? "gemm_fp8" : "gemm_bf16";
    op.shape = GemmShape{static_cast<std::int64_t>(t_), static_cast<std::int64_t>(n), static_cast<std::int64_t>(k), 1};
    op.precision = precision();
    op.flops = op.model_flops = op.shape.flops();
    op.saved_bytes = saved;
    op.recompute_in_backward = recompute;
    if (recompute) op.output_bytes = t_ * n * kBf16;
    return push(op);
  }

  void grouped_gemm(const std::string& name, std::int64_t m, int groups, double n, double k, double saved) {
    if (c_.fp8) memory(name + "_setup", "gemm_setup", Component::kMlp, 0, 0, false);
    memory(name + "_transpose", "transpose", Component::kMlp, 0, 0, false);
    KernelOp op;
    op.name = name;
    op.kind = KernelKind::kGemm;
    op.component = Component::kMlp;
    op.kernel_class = c_.fp8 ? "gemm_grouped" : "gemm_bf16";
    op.shape = GemmShape{m, static_cast<std::int64_t>(n), static_cast<std::int64_t>(k), groups};
    op.precision = precision();
    // Padding rows of a group cost time but are not model work.
    op.flops = op.shape.flops();
    op.model_flops = 2.0 * t_ * m_.topk * n * k;
    op.saved_bytes = saved;
    op.cached_input = c_.fp8 && saved > 0;
    // Transformer Engine's GroupedLinear: a dense GEMM per local expert.
    op.kernel_per_group = c_.kernel_per_expert && groups > 1;
    if (op.kernel_per_group && c_.fp8) op.kernel_class = "gemm_fp8";
    push(op);
  }

  KernelOp& memory(const std::string& name, const std::string& cls, Component comp, double bytes, double saved,
                   bool recompute) {
    KernelOp op;
    op.name = name;
    op.kind = KernelKind::kMemory;
    op.component = comp;
    op.kernel_class = cls;
    op.bytes = bytes;
    op.saved_bytes = saved;
    op.recompute_in_backward = recompute;
    return push(op);
  }

  void comm_aux(const std::string& name, const std::string& cls, Component comp) {
    memory(name, cls, comp, 0, 0, false).comm_stream = true;
  }

  // Residual add fused with RMSNorm: reads the residual and the branch,
  // writes the sum and the normalised output. The sum is kept; the
  // normalised output is recomputed in backward.
  void add_norm(const std::string& name, Component comp) {
    const double rows = c_.sequence_parallel ? t_ / c_.tp : t_;
    memory(name, "rmsnorm", comp, 4 * rows * m_.hidden * kBf16, rows * m_.hidden * kBf16, true).output_bytes =
        rows * m_.hidden * kBf16;
  }

  void swiglu(const std::string& name, Component comp, double rows, double inter) {
    // Its input is cached (FP8 in the V3 recipe) and its output recomputed.
    memory(name, "swiglu", comp, rows * 3 * inter * kBf16, rows * 2 * inter * act_bytes(), true).output_bytes =
        rows * inter * kBf16;
  }

  // RoPE on the rotary slice of q (per head) and k (shared across heads for
  // MLA), then q and k assembled in the per-head layout attention reads
  // (k's rotary slice broadcast to every head). Recomputed in backward with
  // the up-projections.
  void rope_and_head_layout(int heads, int rope_dim, int head_dim, int shared_k) {
    memory("rope", "rope", Component::kAttention, 2 * t_ * (heads + shared_k) * rope_dim * kBf16, 0, true);
    ops.back().launches = 2;
    ops.back().output_bytes = t_ * (heads + shared_k) * rope_dim * kBf16;
    if (head_dim > 0) {
      memory("qk_head_layout", "copy", Component::kAttention, 2 * 2 * t_ * heads * head_dim * kBf16, 0, true);
      ops.back().launches = 2;
      ops.back().output_bytes = 2 * t_ * heads * head_dim * kBf16;
    }
  }

  // Causal attention over `heads` heads: QK^T and PV over half the s x s
  // score matrix.
  void core_attention(int heads, int qk, int v, double saved_qkv) {
    KernelOp op;
    op.name = "core_attention";
    op.kind = KernelKind::kAttention;
    op.component = Component::kAttention;
    // The profile's attention classes are MLA's (its head dims, fitted on
    // DeepSeek's trace); other attention runs at the profile's reference
    // efficiency, FlashAttention-3's at head dim 128, under its own class.
    op.kernel_class = m_.attention == AttentionKind::kMla ? "attention_fwd" : "attention_fwd_mha";
    const double s = c_.seq_len;
    op.flops = op.model_flops = static_cast<double>(c_.sequences) * heads * s * s * (qk + v) / c_.cp;
    op.saved_bytes = saved_qkv + t_ * heads * kFp32;  // plus the log-sum-exp per row
    // Backward pre- and post-processing move (see backward_ops): dO.O row
    // sums, and dQ from its FP32 accumulator to BF16.
    op.backward_pre_bytes = t_ * heads * (2.0 * v * kBf16 + kFp32);
    op.backward_post_bytes = t_ * heads * qk * (kFp32 + kBf16);
    push(op);
  }

  // Context parallelism: the GPU's K and V (`kv_width` BF16 values a token)
  // travel the ring, cp - 1 transfers, each beside the attention on the chunk
  // that arrived before it (Transformer Engine's ring P2P).
  void context_ring(double kv_width) {
    if (c_.cp == 1) return;
    KernelOp op;
    op.name = "cp_ring";
    op.kind = KernelKind::kContextRing;
    op.component = Component::kAttention;
    op.kernel_class = "cp_ring";
    op.bytes = t_ * kv_width * kBf16;
    op.ring_steps = c_.cp - 1;
    op.flops = ops.empty() ? 0 : ops.back().flops;  // the core attention just added
    op.beside_class = ops.empty() ? "attention_fwd" : ops.back().kernel_class;
    push(op);
  }

  void all_to_all(const std::string& name, Component comp, bool to_experts, bool fp8, double tokens) {
    KernelOp op;
    op.name = name;
    op.kind = KernelKind::kAllToAll;
    op.component = comp;
    op.kernel_class = to_experts ? "ep_dispatch" : "ep_combine";
    op.tokens = tokens;
    op.bytes = tokens * m_.hidden * kBf16;  // the BF16 hidden states of the tokens sent
    op.to_experts = to_experts;
    op.fp8 = fp8;
    push(op);
  }

  const ModelConfig& m_;
  const OpContext& c_;
  double t_;
};

}  // namespace

std::vector<KernelOp> forward_ops(const ModelConfig& m, BlockKind block, const OpContext& ctx) {
  ForwardBuilder b(m, ctx);
  switch (block) {
    case BlockKind::kEmbedding: b.embedding(); break;
    case BlockKind::kDenseLayer:
      b.attention();
      b.dense_ffn(m.dense_intermediate, Component::kMlp, "ffn_", true);
      b.tp_all_reduce("mlp_all_reduce", Component::kMlp);
      break;
    case BlockKind::kMoeLayer:
      b.attention();
      b.moe();
      break;
    case BlockKind::kHead: b.head(); break;
    case BlockKind::kMtp:
      b.mtp_prologue();
      b.attention();
      if (m.is_moe())
        b.moe();
      else
        b.dense_ffn(m.dense_intermediate, Component::kMlp, "ffn_", true);
      break;
  }
  return b.ops;
}

namespace {

// The recomputation choice applied to a block's forward kernels (built for
// the selective recipe).
void apply_recompute(std::vector<KernelOp>& ops, const ModelConfig& m, BlockKind block, const OpContext& ctx) {
  if (ctx.recompute == Recompute::kNone) {
    for (KernelOp& op : ops)
      if (op.recompute_in_backward) {
        op.recompute_in_backward = false;
        op.saved_bytes += op.output_bytes;
      }
  }
  const bool layer = block == BlockKind::kDenseLayer || block == BlockKind::kMoeLayer || block == BlockKind::kMtp;
  if (ctx.recompute != Recompute::kFull || !layer || ops.empty()) return;
  // The layer's input, and what the all-to-alls delivered (re-exchanging
  // them is not modelled: their results stay): the dispatched rows, the
  // combined output and the gate weights.
  const double t = ctx.tokens(), act = ctx.fp8 && ctx.fp8_dispatch ? kFp8Scaled : kBf16;
  double kept = (ctx.sequence_parallel ? t / ctx.tp : t) * m.hidden * kBf16;
  for (KernelOp& op : ops) {
    // The all-to-alls carry the GPU's share of the tokens (op.tokens).
    if (op.kind == KernelKind::kAllToAll && op.to_experts) kept += op.tokens * m.topk * m.hidden * act;
    if (op.kind == KernelKind::kAllToAll && !op.to_experts) kept += op.tokens * m.hidden * kBf16 + op.tokens * m.topk * kFp32;
    op.saved_bytes = 0;
    if (op.kind != KernelKind::kAllToAll && !op.comm_stream) op.recompute_in_backward = true;
  }
  ops.front().saved_bytes = kept;
}

}  // namespace

std::vector<KernelOp> block_ops(const ModelConfig& m, BlockKind block, const OpContext& ctx) {
  std::vector<KernelOp> ops = forward_ops(m, block, ctx);
  apply_recompute(ops, m, block, ctx);
  std::vector<KernelOp> back = backward_ops(ops, ctx.fp8);
  ops.insert(ops.end(), back.begin(), back.end());
  return ops;
}

double pass_model_flops(const std::vector<KernelOp>& ops, Pass pass) {
  double sum = 0;
  for (const KernelOp& op : ops)
    if (op.pass == pass) sum += op.model_flops;
  return sum;
}

double saved_activation_bytes(const std::vector<KernelOp>& forward) {
  double sum = 0;
  for (const KernelOp& op : forward)
    if (op.pass == Pass::kForward) sum += op.saved_bytes;
  return sum;
}

}  // namespace v3sim::models
