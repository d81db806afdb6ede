#pragma once
// The kernels of each block of a transformer for one micro-batch on one GPU:
// forward ops with exact FLOP and byte counts, and the backward derived from
// them (input-gradient part, weight-gradient part, recomputation). The
// accounting rules and their sources are in docs/training-model.md.
#include <vector>

#include "models/transformer/kernel_op.hpp"
#include "models/transformer/model_config.hpp"

namespace v3sim::models {

// What a pipeline stage is built of.
// kMtp is a multi-token-prediction module without its head (which shares the
// output head: a stage holding the module adds a kHead after it).
enum class BlockKind { kEmbedding, kDenseLayer, kMoeLayer, kHead, kMtp };

// Activation recomputation, as Megatron-LM names its choices: none keeps
// every activation the backward reads; selective re-runs the cheap kernels
// whose outputs are large (DeepSeek-V3's recipe: RMSNorm, SwiGLU, RoPE and
// the MLA up-projections); full keeps a layer's input alone (and the
// all-to-all results) and re-runs all its compute in backward.
enum class Recompute { kNone, kSelective, kFull };

// The micro-batch and the parallelism a GPU's kernels see.
struct OpContext {
  int sequences = 1;  // micro-batch size
  int seq_len = 4096;
  int ep = 1;         // expert-parallel degree: routed experts are split over ep GPUs
  int tp = 1;         // tensor-parallel degree: heads and FFN width split over tp GPUs; each routes
                      // tokens/tp to whole experts (MoE parallel folding, models/training/expert_groups.hpp)
  bool fp8 = true;    // FP8 GEMMs and FP8 activation caching (DeepSeek-V3 recipe); else BF16
  Recompute recompute = Recompute::kSelective;
  // Megatron's sequence parallelism: outside the tensor-parallel regions
  // (residual adds and norms) each of the tp GPUs holds and normalises
  // tokens/tp; the all-reduces become reduce-scatter plus all-gather.
  bool sequence_parallel = false;
  // Context parallelism: the sequence split over cp GPUs in load-balanced
  // chunks; each holds 1/cp of the tokens and of causal attention's work.
  int cp = 1;
  // Routed experts' GEMMs as one kernel per local expert (Transformer
  // Engine's GroupedLinear) instead of one grouped kernel (DeepGEMM).
  bool kernel_per_expert = false;
  // With fp8: the tokens travel to the experts in FP8, cast before the
  // dispatch (DeepSeek-V3's recipe); false: in BF16, cast at the experts
  // (Megatron-Core's dispatchers move the activations as they are).
  bool fp8_dispatch = true;
  // The token counts per expert are copied to the host before the forward
  // dispatch (Megatron-Core's dispatchers: the all-to-all's split sizes and
  // Transformer Engine's per-expert GEMM splits are host lists).
  bool token_counts_to_host = false;
  double tokens() const { return static_cast<double>(sequences) * seq_len / cp; }
};

// Forward kernels in execution order.
std::vector<KernelOp> forward_ops(const ModelConfig& m, BlockKind block, const OpContext& ctx);

// Backward kernels: the input-gradient pass (recomputation first) in
// execution order, then the weight-gradient pass.
std::vector<KernelOp> backward_ops(const std::vector<KernelOp>& forward, bool fp8);

// Forward then backward.
std::vector<KernelOp> block_ops(const ModelConfig& m, BlockKind block, const OpContext& ctx);

// Sums over ops of one pass.
double pass_model_flops(const std::vector<KernelOp>& ops, Pass pass);
double saved_activation_bytes(const std::vector<KernelOp>& forward);

}  // namespace v3sim::models
