#include "models/inference/inference_memory.hpp"

#include "models/inference/exchange.hpp"
#include "models/inference/inference_ops.hpp"
#include "models/transformer/parameters.hpp"
#include "models/transformer/element_bytes.hpp"

namespace v3sim::models {

double expert_weight_bytes(const ModelConfig& m) { return 3.0 * m.hidden * m.expert_intermediate; }

namespace {

// FP8 weights, one byte a parameter (block scales are under 0.01%); the
// embedding and the output head stay BF16. Attention and other dense
// weights are split over the attention TP group, the dense layers' MLP
// over dense_mlp_tp; each GPU holds its expert slots of every MoE layer.
double weight_bytes(const InferenceSpec& s) {
  const ModelConfig& m = s.model;
  const Deployment& d = s.deployment;
  const double expert = expert_weight_bytes(m);
  const BlockParameters dense_layer = block_parameters(m, BlockKind::kDenseLayer);
  const BlockParameters moe_layer = block_parameters(m, BlockKind::kMoeLayer);
  const double dense_ffn = 3.0 * m.hidden * m.dense_intermediate;
  const double shared = m.shared_experts * expert;
  double bytes = 0;
  bytes += m.dense_layers * ((dense_layer.dense - dense_ffn) / d.attention_tp + dense_ffn / d.dense_mlp_tp);
  const double moe_dense = moe_layer.dense - (d.shared == SharedExpert::kRouted ? shared : 0);
  const int mtp_layers = s.mtp_depth;
  bytes += (m.moe_layers() + mtp_layers) * (moe_dense / d.attention_tp + d.experts_per_gpu * expert);
  if (mtp_layers > 0) bytes += 2.0 * m.hidden * m.hidden;  // the MTP projection
  bytes += kBf16 * (block_parameters(m, BlockKind::kEmbedding).dense + block_parameters(m, BlockKind::kHead).dense -
                    tied_head_saving(m));
  return bytes;
}

// Activations in flight: per micro-batch the hidden state and residual, the
// normed input (BF16), and the received token copies in FP8 with their BF16
// expert outputs; two micro-batches when overlapped.
double activation_bytes(const InferenceSpec& s, double tokens_per_gpu) {
  const ModelConfig& m = s.model;
  const double copies = tokens_per_gpu * s.selections();
  return 3 * tokens_per_gpu * m.hidden * kBf16 + copies * m.hidden * (1 + kBf16);
}

// Prefill: DeepEP normal buffers, 1 GB for NVLink and 1 GB for RDMA (the
// sizes DeepEP's tests allocate). Decode: the low-latency buffers, double
// buffered: each local expert slot can receive every sender's micro-batch in
// dispatch, and each token's copies come back in combine.
double buffer_bytes(const InferenceSpec& s, double tokens_per_mb) {
  if (s.phase == InferencePhase::kPrefill) return 2e9;
  const Deployment& d = s.deployment;
  const double dispatch = d.experts_per_gpu * static_cast<double>(d.ep) * tokens_per_mb *
                          low_latency_message_bytes(s.model.hidden, true);
  const double combine = d.experts_per_gpu * static_cast<double>(d.ep) * tokens_per_mb *
                         low_latency_message_bytes(s.model.hidden, false);
  return 2 * (dispatch + combine);
}

InferenceMemory at_batch(const InferenceSpec& s, double hbm, double batch, double mean_kv_len) {
  InferenceMemory mem;
  mem.hbm = hbm;
  mem.weights = weight_bytes(s);
  const double layers = s.model.layers + s.mtp_depth;
  const double kv_token = kv_bytes_per_token_layer(s.model) * layers;
  const int mbs = s.deployment.two_micro_batch ? 2 : 1;
  if (s.phase == InferencePhase::kPrefill) {
    mem.kv_cache = batch * kv_token;  // the prompts' cache, produced for the decode side
    mem.activations = activation_bytes(s, batch);
    mem.comm_buffers = buffer_bytes(s, batch / mbs);
  } else {
    const double query = 1 + s.mtp_depth;
    mem.kv_cache = batch * (mean_kv_len + query) * kv_token;
    mem.activations = activation_bytes(s, batch * query);
    mem.comm_buffers = buffer_bytes(s, batch * query / mbs);
  }
  return mem;
}

}  // namespace

InferenceMemory inference_memory(const InferenceSpec& s, double hbm_bytes, double mean_kv_len) {
  const double batch = s.phase == InferencePhase::kPrefill ? s.tokens_per_gpu : s.requests_per_gpu;
  InferenceMemory mem = at_batch(s, hbm_bytes, batch, mean_kv_len);
  // Memory grows with the batch: bisect for the largest that fits.
  long long lo = 0, hi = 1;
  while (hi < (1LL << 30) && at_batch(s, hbm_bytes, static_cast<double>(hi), mean_kv_len).total() <= hbm_bytes) hi *= 2;
  while (lo + 1 < hi) {
    const long long mid = (lo + hi) / 2;
    (at_batch(s, hbm_bytes, static_cast<double>(mid), mean_kv_len).total() <= hbm_bytes ? lo : hi) = mid;
  }
  mem.max_batch = lo;
  return mem;
}

}  // namespace v3sim::models
