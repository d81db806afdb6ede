#pragma once
// How many token copies each expert of each MoE layer receives in one step:
// the load's expected shares (uniform, a power law whose popularity order is
// a fixed per-layer permutation, or a file of observed counts) and the
// multinomial noise a finite batch adds. EPLB plans on one draw and the step
// is evaluated on another (docs/inference-model.md).
#include <cstdint>
#include <vector>

#include "models/inference/inference_spec.hpp"

namespace v3sim::models {

// shares[layer][expert] over the routed experts, each row summing to 1.
std::vector<std::vector<double>> expected_shares(const ExpertLoadSpec& load, int experts, int moe_layers);

// Token copies per placed expert per layer for a step of `tokens` tokens in
// all (every GPU's): topk x tokens drawn over the routed experts (multinomial
// when `noise`, else the expectation), then, when the shared expert is
// routed, `tokens` copies for it as the last expert.
std::vector<std::vector<double>> draw_counts(const std::vector<std::vector<double>>& shares, double tokens, int topk,
                                             bool shared_routed, bool noise, std::uint64_t seed);

}  // namespace v3sim::models
