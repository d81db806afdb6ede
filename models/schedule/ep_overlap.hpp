#pragma once
// Megatron-Core's all-to-all overlap across micro-batches
// (overlap_moe_expert_parallel_comm, with delay_wgrad_compute): in the
// steady state of 1F1B or interleaved 1F1B each forward runs beside the
// next backward as one overlapped pair, so each half's expert-parallel
// all-to-alls hide under the other half's computation (the executor runs a
// pair in DeepSeek's component order, the routed experts' weight gradients
// beside the gradient dispatch). One more forward warms up than without it,
// as Megatron-Core schedules, so that a pair's halves never depend on each other.
#include "models/schedule/schedule.hpp"

namespace v3sim::models {

// `s` with each rank's steady-state forward/backward couples fused into
// pairs. Only for schedules of forwards and full backwards (1F1B,
// interleaved 1F1B); throws std::invalid_argument for any other.
Schedule with_ep_overlap(Schedule s);

}  // namespace v3sim::models
