#pragma once
// Activation accounting: a forward holds one stage-chunk of activations from
// its start; the input-gradient or full backward of that chunk frees it at its
// end. An overlapped pair holds its forward's chunk while its backward's is
// still live, which is DualPipe's +1.
#include "models/pipeline/pipeline_result.hpp"

namespace v3sim::models {

// Fills rank.activation_curve and rank.peak_activations from rank.ops.
void account_activations(RankResult& rank);

}  // namespace v3sim::models
