#pragma once
// Memory per GPU of a serving deployment: FP8 weights of what the GPU hosts,
// the MLA KV cache, activations in flight and the communication buffers
// (docs/inference-model.md states each estimate), and the largest batch
// that fits in HBM.
#include "models/inference/inference_spec.hpp"

namespace v3sim::models {

struct InferenceMemory {
  double weights = 0;
  double kv_cache = 0;
  double activations = 0;
  double comm_buffers = 0;
  double total() const { return weights + kv_cache + activations + comm_buffers; }
  double hbm = 0;
  // Largest tokens per GPU (prefill) or requests per GPU (decode) that fit.
  long long max_batch = 0;
};

// One expert's FP8 weights (gate, up and down projections; a byte a parameter).
double expert_weight_bytes(const ModelConfig& m);

// `mean_kv_len`: decode's mean KV length per request.
InferenceMemory inference_memory(const InferenceSpec& s, double hbm_bytes, double mean_kv_len);

}  // namespace v3sim::models
