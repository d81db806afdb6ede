#pragma once
// The kernels of one decode micro-batch as DeepSeek's production decode runs
// them (docs/inference-model.md, "Decode kernels"): a CUDA graph of fused
// kernels, not the training step's list. Fused residual add, RMSNorm and FP8
// quantisation; one GEMM for the q and kv down-projections; no per-GEMM setup
// kernels; GEMMs at DeepGEMM's standalone rates (no in-pair factors); the
// router as a split-K GEMM and its top-k; the routed experts as DeepGEMM's
// masked grouped GEMM; the output head at HBM rate. DeepEP's low-latency
// exchanges are a send kernel and a receive kernel on the compute stream.
// Plain data; the step model costs them.
#include <string>
#include <vector>

#include "models/inference/inference_ops.hpp"
#include "models/inference/inference_spec.hpp"

namespace v3sim::models {

// Kernel classes of the production list that the training list does not use:
// GEMMs at DeepGEMM's standalone rates, the masked grouped GEMM, the head.
inline constexpr const char* kDecodeGemmFp8 = "gemm_fp8_decode";
inline constexpr const char* kDecodeGemmBf16 = "gemm_bf16_decode";
inline constexpr const char* kMaskedGemm = "gemm_masked";
inline constexpr const char* kOutputHead = "output_head";

// FlashMLA's decoding kernel, under either release's class (mla_decode,
// mla_decode_2504): a roofline, costed per GPU from its KV lengths.
inline bool is_flash_mla(const KernelOp& op) {
  return op.kind == KernelKind::kAttention && op.kernel_class.rfind("mla_decode", 0) == 0;
}

// The attention kernels of a decode layer in program order; ATTN-1 begins at
// the deployment's `decode_attn1_from` (FlashMLA by default).
const std::vector<std::string>& decode_attention_kernel_names();

// One micro-batch of a decode step: `kv_lens` per request, each request
// verifying `query_tokens` tokens (1, or 2 with an MTP draft). Stages ATTN-0,
// ATTN-1, then SHARED and MLP (MoE; MLP's routed experts are per GPU:
// decode_routed_expert_ops) or MLP (dense).
LayerStages decode_layer(const InferenceSpec& s, bool moe, const std::vector<int>& kv_lens, int query_tokens);

// The routed experts of a GPU receiving `rows` token copies for its `slots`
// expert slots: masked grouped GEMMs of rows/slots rows a group, the SwiGLU
// fused with the FP8 quantisation between them.
std::vector<KernelOp> decode_routed_expert_ops(const ModelConfig& m, double rows, int slots);

// The head of `logit_rows` rows: the final norm, the BF16 vocabulary
// projection read at HBM rate (its weights dominate at decode's rows), and
// sampling over the logits.
std::vector<KernelOp> decode_head_ops(const ModelConfig& m, double logit_rows);

// The MTP module's prologue over `tokens` tokens: its embedding gather, the
// two norms fused with the quantisation, the 2h -> h projection.
std::vector<KernelOp> decode_mtp_prologue_ops(const ModelConfig& m, double tokens);

// DeepEP's low-latency halves on the compute stream. Dispatch send: cast the
// micro-batch's tokens to FP8 messages; dispatch receive: gather the received
// copies into the experts' masked layout; combine send: copy the experts'
// outputs into the send buffer; combine receive: the weighted sum of each
// token's returned copies.
std::vector<KernelOp> dispatch_send_ops(double tokens, double message_bytes, int hidden);
std::vector<KernelOp> dispatch_recv_ops(double rows, double message_bytes);
std::vector<KernelOp> combine_send_ops(double rows, double message_bytes);
std::vector<KernelOp> combine_recv_ops(double tokens, int copies, double message_bytes, int hidden);

}  // namespace v3sim::models
