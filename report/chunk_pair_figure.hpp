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

// The pair drawn: the first F&B op of the middle rank whose components hold
// both a dispatch and a combine (an MoE pair, as Figure 4 draws; the first
// ranks' first pairs may hold dense layers or the embedding), trying ranks
// outward from the middle, then any rank's first F&B; op -1 when no rank
// has one.
struct ChunkPairChoice {
  int rank = 0;
  int op = -1;
};
ChunkPairChoice chunk_pair_op(const models::TrainingResult& r);

// The figure with its heading, legend and caption; a sentence saying so when
// the schedule has no overlapped pair.
std::string chunk_pair_figure(const models::TrainingResult& r);

}  // namespace v3sim::report
