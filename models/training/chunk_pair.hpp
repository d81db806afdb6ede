#pragma once
// The chunk-pair workload: one rank, one model part, micro-batch 0's forward,
// then the overlapped pair [F1 & B0], then micro-batch 1's backward. The pair
// in the middle is DeepSeek-V3's overlapped forward/backward chunk, to be read
// off the trace component by component.
#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule chunk_pair_schedule();

}  // namespace v3sim::models
