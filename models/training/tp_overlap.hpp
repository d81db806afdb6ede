#pragma once
// Transformer Engine's TP communication overlap (parallelism.tp_comm_overlap,
// userbuffers): a closed form over a pass's segments (docs/training-model.md,
// "Tensor parallelism's communication overlapped").
#include <vector>

#include "models/training/stage_plan.hpp"

namespace v3sim::models {

// Each TP collective goes round the ring in tp chunks, each beside the GEMM
// computing on the chunk before it (ring exchange, on the copy engines). Per
// component, what stays exposed of the collectives' time C beside GEMMs of
// time G is the first chunk plus what the other chunks take beyond them:
//   exposed = C/tp + max(0, (C - G)(tp - 1)/tp).
// Scales the `tp_all_reduce` time of the list's comm segments to it; the
// GEMMs are not slowed (ring exchange holds no SMs).
void overlap_tp_comm(std::vector<Segment>& list, int tp);

}  // namespace v3sim::models
