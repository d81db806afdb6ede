#pragma once
// The kernels of one prefill micro-batch on one GPU for each stage of
// DeepSeek's serving overlap (docs/inference-model.md): ATTN (MLA and the MoE
// gate), SHARED and MLP, the training step's kernels where the same kernels
// run (decode's production list: decode_ops.hpp). The routed experts' MLP is
// built per GPU from the rows it receives. Plain data; the step model costs
// them.
#include <vector>

#include "models/inference/inference_spec.hpp"
#include "models/transformer/kernel_op.hpp"

namespace v3sim::models {

enum class Stage { kAttn, kAttn0, kAttn1, kShared, kMlp, kHead };

struct LayerStages {
  bool moe = true;
  std::vector<std::pair<Stage, std::vector<KernelOp>>> stages;  // compute stages in dependency order
  const std::vector<KernelOp>& ops(Stage s) const;
};

// One micro-batch of a prefill step: `tokens` tokens of prompts of
// `prompt_len`, whose causal attention FLOPs are `attention_share` of the
// GPU's prompts' (micro-batches split prompts to balance attention).
LayerStages prefill_layer(const InferenceSpec& s, bool moe, double tokens, double attention_share);

// The output head (and the embedding gather before layer 0) of a micro-batch
// of `tokens` tokens producing `logit_rows` rows of logits.
std::vector<KernelOp> embedding_ops(const ModelConfig& m, double tokens);
std::vector<KernelOp> head_ops(const ModelConfig& m, double logit_rows);
// The MTP module's own prologue: its embedding gather, two norms and the
// 2h -> h projection over `tokens` tokens.
std::vector<KernelOp> mtp_prologue_ops(const ModelConfig& m, double tokens);

// Prefill's routed experts on a GPU receiving `rows` token copies for its
// `slots` expert slots: contiguous-layout grouped GEMMs whose groups each
// hold rows/slots rows, with permute/unpermute around them (the training
// step's kernels).
std::vector<KernelOp> routed_expert_ops(const ModelConfig& m, double rows, int slots);

// KV cache bytes of one token in one layer: BF16 latent plus RoPE key.
double kv_bytes_per_token_layer(const ModelConfig& m);

}  // namespace v3sim::models
