#pragma once
// Parameter counts of a model's blocks, split into the part every
// expert-parallel rank holds (dense) and the routed experts, which are
// sharded over the expert-parallel group.
#include "models/transformer/layer_ops.hpp"
#include "models/transformer/model_config.hpp"

namespace v3sim::models {

struct BlockParameters {
  double dense = 0;   // attention, norms, dense FFN, shared experts, router, embedding, head
  double routed = 0;  // all routed experts of the block
  double total() const { return dense + routed; }
};

BlockParameters block_parameters(const ModelConfig& m, BlockKind block);

// The head's matrix when it is the embedding's (tied): counted once where
// one rank holds both; 0 when untied.
double tied_head_saving(const ModelConfig& m);

// Whole model, MTP modules excluded (as published totals count them).
double total_parameters(const ModelConfig& m);
// Parameters one token passes through: topk of the routed experts.
double activated_parameters(const ModelConfig& m);

}  // namespace v3sim::models
