#pragma once
// Where each token goes in the expert-parallel exchange: top-k distinct
// experts per token, drawn uniformly (seeded), and the row of the receive
// buffer each (token, k) copy lands in. Rows are laid out per expert, in
// token order within an expert, as a dispatch that groups tokens for the
// expert GEMMs (contiguous layout) does.
#include <cstdint>
#include <vector>

namespace v3sim::probes {

struct EpRouting {
  int tokens = 0;
  int topk = 0;
  int experts = 0;
  std::vector<std::int32_t> row;  // [token * topk + k]: receive-buffer row
  std::vector<float> weight;      // [token * topk + k]: gate weight, a token's sum to 1
  std::vector<std::int32_t> rows_per_expert;
};

// Throws std::invalid_argument unless 1 <= topk <= experts and tokens >= 1.
EpRouting make_routing(int tokens, int topk, int experts, std::uint64_t seed);

}  // namespace v3sim::probes
