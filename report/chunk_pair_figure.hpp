#pragma once
// One overlapped chunk pair drawn as in DeepSeek-V3's Figure 4: the pair's
// components (attention, dispatch, MLP, combine of the forward chunk and of
// the backward chunk, the backward split into B, for the input, and W, for
// the weights) on a "computation" lane and a "communication" lane (and a
// second computation lane when kernels ran on the second compute stream),
// coloured by pass, on a time axis in ms from the pair's first kernel.
#include <string>

#include "models/training/training_step.hpp"

namespace v3sim::report {

// The op drawn: rank 0's first F&B op (the chunk_pair schedule's pair,
// DualPipe's first overlapped pair); -1 when rank 0 has none.
int chunk_pair_op(const models::TrainingResult& r);

// The figure with its heading, legend and caption; a sentence saying so when
// the schedule has no overlapped pair.
std::string chunk_pair_figure(const models::TrainingResult& r);

}  // namespace v3sim::report
